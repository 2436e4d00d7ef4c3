import { describe, expect, it } from 'vitest';
import { sortWholeNumbers } from './whole-number-sort.ts';

/** A seeded LCG: the same arrays on every run. */
function wholeNumbers(length: number, below: number, seed: number): Float64Array {
  let state = seed;
  return Float64Array.from({ length }, () => {
    state = (state * 48271) % 2147483647;
    return Math.floor((state / 2147483647) * below);
  });
}

const native = (values: Float64Array): number[] => [...Float64Array.from(values).sort()];

describe('sortWholeNumbers', () => {
  it('orders as the native sort does, for every digit count the radix path takes', () => {
    // One, two and three 11-bit digits; lengths below and above the radix threshold.
    for (const below of [2000, 60_000_000, 0xffff_ffff]) {
      for (const length of [0, 1, 300, 5000, 70_000]) {
        const values = wholeNumbers(length, below, length + 11);
        const expected = native(values);
        expect([...sortWholeNumbers(values)]).toEqual(expected);
      }
    }
  });

  it('keeps duplicates, which a unit with two calls in the same µs has', () => {
    // 2i mod 13: each of 0..12 once per 13 calls, 307 full rounds, then 0, 2, 4, ..., 12, 1, 3.
    const values = Float64Array.from({ length: 4000 }, (_, i) => (i * 7919) % 13);
    const sorted = [...sortWholeNumbers(values)];
    expect(sorted).toHaveLength(4000);
    expect(sorted.filter((v) => v === 12)).toHaveLength(308);
    expect(sorted).toEqual(native(values));
  });

  it('falls back to the native sort for fractions, values past 2^32 and -0', () => {
    const fractions = wholeNumbers(3000, 1000, 5).map((v) => v + 0.5);
    expect([...sortWholeNumbers(Float64Array.from(fractions))]).toEqual(native(fractions));
    const large = wholeNumbers(3000, 1000, 6).map((v) => v * 2 ** 30);
    expect([...sortWholeNumbers(Float64Array.from(large))]).toEqual(native(large));
    const withNegativeZero = wholeNumbers(3000, 1000, 7);
    withNegativeZero[1234] = -0;
    const sorted = sortWholeNumbers(Float64Array.from(withNegativeZero));
    expect(Object.is(sorted[0], -0)).toBe(true);
  });

  it('sorts in place and returns the same array', () => {
    const values = wholeNumbers(2000, 1 << 20, 3);
    expect(sortWholeNumbers(values)).toBe(values);
  });
});
