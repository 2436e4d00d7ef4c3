/**
 * The PRNG stream of one trace function, from the run's seed and the function's key. It fills
 * all 128 bits of xoroshiro128+'s state from SHA-256 of (seed, key): with core's 32-bit derived
 * seeds, two functions of a 46,000-function day shared a stream about one seed in five (a
 * colliding pair is expected after about 77,000 keys, often sooner), and got identical arrivals.
 */
import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { Prng } from '../core/prng.ts';

export function functionStream(seed: number, key: string): Prng {
  const rng = xoroshiro128plusFromState(streamState(seed, key));
  const next = (): number => uniformFloat64(rng);
  return {
    next,
    int: (min, max) => (max - min < 0xffff_ffff ? smallInt(rng, min, max) : uniformInt(rng, min, max)),
    exponential: (mean) => -mean * Math.log(1 - next()),
  };
}

/**
 * pure-rand's uniformInt for ranges of at most 2^32 - 1 values, step for step (same draws, same
 * rejections, same result), here so that it inlines: a synthetic plan draws it twice a call, and
 * the library's call was a fifth of the plan's time.
 */
function smallInt(rng: { next(): number }, min: number, max: number): number {
  const size = max - min + 1;
  const maxAllowed = size > 2 ? ~~(4294967296 / size) * size : 4294967296;
  let delta = rng.next() + 2147483648;
  while (delta >= maxAllowed) delta = rng.next() + 2147483648;
  return (delta % size) + min;
}

/** Four 32-bit words of SHA-256 of (seed, key); an all-zero state would repeat zeros, so it is nudged. */
export function streamState(seed: number, key: string): [number, number, number, number] {
  const digest = createHash('sha256').update(`${seed}\0${key}`).digest();
  const state: [number, number, number, number] = [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
  if (state.every((word) => word === 0)) state[0] = 1;
  return state;
}
