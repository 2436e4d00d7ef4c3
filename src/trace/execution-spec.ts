/**
 * Per-invocation duration and memory for the `synthetic` proxy, drawn from a trace function's
 * percentiles, so a replay reproduces its spread and not only its typical call.
 *
 * - linear: the inverse CDF through the percentile points, linearly interpolated: continuous.
 * - bracket: invitro's way: pick the bracket between two percentile points with its probability,
 *   then a whole number uniformly between the bracket's ends (ms, MB).
 *
 * memory.csv has no 0th percentile: below the 1st, the 1st is used.
 */
import type { Prng } from '../core/prng.ts';
import { DURATION_PERCENTILES, MEMORY_PERCENTILES, type DurationStats, type MemoryStats } from './trace-function.ts';

export const SAMPLING_MODES = ['bracket', 'linear'] as const;
export type SamplingMode = (typeof SAMPLING_MODES)[number];

export interface ExecutionSpec {
  readonly durationMs: number;
  readonly memoryMb: number;
}

/** Percentile points (q in 0..100, value), q ascending. */
type Points = ReadonlyArray<readonly [number, number]>;

export function durationPoints(stats: DurationStats): Points {
  return DURATION_PERCENTILES.map((q) => [q, stats.percentilesMs[q]] as const);
}

export function memoryPoints(stats: MemoryStats): Points {
  const points = MEMORY_PERCENTILES.map((q) => [q, stats.percentilesMb[q]] as const);
  return [[0, stats.percentilesMb[1]], ...points];
}

export function drawFromPercentiles(points: Points, mode: SamplingMode, prng: Prng): number {
  return percentileDrawer(points, mode, prng)();
}

/**
 * drawFromPercentiles with the points laid out once in flat arrays: a plan draws twice per
 * synthetic call, and reading the tuples on every draw was a quarter of a plan's time. Same
 * draws, same arithmetic, so the same numbers.
 */
export function percentileDrawer(points: Points, mode: SamplingMode, prng: Prng): () => number {
  const qs = Float64Array.from(points, (p) => p[0]);
  const vs = Float64Array.from(points, (p) => p[1]);
  const last = points.length - 1;
  return () => {
    const q = prng.next() * 100;
    let i = 1;
    while (i < last && qs[i]! <= q) i++;
    const q0 = qs[i - 1]!;
    const v0 = vs[i - 1]!;
    const q1 = qs[i]!;
    const v1 = vs[i]!;
    if (mode === 'linear') return q1 === q0 ? v1 : v0 + ((q - q0) / (q1 - q0)) * (v1 - v0);
    return prng.int(Math.round(Math.min(v0, v1)), Math.round(Math.max(v0, v1)));
  };
}

export function drawExecutionSpec(duration: Points, memory: Points, mode: SamplingMode, prng: Prng): ExecutionSpec {
  return { durationMs: drawFromPercentiles(duration, mode, prng), memoryMb: drawFromPercentiles(memory, mode, prng) };
}
