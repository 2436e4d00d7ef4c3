import { describe, expect, it } from 'vitest';
import type { Prng } from '../core/prng.ts';
import { unitOffsets } from './arrivals.ts';

/** A PRNG that returns the given uniforms in turn. */
function scripted(values: number[]): Prng {
  let i = 0;
  const next = (): number => values[i++ % values.length]!;
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)), exponential: (mean) => -mean * Math.log(1 - next()) };
}

const MINUTE = 60_000_000;
const offsets = (count: number, mode: 'equidistant' | 'uniform' | 'exponential', shift: boolean, prng: Prng): number[] => [...unitOffsets(count, MINUTE, { mode, shift }, prng, new Float64Array(8))];

describe('unitOffsets', () => {
  it('equidistant spaces calls a unit / count apart from :00', () => {
    expect(offsets(4, 'equidistant', false, scripted([0.5]))).toEqual([0, 15_000_000, 30_000_000, 45_000_000]);
    expect(offsets(3, 'equidistant', false, scripted([0.5]))).toEqual([0, 20_000_000, 40_000_000]);
  });

  it('shift rotates by one draw per unit, modulo the unit, and keeps the order', () => {
    // Rotation 0.6 of a minute = 36 s: 0, 20, 40 s -> 36, 56, 16 s.
    expect(offsets(3, 'equidistant', true, scripted([0.6]))).toEqual([16_000_000, 36_000_000, 56_000_000]);
  });

  it('uniform takes one draw per call, in whole µs, sorted', () => {
    expect(offsets(3, 'uniform', false, scripted([0.75, 0.1, 0.5]))).toEqual([6_000_000, 30_000_000, 45_000_000]);
  });

  it('exponential normalises count + 1 gaps to the unit, so the last gap reaches the end', () => {
    // Gaps -ln(1-u): u = 1 - e^-1 gives gap 1 each; three calls and four gaps of 1 -> 1/4, 2/4, 3/4.
    const u = 1 - Math.exp(-1);
    expect(offsets(3, 'exponential', false, scripted([u]))).toEqual([15_000_000, 30_000_000, 45_000_000]);
  });

  it('places exactly count offsets inside the unit, for large counts too', () => {
    let seed = 7;
    const lcg: Prng = scripted(Array.from({ length: 9973 }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647)));
    for (const mode of ['equidistant', 'uniform', 'exponential'] as const) {
      const list = [...unitOffsets(5000, MINUTE, { mode, shift: true }, lcg, new Float64Array(16))];
      expect(list).toHaveLength(5000);
      expect(list.every((o, i) => Number.isInteger(o) && o >= 0 && o < MINUTE && (i === 0 || o >= list[i - 1]!))).toBe(true);
    }
  });

  it('draws nothing for an empty unit', () => {
    let draws = 0;
    const counting: Prng = { next: () => (draws++, 0.5), int: () => 0, exponential: () => 1 };
    expect(offsets(0, 'uniform', true, counting)).toEqual([]);
    expect(draws).toBe(0);
  });
});
