/**
 * concurrency-scaling: the platform's scaling curve. Bursts of 1, 2, 4 ... N calls sent at one
 * instant, each call sleeping long enough that no two can share an instance, against a freshly
 * deployed function each time so every burst starts from zero instances. Per burst: instances
 * that served it, the cold fraction, latency, and what the platform refused (throttles at
 * `maxInstances` or the account limit).
 */
import { z } from 'zod';
import type { InvocationRecord } from '../../core/invocation-record.ts';
import type { Bench } from '../bench.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { tallyCalls } from '../../analysis/call-tally.ts';
import { roundMs } from '../../analysis/percentile.ts';
import { callInstance, instanceSource, instanceSourceNote, reportedIdentity, type InstanceSource } from '../reported-identity.ts';
import { identifiedSleepingEvent, SLEEPING_FUNCTIONS } from '../sleeping-event.ts';

const params = z.object({
  /** A function that knows how to sleep (see sleeping-event.ts). */
  fn: z.string().refine((fn) => SLEEPING_FUNCTIONS.includes(fn), { message: `expected one of ${SLEEPING_FUNCTIONS.join(', ')}` }).default('measure-node'),
  /** The largest burst; bursts double from 1 up to it (and include it when it is no power of two). */
  maxBurst: z.number().int().min(1).max(1000).default(16),
  /** How long each call holds its instance: longer than it takes to send the whole burst. */
  sleepMs: z.number().int().min(50).max(60_000).default(500),
  /** Caps the function's instances (the platform throttles beyond it); null leaves the platform's default. */
  maxInstances: z.number().int().min(1).nullable().default(null),
  memoryMb: z.number().int().min(128).max(10_240).nullable().default(null),
});

type Params = z.output<typeof params>;

export interface BurstRow {
  readonly burst: number;
  readonly ok: number;
  readonly throttled: number;
  /** Failures other than throttles (function errors, transport). */
  readonly errors: number;
  /** Distinct instance ids among the calls that succeeded. */
  readonly instances: number;
  /** Where those ids came from: the platform's records, or the function's own answers. */
  readonly instanceSource: InstanceSource;
  readonly coldFraction: number | null;
  readonly p50Ms: number | null;
  readonly maxMs: number | null;
  readonly maxInitMs: number | null;
}

export default defineExperiment({
  name: 'concurrency-scaling',
  description: 'Bursts of 1, 2, 4 ... N simultaneous calls on a fresh function: instances started, cold fraction, latency and throttles per burst (the scaling curve).',
  params,
  async run(bench, p) {
    const event = identifiedSleepingEvent(p.fn, p.sleepMs);
    const bursts = burstSizes(p.maxBurst);
    const rows: BurstRow[] = [];
    for (const [i, burst] of bursts.entries()) {
      if (bench.signal.aborted) break;
      const row = await runBurst(bench, p, burst, event);
      rows.push(row);
      await bench.record('burst', { ...row });
      bench.progress(i + 1, bursts.length, `burst of ${burst}`);
    }
    return resultOf(rows, p, bench.providerName);
  },
});

export function burstSizes(maxBurst: number): number[] {
  const sizes: number[] = [];
  for (let n = 1; n < maxBurst; n *= 2) sizes.push(n);
  sizes.push(maxBurst);
  return sizes;
}

/** Deploying again under the same name retires every instance, so the burst meets an empty pool. */
async function runBurst(bench: Bench, p: Params, burst: number, event: unknown): Promise<BurstRow> {
  const name = await bench.deploy(p.fn, {
    as: `${p.fn}-scaling`,
    ...(p.maxInstances === null ? {} : { maxInstances: p.maxInstances }),
    ...(p.memoryMb === null ? {} : { memoryMb: p.memoryMb }),
  });
  const outcomes = await bench.invokeConcurrently(burst, name, { event }, { tag: `burst-${burst}` });
  return summarise(
    burst,
    outcomes.map((o) => o.record),
    outcomes.map((o) => o.response),
  );
}

/**
 * Counts and latency from one tally, as analyze takes them: warm-up calls out, failed calls
 * counted, not timed. Instances and cold starts by the platform's ids, or where the records have
 * none by the ids the function answered with (`responses`, in the order of `records`).
 */
export function summarise(burst: number, records: readonly InvocationRecord[], responses: readonly unknown[] = []): BurstRow {
  const tally = tallyCalls(records);
  const counts = tally.counts();
  const latency = tally.latencyMs();
  const ok = records.flatMap((r, i) => (r.phase === 'measure' && r.status === 'ok' ? [{ record: r, instance: callInstance(r, reportedIdentity(responses[i])) }] : []));
  const instances = ok.map((c) => c.instance);
  const inits = ok.flatMap(({ record: r }) => (r.initMs === null ? [] : [r.initMs]));
  const throttled = counts.byStatus.throttled ?? 0;
  return {
    burst,
    ok: counts.ok,
    throttled,
    errors: counts.failed - throttled,
    instances: new Set(instances.flatMap((c) => (c.id === null ? [] : [c.id]))).size,
    instanceSource: instanceSource(instances),
    coldFraction: ok.length === 0 ? null : instances.filter((c) => c.cold === true).length / ok.length,
    p50Ms: roundMs(latency?.p50 ?? null),
    maxMs: roundMs(latency?.max ?? null),
    maxInitMs: roundMs(inits.length === 0 ? null : Math.max(...inits)),
  };
}

export function resultOf(rows: readonly BurstRow[], p: Params, providerName: string): ExperimentResult {
  const cap = p.maxInstances ?? Infinity;
  const linear = rows.every((r) => r.instances === Math.min(r.burst, cap));
  const peak = rows.reduce((best, r) => Math.max(best, r.instances), 0);
  const largest = rows.at(-1);
  const source = instanceSource(rows.map((r) => ({ source: r.instanceSource })));
  const notes = [
    linear
      ? `one instance per concurrent call up to ${Math.min(largest?.burst ?? 0, cap)}${p.maxInstances === null ? '' : `; beyond maxInstances=${p.maxInstances} the platform throttled the rest`}`
      : source === 'none'
        ? `instances unknown: neither ${providerName} nor ${p.fn} named the instance of a call`
        : `scaling fell short: at most ${peak} instances (see the instances column against the burst)`,
    ...(largest ? [`burst of ${largest.burst}: ${largest.instances} instances, ${largest.throttled} throttled, slowest call ${largest.maxMs ?? '-'} ms (each call held its instance ${p.sleepMs} ms)`] : []),
    instanceSourceNote(source, providerName),
  ];
  return {
    columns: ['burst', 'ok', 'instances', 'cold fraction', 'p50 ms', 'max ms', 'max init ms', 'throttled', 'other errors'],
    rows: rows.map((r) => [r.burst, r.ok, r.instances, r.coldFraction === null ? null : roundMs(r.coldFraction, 3), r.p50Ms, r.maxMs, r.maxInitMs, r.throttled, r.errors]),
    notes,
    summary: { linear, peakInstances: peak, instanceSource: source, bursts: rows.map((r) => ({ ...r })) },
    charts: [
      { title: 'instances started per burst (the scaling curve)', mark: 'line', x: { column: 'burst', title: 'simultaneous calls' }, y: { column: 'instances' } },
      { title: 'latency per burst', mark: 'line', x: { column: 'burst', title: 'simultaneous calls' }, y: { column: 'max ms', title: 'slowest call ms' } },
    ],
  };
}
