/**
 * Many draws of `prng.int(0, m - 1)` from `createPrng(seed, key)`, counted per index: what one
 * bootstrap resample is (bootstrap.ts), 10,000 draws each, 2,000 resamples per statistic, so the
 * draws are nearly all of an analysis' fixed cost.
 *
 * The numbers are createPrng's own: its stream is pure-rand's xoroshiro128+ seeded with
 * deriveSeed(seed, key) (seed | 0 without a key), and its int() is pure-rand's uniformInt,
 * rejection of the top of the 32-bit range and then the remainder. Reading that generator here,
 * with the rejection bound worked out once per range and the remainder taken without a floating
 * modulo, makes the draws about 1.6 times cheaper (six bootstraps' draws: 1.8-2.3 s through
 * prng.int, 1.2-1.4 s here). The first draws are checked against createPrng's;
 * should core ever change its generator, this falls back to it rather than change any result.
 */
import { createPrng, deriveSeed } from '../core/prng.ts';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Draws checked against createPrng before the fast path is trusted. */
const CHECKED_DRAWS = 16;
const TWO_32 = 4_294_967_296;
const TWO_31 = 2_147_483_648;

export interface IndexDraws {
  /** Adds `draws` further draws of the stream, each in 0..m-1, to `counts[index]`. */
  countInto(counts: Int32Array, draws: number): void;
}

/** Raw 32-bit outputs of createPrng(seed, key)'s generator, as signed integers. */
function generator(seed: number, key: string): { next(): number } {
  return xoroshiro128plus(key === '' ? seed | 0 : deriveSeed(seed, key));
}

/** pure-rand's uniformInt(rng, 0, m - 1), for 1 <= m <= 2^32. */
function fastDraws(seed: number, key: string, m: number): IndexDraws & { draw(): number } {
  const rng = generator(seed, key);
  // Outputs at or above the largest multiple of m that fits are redrawn, so every index is equally likely.
  const limit = m > 2 ? Math.trunc(TWO_32 / m) * m : TWO_32;
  const draw = (): number => {
    let v = rng.next() + TWO_31;
    while (v >= limit) v = rng.next() + TWO_31;
    // v % m, exactly: v and m are below 2^53 and the quotient's floor is never off by one there.
    return v - Math.floor(v / m) * m;
  };
  return {
    draw,
    countInto(counts, draws) {
      for (let k = 0; k < draws; k++) counts[draw()]! += 1;
    },
  };
}

export function indexDraws(seed: number, key: string, m: number): IndexDraws {
  if (!(Number.isInteger(m) && m >= 1 && m <= TWO_32)) throw new RangeError(`index range ${m}: expected a whole number from 1 to 2^32`);
  const reference = createPrng(seed, key);
  const probe = fastDraws(seed, key, m);
  let same = true;
  for (let k = 0; k < CHECKED_DRAWS && same; k++) same = probe.draw() === reference.int(0, m - 1);
  if (same) return fastDraws(seed, key, m);
  const prng = createPrng(seed, key);
  return {
    countInto(counts, draws) {
      for (let k = 0; k < draws; k++) counts[prng.int(0, m - 1)]! += 1;
    },
  };
}
