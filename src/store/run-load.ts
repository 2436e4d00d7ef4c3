/**
 * What a run ran, in a few words, from its stored params: `constant 20/s 5s`, `sequential 10`,
 * `trace 4 fns, minutes 0-1`, an experiment's parameters. Ten `hello / invoke` rows in the runs
 * list are told apart by it (`runs` and the dashboard). The params' shapes are the writers':
 * invoke stores `{ pattern, options }` (options as typed), trace replay `{ functions, minutes,
 * ... }`, experiments `{ experiment, values }`.
 */
import type { JsonValue, Run } from './store.ts';

/** An experiment's parameters are cut here, so a row stays one line. */
const MAX_EXPERIMENT_CHARS = 60;

type JsonObject = { readonly [key: string]: JsonValue };

function asObject(value: JsonValue | undefined): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/** The run's load in words, or null when its params say nothing this knows how to read. */
export function loadOf(run: Pick<Run, 'kind' | 'params'>): string | null {
  const params = asObject(run.params);
  if (params === null) return null;
  if (run.kind === 'experiment') return experimentLoad(asObject(params.values));
  if (run.kind === 'trace-replay') return traceLoad(params);
  if (typeof params.pattern === 'string') return patternLoad(params.pattern, asObject(params.options) ?? {}, text(params.shard));
  return null;
}

/** `constant 20/s 5s`, `ramp 10-50/s 1m poisson`, `sequential 10`, `rates minutes.csv`. */
export function patternLoad(pattern: string, options: JsonObject, shard: string | null = null): string {
  const words = [pattern];
  const count = text(options.count);
  if (count !== null) words.push(count);
  const rate = text(options.rate);
  const from = text(options.from);
  const to = text(options.to);
  if (rate !== null) words.push(`${rate}/s`);
  else if (from !== null || to !== null) words.push(`${from ?? '?'}-${to ?? '?'}/s`);
  const duration = text(options.duration);
  if (duration !== null) words.push(duration);
  const rates = text(options.rates);
  if (rates !== null) words.push(rates.split(/[\\/]/).at(-1) ?? rates);
  const arrivals = text(options.arrivals);
  if (arrivals !== null) words.push(arrivals);
  if (shard !== null) words.push(`shard ${shard}`);
  return words.join(' ');
}

function traceLoad(params: JsonObject): string {
  const functions = typeof params.functions === 'number' ? `trace ${params.functions} fns` : 'trace';
  const minutes = text(params.minutes);
  const window = minutes === null ? functions : `${functions}, minutes ${minutes}`;
  // A replay sped up is not the trace's own load: the list says so. Runs stored before --speed have none.
  return typeof params.speed === 'number' && params.speed !== 1 ? `${window}, ${params.speed}x speed` : window;
}

function experimentLoad(values: JsonObject | null): string | null {
  if (values === null) return null;
  const pairs = Object.entries(values)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  const joined = pairs.join(' ');
  return joined.length <= MAX_EXPERIMENT_CHARS ? joined : `${joined.slice(0, MAX_EXPERIMENT_CHARS - 1)}…`;
}
