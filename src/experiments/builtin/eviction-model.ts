/**
 * eviction-model: how a platform evicts a group of idle instances (after SeBS's eviction model).
 * For each wait T: start K instances at once (calls that overlap, so each needs its own
 * instance), leave them idle for T, then send K overlapping calls again and count how many of the
 * K instance ids answer (survivors) and how many instances are new. Whether the group survives
 * whole, dies whole or thins out over T is the model.
 *
 * The start calls end together (measure's `sleep_till` to one instant), so all K idle periods
 * begin within milliseconds of each other however long each cold start took; the end spread
 * column shows how well that held.
 */
import { z } from 'zod';
import { FaasbenchError } from '../../core/errors.ts';
import type { Bench, InvocationOutcome } from '../bench.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { identify, MEASURE_FUNCTIONS, statEvent, unlessInterrupted, type InstanceIdentity } from './instance-identity.ts';

const params = z.object({
  fn: z.enum(MEASURE_FUNCTIONS).default('measure-node'),
  /** K: instances started together for each wait. */
  instances: z.number().int().min(1).max(256).default(4),
  /** The idle waits T, in seconds. */
  waitsS: z.array(z.number().min(0).max(3600)).min(1).default([1, 2, 4]),
  /** The local platform's keep-alive for the function; null leaves the platform's own (other providers ignore it). */
  keepAliveS: z.number().min(0).nullable().default(3),
  memoryMb: z.number().int().min(128).max(10_240).nullable().default(null),
  /** How long each round's calls hold their instances: longer than sending K calls and K cold starts take. */
  holdMs: z.number().int().min(100).max(60_000).default(1000),
});

type Params = z.output<typeof params>;

export interface WaitRow {
  readonly waitS: number;
  /** Distinct new instances the start round brought up (K unless the platform shared some). */
  readonly started: number;
  /** Of those, how many answered the second round. */
  readonly survivors: number;
  /** Instances of the second round that were new (their first call). */
  readonly fresh: number;
  /** Second-round instances that are neither: instances from before this wait's start round. */
  readonly other: number;
  /** Measured idle time: from the start round's last answer to the second round's first call. */
  readonly idleS: number;
  /** How far apart the start calls ended (measure's end_time), ms. */
  readonly endSpreadMs: number | null;
}

export default defineExperiment({
  name: 'eviction-model',
  description: 'Start K instances together, leave them idle T seconds, call K again: how many of the K survive, for several T (SeBS eviction model).',
  params,
  async run(bench, p) {
    const name = await bench.deploy(p.fn, {
      as: `${p.fn}-eviction-model`,
      ...(p.keepAliveS === null ? {} : { keepAliveS: p.keepAliveS }),
      ...(p.memoryMb === null ? {} : { memoryMb: p.memoryMb }),
    });
    const rows: WaitRow[] = [];
    for (const [round, waitS] of p.waitsS.entries()) {
      // A new configuration retires the previous wait's instances: each wait starts from none.
      const row = await unlessInterrupted(bench, async () => {
        await bench.updateConfig(name, { environment: { FAASBENCH_EVICTION_ROUND: String(round) } });
        return measureWait(bench, name, p, waitS);
      });
      if (!row) break;
      rows.push(row);
      await bench.record('wait', { ...row });
      bench.progress(round + 1, p.waitsS.length, `wait ${waitS} s`);
    }
    return resultOf(rows, p, bench.signal.aborted);
  },
});

/** One wait: K together, idle T, K together again; null when interrupted. */
async function measureWait(bench: Bench, name: string, p: Params, waitS: number): Promise<WaitRow | null> {
  const first = await together(bench, name, p, `wait-${waitS}-start`);
  const started = new Set(first.filter((c) => c.identity.fresh).map((c) => c.identity.id));
  const lastAnswerUs = Math.max(...first.map((c) => c.outcome.record.receivedUs!));
  await bench.sleep(waitS * 1000);
  if (bench.signal.aborted) return null;
  const second = await together(bench, name, p, `wait-${waitS}-probe`);
  const firstSentUs = Math.min(...second.map((c) => c.outcome.record.sentUs!));
  const ids = new Set(second.map((c) => c.identity.id));
  const fresh = new Set(second.filter((c) => c.identity.fresh).map((c) => c.identity.id));
  const ends = first.flatMap((c) => (c.identity.endTimeMs === null ? [] : [c.identity.endTimeMs]));
  const survivors = [...started].filter((id) => ids.has(id)).length;
  return {
    waitS,
    started: started.size,
    survivors,
    fresh: fresh.size,
    other: [...ids].filter((id) => !started.has(id) && !fresh.has(id)).length,
    idleS: Math.round((firstSentUs - lastAnswerUs) / 1000) / 1000,
    endSpreadMs: ends.length === 0 ? null : Math.round((Math.max(...ends) - Math.min(...ends)) * 10) / 10,
  };
}

/** K calls at one instant, each held until one shared moment so none can reuse another's instance. */
async function together(bench: Bench, name: string, p: Params, tag: string): Promise<Array<{ outcome: InvocationOutcome; identity: InstanceIdentity }>> {
  const event = statEvent({ sleep_till: Date.now() + p.holdMs });
  const outcomes = await bench.invokeConcurrently(p.instances, name, { event }, { tag });
  const calls = outcomes.map((outcome) => ({ outcome, identity: identify(outcome) }));
  const distinct = new Set(calls.map((c) => c.identity.id)).size;
  if (distinct < p.instances) {
    throw new FaasbenchError('ServiceUnavailable', `${tag}: ${p.instances} overlapping calls were served by only ${distinct} instances; raise holdMs so each call holds its instance while the others arrive`);
  }
  return calls;
}

export function resultOf(rows: readonly WaitRow[], p: Params, interrupted: boolean): ExperimentResult {
  const k = p.instances;
  const whole = rows.filter((r) => r.survivors === r.started);
  const none = rows.filter((r) => r.survivors === 0);
  const partial = rows.filter((r) => r.survivors > 0 && r.survivors < r.started);
  const longestWhole = whole.reduce<number | null>((m, r) => (m === null || r.waitS > m ? r.waitS : m), null);
  const shortestNone = none.reduce<number | null>((m, r) => (m === null || r.waitS < m ? r.waitS : m), null);
  const model =
    rows.length === 0
      ? 'no wait finished'
      : partial.length > 0
        ? `instances are evicted one by one: after ${partial.map((r) => `${r.waitS} s ${r.survivors} of ${r.started}`).join(', ')} survived`
        : longestWhole !== null && shortestNone !== null && longestWhole < shortestNone
          ? `the ${k} instances live and die together: all survived ${longestWhole} s idle, none survived ${shortestNone} s`
          : none.length === 0
            ? `all ${k} instances survived every wait, up to ${Math.max(...rows.map((r) => r.waitS))} s`
            : whole.length === 0
              ? `no instance survived even ${Math.min(...rows.map((r) => r.waitS))} s idle`
              : 'survival does not fall with the wait: see the rows';
  return {
    columns: ['wait s', 'started', 'survivors', 'new', 'other', 'idle s', 'end spread ms'],
    rows: rows.map((r) => [r.waitS, r.started, r.survivors, r.fresh, r.other, r.idleS, r.endSpreadMs]),
    notes: [
      interrupted ? `interrupted after ${rows.length} of ${p.waitsS.length} waits: ${model}` : model,
      ...rows.map((r) => `after ${r.waitS} s: ${r.survivors} of ${r.started} survived, ${r.fresh} new`),
      "instances told apart by the ids measure reported (its stat: an id kept in the instance's own /tmp), whatever the provider reports",
    ],
    summary: { instances: k, interrupted, instanceSource: 'function', survivors: rows.map((r) => r.survivors), waits: rows.map((r) => ({ ...r })) },
    charts: [{ title: `survivors of ${k} idle instances per wait`, mark: 'line', x: { column: 'wait s', title: 'idle wait s' }, y: { column: 'survivors' } }],
  };
}
