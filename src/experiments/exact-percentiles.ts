/**
 * Exact percentiles of the small samples experiments tabulate (a burst of 16 calls, the calls of
 * one spike). Nearest rank, so every figure printed is a latency that some call actually had;
 * the run-wide HDR summary in analysis/ stays the tool for large loads.
 */

/** The nearest-rank p-th percentile (0 < p <= 100): the smallest value with at least p% of the sample at or below it; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p}: expected 0 < p <= 100`);
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (values: readonly number[]): number | null => percentile(values, 50);

/** Rounded for a table: latencies carry µs digits nobody reads. */
export function roundMs(value: number | null, digits = 1): number | null {
  if (value === null) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
