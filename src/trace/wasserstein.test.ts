import { describe, expect, it } from 'vitest';
import { createPrng } from '../core/prng.ts';
import { binOf, EXACT_BELOW, LogHistogram, RELATIVE_BIN_WIDTH, wasserstein1, wasserstein1Sorted } from './wasserstein.ts';

/** W1 the other way: the integral of |F(x) - G(x)| dx over the merged support (CDFs, not quantiles). */
function cdfDistance(a: readonly number[], b: readonly number[]): number {
  const xs = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const cdf = (s: readonly number[], x: number): number => s.filter((v) => v <= x).length / s.length;
  let area = 0;
  for (let k = 0; k + 1 < xs.length; k++) area += Math.abs(cdf(a, xs[k]!) - cdf(b, xs[k]!)) * (xs[k + 1]! - xs[k]!);
  return area;
}

function histogramOf(values: readonly number[]): LogHistogram {
  const h = new LogHistogram();
  for (const v of values) h.add(v);
  return h;
}

describe('wasserstein1', () => {
  it.each([
    [[0, 1, 3], [5, 6, 8], 5],
    [[0], [0, 1], 0.5],
    [[1, 2], [1, 2, 3], 0.5],
    [[0, 0, 0, 10], [0], 2.5],
    [[3, 1, 2], [2, 3, 1], 0],
    [[7], [2], 5],
  ])('W1(%j, %j) = %d', (a, b, expected) => {
    expect(wasserstein1(a, b)).toBeCloseTo(expected, 12);
    expect(wasserstein1(b, a)).toBeCloseTo(expected, 12);
  });

  it('integrates over the merged breakpoints of unequal sizes: W1([0,1,2],[0,2]) = 1/3', () => {
    // Quantiles: (0,1/3] 0 vs 0, (1/3,1/2] 1 vs 0, (1/2,2/3] 1 vs 2, (2/3,1] 2 vs 2.
    expect(wasserstein1([0, 1, 2], [0, 2])).toBeCloseTo(1 / 3, 12);
  });

  it('leaves its inputs unsorted', () => {
    const a = [3, 1, 2];
    wasserstein1(a, [0]);
    expect(a).toEqual([3, 1, 2]);
  });

  it('agrees with the CDF form on random samples of unequal sizes', () => {
    const prng = createPrng(5, 'w1');
    for (let round = 0; round < 50; round++) {
      const a = Array.from({ length: prng.int(1, 30) }, () => prng.int(0, 20) * prng.next());
      const b = Array.from({ length: prng.int(1, 30) }, () => prng.int(0, 40));
      expect(wasserstein1(a, b)).toBeCloseTo(cdfDistance(a, b), 9);
    }
  });

  it('refuses an empty distribution', () => {
    expect(() => wasserstein1([], [1])).toThrow(RangeError);
    expect(() => wasserstein1Sorted([1], [])).toThrow(RangeError);
  });
});

describe('LogHistogram', () => {
  it('bins whole numbers below 64 one per bin, then 64 bins per doubling', () => {
    expect([0, 1, 63, 63.99].map(binOf)).toEqual([0, 1, 63, 63]);
    expect(binOf(EXACT_BELOW)).toBe(64);
    expect(binOf(64 * 2 ** (1 / 64) * 1.000001)).toBe(65);
    expect(binOf(128)).toBe(128);
    expect(binOf(2 ** 32)).toBe(64 + 64 * 26);
  });

  it('is exact for whole numbers below 64', () => {
    const h = histogramOf([0, 1, 3]);
    expect(h.distanceToSorted([5, 6, 8])).toBe(5);
    expect(histogramOf([0]).distanceToSorted([0, 1])).toBe(0.5);
    expect(histogramOf([0, 0, 0, 10]).distanceToSorted([0])).toBe(2.5);
  });

  it('keeps count, sum and mean exactly', () => {
    const h = histogramOf([0, 100, 1000.5, 7]);
    expect([h.count, h.sum, h.mean]).toEqual([4, 1107.5, 1107.5 / 4]);
    expect(new LogHistogram().mean).toBeNaN();
  });

  it('stays within the documented error of the exact distance for large values', () => {
    const prng = createPrng(9, 'hist');
    const whole = Array.from({ length: 5000 }, () => Math.floor(Math.exp(prng.next() * 16)));
    const h = histogramOf(whole);
    const mean = whole.reduce((s, v) => s + v, 0) / whole.length;
    for (let round = 0; round < 20; round++) {
      const sample = Float64Array.from({ length: prng.int(1, 200) }, () => whole[prng.int(0, whole.length - 1)]!).sort();
      const exact = wasserstein1(whole, sample);
      expect(Math.abs(h.distanceToSorted(sample) - exact)).toBeLessThanOrEqual(RELATIVE_BIN_WIDTH * mean);
    }
  });

  it('answers again after more values are added', () => {
    const h = histogramOf([1]);
    expect(h.distanceToSorted([1])).toBe(0);
    h.add(3);
    expect(h.distanceToSorted([1])).toBe(1);
  });

  it('adds a batch like single values, and keeps the totals matching the bins when one is refused', () => {
    const h = new LogHistogram();
    h.addAll(Float64Array.from([0, 3, 100, 0, 7, 1000]), 5);
    expect([h.count, h.sum]).toEqual([5, 110]);
    expect(h.distanceToSorted([0, 0, 3, 7, 100])).toBe(0);
    expect(() => h.addAll([1, 0, -1, 5])).toThrow('LogHistogram: expected a finite value >= 0, got -1');
    expect([h.count, h.sum]).toEqual([7, 111]);
    expect(h.distanceToSorted([0, 0, 0, 1, 3, 7, 100])).toBe(0);
  });

  it('refuses negative and non-finite values', () => {
    const h = new LogHistogram();
    expect(() => h.add(-1)).toThrow(RangeError);
    expect(() => h.add(Number.NaN)).toThrow(RangeError);
    expect(() => h.add(Infinity)).toThrow(RangeError);
    expect(() => h.distanceToSorted([1])).toThrow(RangeError);
  });
});
