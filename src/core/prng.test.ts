import { describe, expect, it } from 'vitest';
import { createPrng, deriveSeed } from './prng.ts';

const draw = (seed: number, key: string, n: number): number[] => {
  const prng = createPrng(seed, key);
  return Array.from({ length: n }, () => prng.next());
};

describe('createPrng', () => {
  it('repeats a stream for the same seed and key, and differs by key', () => {
    expect(draw(42, 'fn-a', 5)).toEqual(draw(42, 'fn-a', 5));
    expect(draw(42, 'fn-a', 5)).not.toEqual(draw(42, 'fn-b', 5));
    expect(draw(42, 'fn-a', 5)).not.toEqual(draw(43, 'fn-a', 5));
  });

  it('draws uniformly in [0, 1) and integers within bounds', () => {
    const prng = createPrng(7);
    const xs = Array.from({ length: 20000 }, () => prng.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const ints = new Set(Array.from({ length: 1000 }, () => prng.int(3, 5)));
    expect([...ints].sort()).toEqual([3, 4, 5]);
  });

  it('gives exponential draws with the requested mean', () => {
    const prng = createPrng(11);
    const xs = Array.from({ length: 50000 }, () => prng.exponential(2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 2)).toBeLessThan(0.05);
  });

  it('derives distinct 32-bit seeds per key', () => {
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(Number.isInteger(deriveSeed(1, 'a'))).toBe(true);
  });
});
