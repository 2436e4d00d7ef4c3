/**
 * When, inside one minute (or second), a function's invocations of that unit go out. Each mode
 * places exactly the trace's count: none is lost to a timestamp collision and none is added.
 *
 * - equidistant: k * unit / count (every function fires at :00 unless shifted).
 * - uniform: i.i.d. uniform offsets, sorted (given the count, a Poisson process's arrivals).
 * - exponential: Poisson-process gaps normalised to the unit: count + 1 exponential gaps whose
 *   partial sums, divided by the total, place the calls. The last gap runs to the unit's end, so
 *   nothing piles at the start of the unit, and the offsets are uniform order statistics.
 * - shift: a random rotation per function and unit (mod the unit), against :00 cold-start storms.
 *
 * Offsets are whole µs in [0, unitUs). The PRNG is the function's own stream, so the draws of one
 * function never depend on any other.
 */
import type { Prng } from '../core/prng.ts';
import { sortWholeNumbers } from './whole-number-sort.ts';

export const ARRIVAL_MODES = ['equidistant', 'uniform', 'exponential'] as const;
export type ArrivalMode = (typeof ARRIVAL_MODES)[number];

export interface ArrivalOptions {
  readonly mode: ArrivalMode;
  readonly shift: boolean;
}

/** `count` offsets of one unit, in µs, ascending, written into `out` (grown when too small). */
export function unitOffsets(count: number, unitUs: number, options: ArrivalOptions, prng: Prng, out: Float64Array): Float64Array {
  const offsets = out.length >= count ? out.subarray(0, count) : new Float64Array(count);
  if (count === 0) return offsets;
  // Drawn before the offsets, and only for units with calls, so a function's stream is consumed
  // the same way whatever the other functions do.
  const rotation = options.shift ? Math.floor(prng.next() * unitUs) : 0;
  if (options.mode === 'equidistant') equidistant(offsets, unitUs);
  else if (options.mode === 'uniform') uniform(offsets, unitUs, prng);
  else exponential(offsets, unitUs, prng);
  if (rotation !== 0) {
    for (let i = 0; i < count; i++) offsets[i] = (offsets[i]! + rotation) % unitUs;
    sortWholeNumbers(offsets);
  }
  return offsets;
}

function equidistant(offsets: Float64Array, unitUs: number): void {
  const gap = unitUs / offsets.length;
  for (let i = 0; i < offsets.length; i++) offsets[i] = Math.floor(i * gap);
}

function uniform(offsets: Float64Array, unitUs: number, prng: Prng): void {
  for (let i = 0; i < offsets.length; i++) offsets[i] = Math.floor(prng.next() * unitUs);
  sortWholeNumbers(offsets);
}

function exponential(offsets: Float64Array, unitUs: number, prng: Prng): void {
  let sum = 0;
  for (let i = 0; i < offsets.length; i++) {
    sum += prng.exponential(1);
    offsets[i] = sum;
  }
  const total = sum + prng.exponential(1);
  // min() guards the one case rounding could reach the unit's end: a total barely above sum.
  for (let i = 0; i < offsets.length; i++) offsets[i] = Math.min(unitUs - 1, Math.floor((offsets[i]! / total) * unitUs));
}
