/**
 * An experiment's calls split by step. Experiments tag their calls with the step that made them
 * (`mem-512`, `burst-4`, `measure-node/128/2/0`); pooled by function, a memory sweep's latency CDF
 * mixes every size into one curve that answers nothing. Here each function's calls are kept per
 * tag, and when a function has several tags its charts draw one series per tag, in the order the
 * experiment ran them.
 *
 * Past MAX_SERIES tags, tags are pooled by dropping their last `/` part (the call index, then the
 * repetition of cold-start's `runtime/memory/repetition/call`) until at most MAX_SERIES remain:
 * more lines than colours is a legend no one can read back.
 */
import type { CdfPoint, SeriesLegend, StepRow } from './run-charts.ts';
import { cdfPoints } from './run-charts.ts';

export const MAX_SERIES = 10;

interface Step {
  readonly fn: string;
  readonly tag: string | null;
  /** Ok measured latencies, ms. */
  readonly latencies: number[];
  readonly instances: Set<string>;
  calls: number;
  cold: number;
}

/** What a step tracker keeps of a record. */
export interface StepRecord {
  readonly fn: string;
  readonly tag: string | null;
  readonly phase: string;
  readonly status: string;
  readonly latencyMs: number | null;
  readonly instanceId: string | null;
  readonly cold: boolean | null;
}

export interface RunSeries {
  readonly legend: SeriesLegend;
  /** The series a call of (fn, tag) belongs to. */
  labelOf(fn: string, tag: string | null): string;
  readonly cdf: { readonly points: readonly CdfPoint[]; readonly calls: Readonly<Record<string, number>> };
  readonly steps: readonly StepRow[];
}

const UNTAGGED = '(no tag)';

/** Drops `level` trailing `/` parts of a tag, keeping at least the first. */
export function coarsenTag(tag: string, level: number): string {
  const parts = tag.split('/');
  return parts.slice(0, Math.max(1, parts.length - level)).join('/');
}

/** Steps of a run in the order their first call was seen (the store hands records in seq order). */
export class StepTracker {
  readonly #steps = new Map<string, Step>();

  add(r: StepRecord): void {
    if (r.phase !== 'measure') return;
    const key = `${r.fn}\u0000${r.tag ?? ''}`;
    let step = this.#steps.get(key);
    if (!step) this.#steps.set(key, (step = { fn: r.fn, tag: r.tag, latencies: [], instances: new Set(), calls: 0, cold: 0 }));
    step.calls += 1;
    if (r.cold === true) step.cold += 1;
    if (r.instanceId !== null) step.instances.add(r.instanceId);
    if (r.status === 'ok' && r.latencyMs !== null) step.latencies.push(r.latencyMs);
  }

  /** The series, or null when no function's calls carry more than one tag (then functions are the series). */
  result(): RunSeries | null {
    const steps = [...this.#steps.values()];
    const tagsOf = new Map<string, Set<string | null>>();
    for (const s of steps) tagsOf.set(s.fn, (tagsOf.get(s.fn) ?? new Set()).add(s.tag));
    if (![...tagsOf.values()].some((tags) => tags.size > 1)) return null;
    const manyFns = tagsOf.size > 1;
    const label = (s: Pick<Step, 'fn' | 'tag'>, level: number): string => {
      if (tagsOf.get(s.fn)!.size === 1) return s.fn;
      const tag = s.tag === null ? UNTAGGED : coarsenTag(s.tag, level);
      return manyFns ? `${s.fn} ${tag}` : tag;
    };
    const deepest = Math.max(...steps.map((s) => (s.tag ?? '').split('/').length - 1));
    let level = 0;
    while (level < deepest && new Set(steps.map((s) => label(s, level))).size > MAX_SERIES) level += 1;
    const labels = new Map<string, string>();
    const groups = new Map<string, Step[]>();
    for (const s of steps) {
      const name = label(s, level);
      labels.set(`${s.fn}\u0000${s.tag ?? ''}`, name);
      groups.set(name, [...(groups.get(name) ?? []), s]);
    }
    const order = [...groups.keys()];
    const points: CdfPoint[] = [];
    const calls: Record<string, number> = {};
    const rows: StepRow[] = [];
    for (const [name, group] of groups) {
      const sorted = Float64Array.from(group.flatMap((s) => s.latencies)).sort();
      calls[name] = sorted.length;
      points.push(...cdfPoints(name, sorted));
      const instances = new Set(group.flatMap((s) => [...s.instances]));
      rows.push({ step: name, calls: group.reduce((n, s) => n + s.calls, 0), instances: instances.size > 0 ? instances.size : null, cold: group.reduce((n, s) => n + s.cold, 0) });
    }
    return {
      legend: { title: manyFns ? 'function and step (call tag)' : 'step (call tag)', order },
      labelOf: (fn, tag) => labels.get(`${fn}\u0000${tag ?? ''}`) ?? fn,
      cdf: { points, calls },
      steps: rows,
    };
  }
}
