/**
 * load-spikes: growing load spikes on a low base (after faas-benchmarker's growing-load-spikes).
 * A steady base rate keeps a few instances warm; every `gapS` seconds a spike of simultaneous
 * calls arrives, each spike `spikeStep` calls taller than the last. The question is how many cold
 * starts each spike costs and what they do to its latency: with every earlier instance still
 * alive and idle, a spike of h calls should need exactly h minus the instances already there.
 *
 * One open-loop plan carries the whole run, so base calls keep their schedule while spikes are
 * served. Spikes fall half a base interval away from the nearest base calls, so a spike meets idle
 * instances; a base call that arrives while a spike still holds every instance starts one more,
 * and is counted in that spike's window, since the spike caused it.
 */
import { z } from 'zod';
import type { InvocationRecord } from '../../core/invocation-record.ts';
import { planOf, type LoadPlan, type PlannedInvocation } from '../../core/load-plan.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { tallyCalls } from '../../analysis/call-tally.ts';
import { roundMs } from '../../analysis/percentile.ts';
import { callInstance, instanceSource, instanceSourceNote, reportedIdentity, type InstanceSource, type ReportedIdentity } from '../reported-identity.ts';
import { identifiedSleepingEvent, SLEEPING_FUNCTIONS } from '../sleeping-event.ts';

const params = z.object({
  /** A function that knows how to sleep (see sleeping-event.ts). */
  fn: z.string().refine((fn) => SLEEPING_FUNCTIONS.includes(fn), { message: `expected one of ${SLEEPING_FUNCTIONS.join(', ')}` }).default('measure-node'),
  /** Calls per second between spikes. */
  baseRate: z.number().positive().max(1000).default(2),
  /** Seconds of base load before the first spike, between spikes and after the last. */
  gapS: z.number().positive().max(3600).default(4),
  spikes: z.number().int().min(1).max(100).default(4),
  /** Calls in the first spike. */
  firstSpike: z.number().int().min(1).max(1000).default(4),
  /** How many calls each spike adds to the one before. */
  spikeStep: z.number().int().min(0).max(1000).default(4),
  /** How long each call holds its instance, so a spike's calls overlap. */
  workMs: z.number().int().min(0).max(60_000).default(100),
});

type Params = z.output<typeof params>;

export interface SpikeSchedule {
  readonly heights: readonly number[];
  /** µs from the plan's start. */
  readonly spikeAtUs: readonly number[];
  readonly durationUs: number;
  readonly baseCalls: number;
}

export function spikeSchedule(p: Pick<Params, 'baseRate' | 'gapS' | 'spikes' | 'firstSpike' | 'spikeStep'>): SpikeSchedule {
  const heights = Array.from({ length: p.spikes }, (_, i) => p.firstSpike + i * p.spikeStep);
  const spikeAtUs = heights.map((_, i) => Math.round((i + 1) * p.gapS * 1e6));
  const durationUs = Math.round((p.spikes + 1) * p.gapS * 1e6);
  return { heights, spikeAtUs, durationUs, baseCalls: baseOffsets(p.baseRate, durationUs).length };
}

/** Base calls at (k + 1/2) / rate: mid-interval, so spikes on whole gaps fall between them when gapS * rate is whole. */
function baseOffsets(rate: number, durationUs: number): number[] {
  const offsets: number[] = [];
  for (let k = 0; ; k++) {
    const at = Math.round(((k + 0.5) / rate) * 1e6);
    if (at >= durationUs) return offsets;
    offsets.push(at);
  }
}

/** Tags say which window a call belongs to: `base-i` for base calls after spike i (0: before the first), `spike-i` for spike i's own. */
export function spikePlan(fn: string, event: unknown, baseRate: number, schedule: SpikeSchedule): LoadPlan {
  const windowOf = (offsetUs: number): number => schedule.spikeAtUs.filter((at) => at <= offsetUs).length;
  const calls: Array<{ offsetUs: number; tag: string }> = baseOffsets(baseRate, schedule.durationUs).map((offsetUs) => ({ offsetUs, tag: `base-${windowOf(offsetUs)}` }));
  schedule.heights.forEach((height, i) => {
    for (let k = 0; k < height; k++) calls.push({ offsetUs: schedule.spikeAtUs[i]!, tag: `spike-${i + 1}` });
  });
  // Stable: at one offset, base calls keep their place before the spike's.
  calls.sort((a, b) => a.offsetUs - b.offsetUs);
  return planOf({ functions: [fn], count: calls.length, durationUs: calls.at(-1)?.offsetUs ?? 0 }, function* (): Generator<PlannedInvocation> {
    for (const [seq, call] of calls.entries()) yield { seq, offsetUs: call.offsetUs, fn, payload: { event }, phase: 'measure', tag: call.tag };
  });
}

export interface WindowRow {
  /** 0: the base load before the first spike. */
  readonly window: number;
  readonly height: number;
  /** Calls recorded in the window, spike and base. */
  readonly calls: number;
  readonly cold: number;
  /** Instances that had served a call before the window began. */
  readonly instancesBefore: number;
  /** Cold starts the spike needs if every earlier instance is alive and idle. */
  readonly needed: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxInitMs: number | null;
  readonly errors: number;
  /** Where the instance ids and cold flags came from: the platform's records or the function's answers. */
  readonly instanceSource: InstanceSource;
}

/**
 * Per window from the run's records; latency percentiles are the spike's own calls (the base's for
 * window 0). Instances and cold starts by the platform's ids and flags, or where a record has none
 * by what the function reported (`reported`, by the record's seq).
 */
export function windowRows(records: readonly InvocationRecord[], heights: readonly number[], baseConcurrency: number, reported: ReadonlyMap<number, ReportedIdentity | null> = new Map()): WindowRow[] {
  const seen = new Set<string>();
  const rows: WindowRow[] = [];
  for (let w = 0; w <= heights.length; w++) {
    // Measured calls only, as analyze counts them (the plan has no warm-up phase; a caller's records might).
    const inWindow = records.filter((r) => r.phase === 'measure' && (r.tag === `base-${w}` || r.tag === `spike-${w}`));
    const instances = inWindow.map((r) => ({ record: r, instance: callInstance(r, reported.get(r.seq) ?? null) }));
    // A spike always plans calls: none recorded means the run stopped (Ctrl-C) before it.
    if (w > 0 && inWindow.length === 0) break;
    const focus = w === 0 ? inWindow : inWindow.filter((r) => r.tag === `spike-${w}`);
    const latency = tallyCalls(focus).latencyMs();
    const counts = tallyCalls(inWindow).counts();
    const inits = inWindow.flatMap((r) => (r.initMs === null ? [] : [r.initMs]));
    const height = w === 0 ? 0 : heights[w - 1]!;
    const instancesBefore = seen.size;
    rows.push({
      window: w,
      height,
      calls: counts.calls,
      cold: instances.filter((c) => c.instance.cold === true).length,
      instancesBefore,
      needed: w === 0 ? Math.min(inWindow.length, baseConcurrency) : Math.max(0, height - instancesBefore),
      p50Ms: roundMs(latency?.p50 ?? null),
      p99Ms: roundMs(latency?.p99 ?? null),
      maxInitMs: roundMs(inits.length === 0 ? null : Math.max(...inits)),
      errors: counts.failed,
      instanceSource: instanceSource(instances.map((c) => c.instance)),
    });
    for (const { record, instance } of instances) if (record.status === 'ok' && instance.id !== null) seen.add(instance.id);
  }
  return rows;
}

export default defineExperiment({
  name: 'load-spikes',
  description: 'Growing spikes of simultaneous calls on a low base rate: cold starts per spike against the new instances it needs, spike latency p50/p99, errors.',
  params,
  async run(bench, p) {
    const name = await bench.deploy(p.fn, { as: `${p.fn}-spikes`, keepAliveS: Math.max(300, Math.ceil((p.spikes + 2) * p.gapS)) });
    const schedule = spikeSchedule(p);
    const plan = spikePlan(name, identifiedSleepingEvent(p.fn, p.workMs), p.baseRate, schedule);
    bench.log(`${plan.count} calls over ${schedule.durationUs / 1e6} s: base ${p.baseRate}/s, spikes of ${schedule.heights.join(', ')}`);
    const reported = new Map<number, ReportedIdentity | null>();
    const load = await bench.runLoad(plan, { onAnswer: (seq, response) => reported.set(seq, reportedIdentity(response)), progressLabel: 'calls answered' });
    const records: InvocationRecord[] = [];
    for await (const record of bench.records()) if (record.fn === name) records.push(record);
    // Little's law: the instances the base keeps busy, at least one.
    const rows = windowRows(records, schedule.heights, Math.max(1, Math.ceil((p.baseRate * p.workMs) / 1000)), reported);
    for (const row of rows) await bench.record('window', { ...row });
    return resultOf(rows, plan.count ?? 0, records.length, load.status, p, bench.providerName);
  },
});

export function resultOf(rows: readonly WindowRow[], planned: number, recorded: number, status: string, p: Params, providerName: string): ExperimentResult {
  const source = instanceSource(rows.map((r) => ({ source: r.instanceSource })));
  const spikes = rows.filter((r) => r.window > 0);
  const extra = spikes.reduce((sum, r) => sum + Math.max(0, r.cold - r.needed), 0);
  const matched = spikes.filter((r) => r.cold === r.needed).length;
  const unreached = rows.length - 1 < p.spikes ? ` (${p.spikes - rows.length + 1} more not reached)` : '';
  const notes = [
    `${recorded} of ${planned} planned calls recorded${status === 'interrupted' ? ' (interrupted)' : ''}; base ${p.baseRate}/s, a spike every ${p.gapS} s, each call holding its instance ${p.workMs} ms`,
    `${matched} of ${spikes.length} spikes${unreached} cold-started exactly the instances they needed (height minus instances already there)${extra > 0 ? `; ${extra} more cold starts than needed (base calls that found every instance busy with a spike, or instances gone)` : ''}`,
    instanceSourceNote(source, providerName),
  ];
  return {
    columns: ['window', 'height', 'calls', 'cold', 'needed', 'instances before', 'p50 ms', 'p99 ms', 'max init ms', 'errors'],
    rows: rows.map((r) => [windowName(r.window), r.height, r.calls, r.cold, r.needed, r.instancesBefore, r.p50Ms, r.p99Ms, r.maxInitMs, r.errors]),
    notes,
    summary: { planned, recorded, instanceSource: source, windows: rows.map((r) => ({ ...r })) },
    tables: [
      {
        name: 'cold starts',
        title: 'cold starts per window against the new instances it needed',
        columns: ['height', 'window', 'count', 'of'],
        rows: rows.flatMap((r) => [
          [r.height, windowName(r.window), r.cold, 'cold starts'],
          [r.height, windowName(r.window), r.needed, 'needed'],
        ]),
      },
    ],
    charts: [
      { title: 'cold starts per spike against the instances it needed', table: 'cold starts', mark: 'bar', x: { column: 'height', title: 'spike height (0: base load)', type: 'ordinal' }, y: { column: 'count' }, series: 'of' },
      { title: 'spike latency', mark: 'line', x: { column: 'height', title: 'spike height (0: base load)' }, y: { column: 'p99 ms' } },
    ],
  };
}

const windowName = (window: number): string => (window === 0 ? 'base' : `spike ${window}`);
