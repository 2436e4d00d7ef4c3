/**
 * The one percentile definition behind every figure faasbench prints or stores (the end-of-run
 * summary, analyze, report, dashboard, experiment tables, compare, bootstrap CIs and the benches):
 * nearest rank on exact values. The p-th percentile of n values is the ceil(p/100 * n)-th smallest,
 * so every percentile is a value that was measured (never an interpolation), p100 is the max, and
 * no percentile exceeds it. p99.9 of the 1,000 values 1..1,000 is the 999th smallest: 999.
 */

/** The percentiles every latency figure carries. */
export const REPORTED_PERCENTILES = [50, 90, 99, 99.9] as const;

/** The nearest-rank position (1-based) of percentile p (0 < p <= 100) in n >= 1 values. */
export function nearestRank(p: number, n: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p}: expected 0 < p <= 100`);
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`nearest rank of ${n} values: expected a whole number >= 1`);
  const exact = (p / 100) * n;
  // The product can land a few ulps above a whole number (99.9% of 1,000 is 999.0000000000001):
  // rounding that up would skip a rank. p, p / 100 and the product each round by half an ulp, so
  // 8 ulps (relative 1.8e-15) is above that error and below any real fraction of a rank: p99.9999
  // of 9,999,999 values is 9,999,989.000001, a millionth of a rank above the 9,999,989th (a
  // relative 1e-12 took it for a rounding error, at 1e-5 ranks).
  return Math.min(n, Math.max(1, Math.ceil(exact - exact * 8 * Number.EPSILON)));
}

/** The p-th percentile of values sorted ascending; RangeError for none (callers say what zero values mean). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError(`percentile ${p} of no values`);
  return sorted[nearestRank(p, sorted.length) - 1]!;
}

/** The p-th percentile of values in any order (sorts a copy); null for no values. */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  if (values.length === 0) return null;
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

/** The 50th percentile by the same definition: for an even count the lower middle value, one that was measured. */
export const median = (values: ArrayLike<number>): number | null => percentile(values, 50);

/** Rounded for a table: latencies carry µs digits nobody reads. Null stays null. */
export function roundMs(value: number | null, digits = 1): number | null {
  if (value === null) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
