/**
 * Histogram bins of equal width in log10 space (k per decade), shared by several series so their
 * bars line up. Durations and memory of serverless functions span five decades: linear bins would
 * put nearly everything in the first one.
 */

export interface LogBin {
  /** Bin i covers [10^(i/k), 10^((i+1)/k)). */
  readonly index: number;
  readonly from: number;
  readonly to: number;
  /** Per series, in the order the series were given. */
  readonly counts: readonly number[];
}

export interface LogBinning {
  readonly binsPerDecade: number;
  /** Every bin from the lowest to the highest value, empty ones included, so axes stay continuous. */
  readonly bins: readonly LogBin[];
  /** Per series: values of 0, counted in the lowest bin because log10(0) has no bin. */
  readonly zeros: readonly number[];
}

/**
 * Floating point puts log10 of an exact edge such as 10^(3/4) a hair below it; nudging by far less
 * than a bin keeps edge values in the bin they start.
 */
const EDGE_SLACK = 1e-9;

export function logBinIndex(value: number, binsPerDecade: number): number {
  return Math.floor(Math.log10(value) * binsPerDecade + EDGE_SLACK);
}

export function logBinEdge(index: number, binsPerDecade: number): number {
  return 10 ** (index / binsPerDecade);
}

/**
 * Bins each series' values. Zeros go to the lowest bin of all positive values (bin 0, starting at
 * 1, when there are none); negative and non-finite values are a caller's bug and throw.
 */
export function logBins(series: readonly (readonly number[])[], binsPerDecade: number): LogBinning {
  if (!Number.isInteger(binsPerDecade) || binsPerDecade < 1) throw new RangeError(`logBins: binsPerDecade must be a positive integer, not ${binsPerDecade}`);
  let low = Infinity;
  let high = -Infinity;
  let any = false;
  for (const values of series) {
    for (const value of values) {
      if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`logBins: values must be finite and non-negative, not ${value}`);
      any = true;
      if (value === 0) continue;
      const index = logBinIndex(value, binsPerDecade);
      low = Math.min(low, index);
      high = Math.max(high, index);
    }
  }
  if (!any) return { binsPerDecade, bins: [], zeros: series.map(() => 0) };
  if (low === Infinity) [low, high] = [0, 0];
  const counts = Array.from({ length: high - low + 1 }, () => series.map(() => 0));
  const zeros = series.map(() => 0);
  series.forEach((values, s) => {
    for (const value of values) {
      if (value === 0) zeros[s]!++;
      counts[value === 0 ? 0 : logBinIndex(value, binsPerDecade) - low]![s]!++;
    }
  });
  const bins = counts.map((perSeries, offset) => ({ index: low + offset, from: logBinEdge(low + offset, binsPerDecade), to: logBinEdge(low + offset + 1, binsPerDecade), counts: perSeries }));
  return { binsPerDecade, bins, zeros };
}
