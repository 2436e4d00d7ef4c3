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
  // rounding that up would skip a rank. A relative 1e-12 is far below any real fraction of a rank
  // (p has at most a few decimals) and far above the product's error.
  return Math.min(n, Math.max(1, Math.ceil(exact - exact * 1e-12)));
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
