// The one percentile definition, checked against ranks counted by hand.
import { describe, expect, it } from 'vitest';
import { median, nearestRank, percentile, percentileOfSorted, roundMs } from './percentile.ts';

const ONE_TO_1000 = Array.from({ length: 1000 }, (_, i) => i + 1);

describe('nearest rank', () => {
  it('is the ceil(p/100 * n)-th smallest', () => {
    expect([50, 90, 99, 99.9, 100].map((p) => nearestRank(p, 1000))).toEqual([500, 900, 990, 999, 1000]);
    expect([50, 90, 99, 99.9].map((p) => nearestRank(p, 20))).toEqual([10, 18, 20, 20]);
    expect(nearestRank(50, 3)).toBe(2);
    expect(nearestRank(0.001, 5)).toBe(1);
  });

  it('does not skip a rank when p/100 * n lands an ulp above a whole number', () => {
    expect((99.9 / 100) * 1000).toBeGreaterThan(999);
    expect(nearestRank(99.9, 1000)).toBe(999);
    expect(nearestRank(99.9, 1_000_000)).toBe(999_000);
    expect(nearestRank(99.99, 10_000)).toBe(9_999);
    // ...nor takes a real millionth of a rank for one: p99.9999 of 9,999,999 is 9,999,989.000001.
    expect(nearestRank(99.9999, 9_999_999)).toBe(9_999_990);
  });

  it('refuses a percentile outside (0, 100] and an empty count', () => {
    expect(() => nearestRank(0, 7)).toThrow(/expected 0 < p <= 100/);
    expect(() => nearestRank(100.1, 7)).toThrow(RangeError);
    expect(() => nearestRank(50, 0)).toThrow(/expected a whole number >= 1/);
  });
});

describe('percentile', () => {
  it('of 1..1,000: p50 500, p99 990, p99.9 999, p100 1,000', () => {
    const shuffled = [...ONE_TO_1000].reverse();
    expect([50, 99, 99.9, 100].map((p) => percentile(shuffled, p))).toEqual([500, 990, 999, 1000]);
    expect(percentileOfSorted(ONE_TO_1000, 99.9)).toBe(999);
  });

  it('gives null for no values and the value itself for one', () => {
    expect(percentile([], 50)).toBeNull();
    expect(median([])).toBeNull();
    expect(() => percentileOfSorted([], 50)).toThrow(RangeError);
    expect([50, 90, 99, 99.9, 100].map((p) => percentile([42.5], p))).toEqual([42.5, 42.5, 42.5, 42.5, 42.5]);
  });

  it('has a median that is a measured value: the lower middle of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('leaves the input unsorted', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('rounds for tables, null stays null', () => {
    expect(roundMs(1.25)).toBe(1.3);
    expect(roundMs(1.23456, 2)).toBe(1.23);
    expect(roundMs(null)).toBeNull();
  });
});
