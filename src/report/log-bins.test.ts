import { describe, expect, it } from 'vitest';
import { logBinEdge, logBinIndex, logBins } from './log-bins.ts';

describe('logBins', () => {
  it('puts exact edges in the bin they start, values just below in the one before', () => {
    expect([1, 10, 100, 1000, 0.1, 0.01].map((v) => logBinIndex(v, 4))).toEqual([0, 4, 8, 12, -4, -8]);
    expect([logBinEdge(3, 4), logBinEdge(7, 4), logBinEdge(-1, 4)].map((edge) => logBinIndex(edge, 4))).toEqual([3, 7, -1]);
    expect([999.999, 9.99, 1.7782, 1.7783].map((v) => logBinIndex(v, 4))).toEqual([11, 3, 0, 1]);
    expect(logBinIndex(5, 1)).toBe(0);
  });

  it('counts every series over the same continuous run of bins, empty bins included', () => {
    // Two bins per decade: edges 0.316, 1, 3.16, 10, 31.6, 100, 316, 1000, 3162.
    const binned = logBins([[1, 1.5, 2, 50, 0.5], [3, 1000]], 2);
    expect(binned.zeros).toEqual([0, 0]);
    expect(binned.bins.map((b) => [b.index, b.counts])).toEqual([
      [-1, [1, 0]],
      [0, [3, 1]],
      [1, [0, 0]],
      [2, [0, 0]],
      [3, [1, 0]],
      [4, [0, 0]],
      [5, [0, 0]],
      [6, [0, 1]],
    ]);
    expect(binned.bins[0]).toMatchObject({ from: 10 ** -0.5, to: 1 });
    expect(binned.bins.at(-1)).toMatchObject({ from: 1000, to: 10 ** 3.5 });
  });

  it('counts zeros in the lowest bin of the positive values, or in [1, next edge) when all are zero', () => {
    const binned = logBins([[0, 0, 20], [0, 5]], 1);
    expect(binned.zeros).toEqual([2, 1]);
    expect(binned.bins.map((b) => [b.from, b.counts])).toEqual([
      [1, [2, 2]],
      [10, [1, 0]],
    ]);
    expect(logBins([[0], [0, 0]], 4).bins).toEqual([{ index: 0, from: 1, to: 10 ** 0.25, counts: [1, 2] }]);
    expect(logBins([[], []], 4)).toEqual({ binsPerDecade: 4, bins: [], zeros: [0, 0] });
  });

  it('refuses what has no logarithm and bin counts that are not whole', () => {
    expect(() => logBins([[1, -1]], 4)).toThrow('values must be finite and non-negative, not -1');
    expect(() => logBins([[Number.NaN]], 4)).toThrow('not NaN');
    expect(() => logBins([[1]], 2.5)).toThrow('binsPerDecade must be a positive integer, not 2.5');
  });
});
