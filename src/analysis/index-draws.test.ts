// indexDraws must give createPrng's own draws, one for one: the bootstrap's figures for a seed
// are defined by them (bootstrap.ts), and its brute-force tests draw through createPrng.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../core/prng.ts';
import { indexDraws } from './index-draws.ts';

/** The index each of `n` single draws landed on. */
function drawn(m: number, seed: number, key: string, n: number): number[] {
  const draws = indexDraws(seed, key, m);
  const counts = new Int32Array(m);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    draws.countInto(counts, 1);
    const at = counts.indexOf(1);
    counts[at] = 0;
    out.push(at);
  }
  return out;
}

describe('indexDraws', () => {
  it('draws what prng.int(0, m - 1) draws, in order, for ranges with and without rejection', () => {
    for (const [m, seed, key] of [
      [1, 1, 'k'],
      [2, 7, ''],
      [3, -5, 'latency:*'],
      [20, 7, 'k'],
      [10_000, 1, 'latency:api'],
      [100_003, 42, 'compare:*:b'],
    ] as const) {
      const prng = createPrng(seed, key);
      const expected = Array.from({ length: 300 }, () => prng.int(0, m - 1));
      expect(drawn(m, seed, key, 300), `m=${m} seed=${seed} key=${key}`).toEqual(expected);
    }
  });

  it('adds many draws to the counts at once', () => {
    const counts = new Int32Array(50);
    indexDraws(3, 'bulk', 50).countInto(counts, 10_000);
    const prng = createPrng(3, 'bulk');
    const expected = new Int32Array(50);
    for (let k = 0; k < 10_000; k++) expected[prng.int(0, 49)]! += 1;
    expect(Array.from(counts)).toEqual(Array.from(expected));
  });

  it('refuses an empty or fractional range', () => {
    expect(() => indexDraws(1, '', 0)).toThrow(RangeError);
    expect(() => indexDraws(1, '', 2.5)).toThrow(RangeError);
  });
});
