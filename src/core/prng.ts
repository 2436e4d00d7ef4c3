/**
 * Seeded pseudo-random numbers (pure-rand's xoroshiro128+). Every consumer gets its own stream,
 * derived from the run's seed and a stable key (a function's hash, a pattern's name), so adding a
 * function to a plan never changes the numbers another function draws.
 */
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** Exponential with the given mean (inverse transform). */
  exponential(mean: number): number;
}

export function createPrng(seed: number, key = ''): Prng {
  const rng = xoroshiro128plus(key === '' ? seed | 0 : deriveSeed(seed, key));
  const next = (): number => uniformFloat64(rng);
  return {
    next,
    int: (min, max) => uniformInt(rng, min, max),
    exponential: (mean) => -mean * Math.log(1 - next()),
  };
}

/** A 32-bit seed for the stream named `key` under `seed`. */
export function deriveSeed(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}\0${key}`).digest().readInt32LE(0);
}
