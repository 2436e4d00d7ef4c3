/**
 * Timing shared by the benches, and their samples summarised by faasbench's own statistics core
 * (analysis/latency-accumulator.ts: nearest rank of exact values), so a bench's p50 is defined as
 * every figure the tool prints.
 */
import { summarizeValues } from '../src/analysis/latency-accumulator.ts';

/** Microseconds since `start` (a process.hrtime.bigint() value), with sub-microsecond precision. */
export function elapsedUs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Samples in whatever unit they were taken in; NaN figures for none (tables print them as —). */
export function summarize(samples: readonly number[]): Summary {
  const s = summarizeValues(samples);
  if (!s) return { n: 0, min: Number.NaN, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  return { n: s.count, min: s.min, p50: s.p50, p90: s.p90, p99: s.p99, max: s.max, mean: s.mean };
}
