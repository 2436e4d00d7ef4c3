/**
 * What the trace pipeline knows of one production function (Azure Functions 2019 format): its
 * identity, its invocation counts per unit of the selected window, and its duration and memory
 * percentiles. Every stage (sample, map, schedule, export, plot) works on these.
 */

/** The join key of the three trace files. */
export interface FunctionKey {
  readonly owner: string;
  readonly app: string;
  readonly fn: string;
}

/** The key as one string: stable, used for maps and to derive each function's PRNG stream. */
export function keyString(key: FunctionKey): string {
  return `${key.owner},${key.app},${key.fn}`;
}

export type TraceUnit = 'minute' | 'second';

export const UNIT_US: Readonly<Record<TraceUnit, number>> = { minute: 60_000_000, second: 1_000_000 };

/** durations.csv's percentile columns, `percentile_Average_<p>`, in ms. */
export const DURATION_PERCENTILES = [0, 1, 25, 50, 75, 99, 100] as const;
export type DurationPercentile = (typeof DURATION_PERCENTILES)[number];

/** memory.csv's percentile columns, `AverageAllocatedMb_pct<p>`, in MB (no 0th in the trace). */
export const MEMORY_PERCENTILES = [1, 5, 25, 50, 75, 95, 99, 100] as const;
export type MemoryPercentile = (typeof MEMORY_PERCENTILES)[number];

export interface DurationStats {
  readonly averageMs: number;
  readonly count: number;
  readonly minimumMs: number;
  readonly maximumMs: number;
  readonly percentilesMs: Readonly<Record<DurationPercentile, number>>;
}

export interface MemoryStats {
  readonly sampleCount: number;
  readonly averageMb: number;
  readonly percentilesMb: Readonly<Record<MemoryPercentile, number>>;
  /**
   * Set when memory.csv is per app (raw Azure): the app's figures were divided evenly among this
   * many functions of the app. Absent for a per-function memory.csv.
   */
  readonly splitAmong?: number;
}

export interface TraceFunction {
  readonly key: FunctionKey;
  readonly trigger: string;
  /** Invocations per unit of the window, in column order; counts[i] belongs to labels[i]. */
  readonly counts: Uint32Array;
  readonly duration: DurationStats;
  readonly memory: MemoryStats;
  /** 1-based line of the function's row in invocations.csv, for messages. */
  readonly line: number;
}

export interface TraceWindow {
  readonly unit: TraceUnit;
  /** The original column labels of the selected window (e.g. "480".."959"), kept as written. */
  readonly labels: readonly string[];
}

/** A whole trace held in memory: fine for samples (hundreds of functions), not for a raw Azure day. */
export interface Trace extends TraceWindow {
  readonly dir: string;
  readonly functions: readonly TraceFunction[];
  /** Things a user should know about how the files were read (per-app memory split, extra rows...). */
  readonly notes: readonly string[];
}

export function totalInvocations(fn: TraceFunction): number {
  let sum = 0;
  for (const count of fn.counts) sum += count;
  return sum;
}
