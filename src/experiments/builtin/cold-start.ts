/**
 * cold-start: what a cold start costs per runtime and memory size. Each repetition changes the
 * function's configuration, which on Lambda-like platforms retires its instances, so the next call
 * starts a new one; a few calls after it show the warm latency. Every call is classified cold or
 * warm from what the client sees (measure's instance ids: a call that finds no id in the
 * instance's /tmp is its first) and, where the provider reports it, checked against the platform's
 * own cold flag: the agreement column is that check.
 */
import { z } from 'zod';
import type { InvocationRecord } from '../../core/invocation-record.ts';
import { isTimed } from '../../analysis/call-tally.ts';
import { median } from '../../analysis/percentile.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { identify, MEASURE_FUNCTIONS, statEvent, unlessInterrupted, type InstanceIdentity } from './instance-identity.ts';

const params = z.object({
  /** The measure function of each runtime to compare (nodejs, python). */
  runtimes: z.array(z.enum(MEASURE_FUNCTIONS)).min(1).default(['measure-node', 'measure-py']),
  memorySizes: z.array(z.number().int().min(128).max(10_240)).min(1).default([128, 512]),
  /** Cold starts forced per runtime and memory size. */
  repetitions: z.number().int().min(1).max(1000).default(3),
  /** Calls after each cold one, on the instance it started. */
  warmCalls: z.number().int().min(1).max(1000).default(3),
});

type Params = z.output<typeof params>;

/** One call as the experiment saw it, beside the platform's account (stored as kind `call`). */
export interface ClassifiedCall {
  readonly seq: number;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly repetition: number;
  /** 0 is the call right after the configuration change. */
  readonly call: number;
  readonly instance: string;
  /** measure's cgroup-derived id: the platform's instance id only where each instance has its own cgroup. */
  readonly instId: string | null;
  /** The client's verdict: the instance had no id yet, so this was its first call. */
  readonly cold: boolean;
  /** The platform's own cold flag; null when the provider does not report one. */
  readonly platformCold: boolean | null;
  /** The record's: only measured calls answered ok are timed (call-tally.ts), as in analyze. */
  readonly phase: InvocationRecord['phase'];
  readonly status: InvocationRecord['status'];
  readonly latencyMs: number | null;
  readonly initMs: number | null;
}

export interface GroupRow {
  readonly runtime: string;
  readonly memoryMb: number;
  readonly coldCalls: number;
  readonly warmCalls: number;
  readonly coldP50Ms: number | null;
  readonly warmP50Ms: number | null;
  readonly initP50Ms: number | null;
  /** Calls whose client-side verdict matches the platform's, over calls it reported on. */
  readonly agreed: number;
  readonly judged: number;
}

export default defineExperiment({
  name: 'cold-start',
  description: 'Cold vs warm latency and init duration per runtime and memory size: cold starts forced by a configuration change, each call classified from instance identity and checked against the platform.',
  params,
  async run(bench, p) {
    const total = p.runtimes.length * p.memorySizes.length * p.repetitions * (1 + p.warmCalls);
    const calls: ClassifiedCall[] = [];
    for (const runtime of p.runtimes) {
      if (bench.signal.aborted) break;
      const name = await bench.deploy(runtime, { as: `${runtime}-cold-start`, memoryMb: p.memorySizes[0]! });
      for (const memoryMb of p.memorySizes) {
        for (let repetition = 0; repetition < p.repetitions && !bench.signal.aborted; repetition++) {
          // A new environment value is a new configuration: the platform retires the instance that
          // served the last round, whatever its keep-alive, so the next call must start another.
          const changed = await unlessInterrupted(bench, () => bench.updateConfig(name, { memoryMb, environment: { FAASBENCH_COLD_START_ROUND: `${memoryMb}-${repetition}` } }));
          if (changed === null) break;
          for (let call = 0; call <= p.warmCalls && !bench.signal.aborted; call++) {
            const tag = `${runtime}/${memoryMb}/${repetition}/${call}`;
            const outcome = await unlessInterrupted(bench, () => bench.invoke(name, { event: statEvent() }, { tag }));
            if (!outcome) break;
            const classified = classify(outcome.record, identify(outcome), { runtime, memoryMb, repetition, call });
            calls.push(classified);
            await bench.record('call', { ...classified });
            bench.progress(calls.length, total, `${runtime} ${memoryMb} MB`);
          }
        }
      }
    }
    const groups = p.runtimes.flatMap((runtime) => p.memorySizes.map((memoryMb) => group(runtime, memoryMb, calls)));
    for (const g of groups) await bench.record('group', { ...g });
    return result(groups, calls, p, bench.signal.aborted ? total : null);
  },
});

function classify(record: InvocationRecord, identity: InstanceIdentity, where: Pick<ClassifiedCall, 'runtime' | 'memoryMb' | 'repetition' | 'call'>): ClassifiedCall {
  return { seq: record.seq, ...where, instance: identity.id, instId: identity.instId, cold: identity.fresh, platformCold: record.cold, phase: record.phase, status: record.status, latencyMs: record.latencyMs, initMs: record.initMs };
}

/**
 * One runtime and size's row. Calls are counted whatever their outcome; latency is over the timed
 * ones only (measured, answered ok: a throttle's or a function error's time is not a cold start's),
 * and init over measured cold calls, as analyze takes them.
 */
export function group(runtime: string, memoryMb: number, all: readonly ClassifiedCall[]): GroupRow {
  const calls = all.filter((c) => c.runtime === runtime && c.memoryMb === memoryMb && c.phase === 'measure');
  const cold = calls.filter((c) => c.cold);
  const warm = calls.filter((c) => !c.cold);
  const judged = calls.filter((c) => c.platformCold !== null);
  const latencies = (cs: readonly ClassifiedCall[]): number[] => cs.filter(isTimed).map((c) => c.latencyMs);
  return {
    runtime,
    memoryMb,
    coldCalls: cold.length,
    warmCalls: warm.length,
    coldP50Ms: median(latencies(cold)),
    warmP50Ms: median(latencies(warm)),
    initP50Ms: median(cold.flatMap((c) => (c.initMs === null ? [] : [c.initMs]))),
    agreed: judged.filter((c) => c.platformCold === c.cold).length,
    judged: judged.length,
  };
}

const round1 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

/** `planned` is set when the run was interrupted: the calls it meant to make. */
function result(groups: readonly GroupRow[], calls: readonly ClassifiedCall[], p: Params, planned: number | null): ExperimentResult {
  const judged = calls.filter((c) => c.platformCold !== null);
  const agreed = judged.filter((c) => c.platformCold === c.cold).length;
  // The calls the design meant to be cold (right after a change) against what was observed.
  const unexpected = calls.filter((c) => c.cold !== (c.call === 0)).length;
  const notes = [
    judged.length === 0
      ? `${calls.length} calls classified from instance identity; the provider reports no cold flag to check them against`
      : `cold/warm classification from instance identity agreed with the platform's ground truth on ${agreed} of ${judged.length} calls${agreed === judged.length ? '' : ` (${judged.length - agreed} disagree: see the stored "call" rows)`}`,
    ...groups.flatMap((g) =>
      g.coldP50Ms === null || g.warmP50Ms === null
        ? []
        : [`${g.runtime} at ${g.memoryMb} MB: a cold start adds ${round1(g.coldP50Ms - g.warmP50Ms)} ms to the median call (init ${round1(g.initP50Ms) ?? '-'} ms)`],
    ),
    ...(planned === null ? [] : [`interrupted after ${calls.length} of ${planned} calls`]),
    ...(unexpected === 0 ? [] : [`${unexpected} calls were not what the configuration changes implied (a warm call on a new instance, or a first call on an old one): the platform started or kept instances on its own`]),
  ];
  return {
    columns: ['runtime', 'memory MB', 'cold calls', 'warm calls', 'cold p50 ms', 'warm p50 ms', 'cold - warm ms', 'init p50 ms', 'agreement'],
    rows: groups.map((g) => [
      g.runtime,
      g.memoryMb,
      g.coldCalls,
      g.warmCalls,
      round1(g.coldP50Ms),
      round1(g.warmP50Ms),
      g.coldP50Ms === null || g.warmP50Ms === null ? null : round1(g.coldP50Ms - g.warmP50Ms),
      round1(g.initP50Ms),
      g.judged === 0 ? null : `${g.agreed}/${g.judged}`,
    ]),
    notes,
    summary: {
      calls: calls.length,
      judged: judged.length,
      agreed,
      agreement: judged.length === 0 ? null : agreed / judged.length,
      unexpected,
      repetitions: p.repetitions,
      warmCallsPerRepetition: p.warmCalls,
      groups: groups.map((g) => ({ ...g })),
    },
  };
}
