/**
 * Maps each trace function to the profiled proxy that behaves most like it (after vSwarm's
 * mapper): the point of a function is (log10 p75 memory MB, log10 p75 duration ms), and the
 * closest proxy by Euclidean distance wins. Log space, because a 10 ms function played by a
 * 20 ms proxy is as far off as a 1 s function played by a 2 s one.
 *
 * `unique` gives every trace function its own proxy, minimising the total distance exactly
 * (Hungarian algorithm, from the munkres package); with more trace functions than proxies no
 * one-to-one assignment exists and every function takes its nearest instead, which `method` and
 * a message say. `maxError` then swaps any proxy whose p75 duration is off by more than that
 * relative error for `synthetic`, which reproduces the trace's own figures.
 */
import { munkres } from 'munkres';
import { FaasbenchError } from '../core/errors.ts';
import { SYNTHETIC, type Mapping, type MappingEntry } from './mapping.ts';
import { p75, type Profile } from './profile.ts';
import type { TraceFunction } from './trace-function.ts';

/**
 * Figures below these count as these in the distance: log10(0) is -Infinity (the trace has
 * functions whose p75 is 0 ms), and below a millisecond or a megabyte the figures say nothing a
 * replay could tell apart, so 0.01 ms and 0.5 ms should not be two decades apart.
 */
export const FLOOR_MS = 1;
export const FLOOR_MB = 1;

export interface MapOptions {
  readonly unique: boolean;
  /**
   * Largest relative p75 duration error a proxy may have; beyond it the function is replayed by
   * `synthetic`. A trace function with p75 0 ms has no relative error: its proxy is replaced when
   * the proxy takes FLOOR_MS or more (synthetic can reproduce a sub-millisecond call, a proxy
   * cannot), kept when it is below FLOOR_MS too. Null: never replace.
   */
  readonly maxError: number | null;
}

export interface MapResult {
  readonly mapping: Mapping;
  /** What the CLI should tell a person (the fallback from unique to nearest). */
  readonly messages: readonly string[];
}

interface Point {
  readonly durationMs: number;
  readonly memoryMb: number;
}

/** Euclidean distance of (log10 memory, log10 duration), each floored at FLOOR_MB / FLOOR_MS. */
export function logDistance(a: Point, b: Point): number {
  const memory = Math.log10(Math.max(a.memoryMb, FLOOR_MB)) - Math.log10(Math.max(b.memoryMb, FLOOR_MB));
  const duration = Math.log10(Math.max(a.durationMs, FLOOR_MS)) - Math.log10(Math.max(b.durationMs, FLOOR_MS));
  return Math.hypot(memory, duration);
}

/** |proxy - trace| / trace; null when the trace figure is 0 (no relative error exists). */
export function relativeError(proxy: number, trace: number): number | null {
  return trace === 0 ? null : Math.abs(proxy - trace) / trace;
}

export function tracePoint(fn: TraceFunction): Point {
  return { durationMs: fn.duration.percentilesMs[75], memoryMb: fn.memory.percentilesMb[75] };
}

export function mapTrace(functions: readonly TraceFunction[], profile: Profile, options: MapOptions): MapResult {
  // Sorted, so ties between proxies go the same way whatever order the profile file lists them in.
  const proxies = Object.keys(profile)
    .sort()
    .map((id) => ({ id, point: { durationMs: p75(profile[id]!.duration), memoryMb: p75(profile[id]!.memory) } }));
  if (proxies.length === 0) throw new FaasbenchError('InvalidParameterValue', 'the profile has no proxies; write one with faasbench trace profile');
  const points = functions.map(tracePoint);
  const cost = points.map((point) => proxies.map((proxy) => logDistance(point, proxy.point)));
  const messages: string[] = [];
  let method = 'nearest';
  let chosen: number[];
  if (!options.unique) chosen = nearest(cost);
  else if (functions.length <= proxies.length) {
    method = 'unique';
    chosen = assignment(cost);
  } else {
    method = `nearest (unique needs at least as many proxies as trace functions: ${functions.length} > ${proxies.length})`;
    messages.push(`--unique: ${functions.length} trace functions but ${proxies.length} proxies, so no one-to-one mapping exists; each function was mapped to its nearest proxy instead`);
    chosen = nearest(cost);
  }
  const entries = functions.map((fn, i): MappingEntry => {
    const proxy = proxies[chosen[i]!]!;
    const trace = points[i]!;
    const entry = {
      key: fn.key,
      trigger: fn.trigger,
      traceDurationP75Ms: trace.durationMs,
      traceMemoryP75Mb: trace.memoryMb,
      proxy: proxy.id,
      proxyDurationP75Ms: proxy.point.durationMs,
      proxyMemoryP75Mb: proxy.point.memoryMb,
      durationError: relativeError(proxy.point.durationMs, trace.durationMs),
      memoryError: relativeError(proxy.point.memoryMb, trace.memoryMb),
      distance: cost[i]![chosen[i]!]!,
    };
    return options.maxError !== null && tooFar(entry, options.maxError) ? synthetic(entry) : entry;
  });
  return { mapping: { version: 1, method, maxError: options.maxError, entries }, messages };
}

/** Each row's cheapest column; the first one on a tie. */
function nearest(cost: readonly number[][]): number[] {
  return cost.map((row) => row.reduce((best, c, j) => (c < row[best]! ? j : best), 0));
}

/** The optimal one-to-one assignment of rows to columns (rows <= columns). */
function assignment(cost: number[][]): number[] {
  const chosen = new Array<number>(cost.length);
  for (const [row, column] of munkres(cost)) chosen[row] = column;
  return chosen;
}

function tooFar(entry: MappingEntry, maxError: number): boolean {
  if (entry.durationError !== null) return entry.durationError > maxError;
  return entry.proxyDurationP75Ms >= FLOOR_MS;
}

/** Synthetic runs the trace's own p75s: no error, no distance. */
function synthetic(entry: MappingEntry): MappingEntry {
  return {
    ...entry,
    proxy: SYNTHETIC,
    proxyDurationP75Ms: entry.traceDurationP75Ms,
    proxyMemoryP75Mb: entry.traceMemoryP75Mb,
    durationError: 0,
    memoryError: 0,
    distance: 0,
  };
}
