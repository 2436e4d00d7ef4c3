/**
 * cold-start: what a cold start costs per runtime and memory size, and what provisioned concurrency
 * saves of it. Each repetition changes the function's configuration, which on Lambda-like
 * platforms retires its instances, so the next call starts a new one; a few calls after it show the
 * warm latency. With `provisioned` true the repetition then publishes that configuration as a
 * version and has one instance initialised ahead for it (Provider.provision), so the same first
 * call finds an instance waiting: on-demand and provisioned rows side by side.
 *
 * Every call is classified cold or warm from what the client sees (measure's instance ids: a call
 * that finds no id in the instance's /tmp is its first; measure's init_type: a provisioned
 * instance's first call is no cold start) and, where the provider reports it, checked against the
 * platform's own cold flag: the agreement column is that check.
 */
import { z } from 'zod';
import { FaasbenchError } from '../../core/errors.ts';
import type { InvocationRecord } from '../../core/invocation-record.ts';
import { isTimed } from '../../analysis/call-tally.ts';
import { median } from '../../analysis/percentile.ts';
import type { Bench } from '../bench.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { identify, MEASURE_FUNCTIONS, statEvent, unlessInterrupted, type InstanceIdentity } from './instance-identity.ts';

/** What Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE to on an instance initialised ahead of its calls. */
const PROVISIONED_INIT = 'provisioned-concurrency';

const params = z.object({
  /** The measure function of each runtime to compare (nodejs, python). */
  runtimes: z.array(z.enum(MEASURE_FUNCTIONS)).min(1).default(['measure-node', 'measure-py']),
  memorySizes: z.array(z.number().int().min(128).max(10_240)).min(1).default([128, 512]),
  /** Cold starts forced per runtime and memory size. */
  repetitions: z.number().int().min(1).max(1000).default(3),
  /** Calls after each cold one, on the instance it started. */
  warmCalls: z.number().int().min(1).max(1000).default(3),
  /**
   * How the first call after each change finds its instance: false, started on demand (a cold
   * start); true, initialised ahead as provisioned concurrency (providers local and aws-lambda).
   * [false, true] alternates both in every repetition.
   */
  provisioned: z
    .array(z.boolean())
    .min(1)
    .refine((modes) => new Set(modes).size === modes.length, 'each of false and true at most once')
    .default([false]),
});

type Params = z.output<typeof params>;

/** One call as the experiment saw it, beside the platform's account (stored as kind `call`). */
export interface ClassifiedCall {
  readonly seq: number;
  readonly runtime: string;
  readonly memoryMb: number;
  /** The call went to the version provisioned for this repetition, not to the function's latest. */
  readonly provisioned: boolean;
  readonly repetition: number;
  /** 0 is the call right after the configuration change (and the provisioning). */
  readonly call: number;
  readonly instance: string;
  /** measure's cgroup-derived id: the platform's instance id only where each instance has its own cgroup. */
  readonly instId: string | null;
  /** How the instance was started (measure's init_type: on-demand, provisioned-concurrency); null when unsaid. */
  readonly initType: string | null;
  /** The client's verdict: the instance had no id yet, so this was its first call, and it was not initialised ahead. */
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
  readonly provisioned: boolean;
  /** The calls right after each change (and provisioning), and how many of them were cold. */
  readonly firstCalls: number;
  readonly firstCold: number;
  readonly firstP50Ms: number | null;
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
  description:
    'Cold vs warm latency and init duration per runtime and memory size, and provisioned vs on-demand first calls: cold starts forced by a configuration change, each call classified from instance identity and checked against the platform.',
  params,
  async run(bench, p) {
    if (p.provisioned.includes(true) && !bench.canProvision) {
      throw new FaasbenchError('InvalidParameterValue', `cold-start: provisioned=true needs provisioned concurrency, which provider ${bench.providerName} does not have; run with provisioned=[false]`);
    }
    const total = p.runtimes.length * p.memorySizes.length * p.repetitions * p.provisioned.length * (1 + p.warmCalls);
    const calls: ClassifiedCall[] = [];
    const onCall = async (c: ClassifiedCall): Promise<void> => {
      calls.push(c);
      await bench.record('call', { ...c });
      bench.progress(calls.length, total, `${c.runtime} ${c.memoryMb} MB${c.provisioned ? ' provisioned' : ''}`);
    };
    for (const runtime of p.runtimes) {
      if (bench.signal.aborted) break;
      const name = await bench.deploy(runtime, { as: `${runtime}-cold-start`, memoryMb: p.memorySizes[0]! });
      for (const memoryMb of p.memorySizes) {
        for (let repetition = 0; repetition < p.repetitions && !bench.signal.aborted; repetition++) {
          // The two modes alternate within a repetition, so load that comes and goes on the
          // machine (or in the region) reaches both alike.
          for (const provisioned of p.provisioned) {
            if (bench.signal.aborted) break;
            // A new environment value is a new configuration: the platform retires the instance that
            // served the last round, whatever its keep-alive, so the next call must start another.
            const round = `${memoryMb}-${repetition}${provisioned ? '-provisioned' : ''}`;
            const changed = await unlessInterrupted(bench, () => bench.updateConfig(name, { memoryMb, environment: { FAASBENCH_COLD_START_ROUND: round } }));
            if (changed === null) break;
            await oneRound(bench, name, { runtime, memoryMb, provisioned, repetition }, p.warmCalls, onCall);
          }
        }
      }
    }
    const groups = p.runtimes.flatMap((runtime) => p.memorySizes.flatMap((memoryMb) => p.provisioned.map((provisioned) => group(runtime, memoryMb, calls, provisioned))));
    for (const g of groups) await bench.record('group', { ...g });
    return resultOf(groups, calls, p, bench.signal.aborted ? total : null);
  },
});

type Where = Pick<ClassifiedCall, 'runtime' | 'memoryMb' | 'provisioned' | 'repetition'>;

/**
 * The first call after a change and `warmCalls` after it. Provisioned, they go to the alias
 * provisioned for this configuration, which is dropped again at the end (on AWS it bills while it
 * lasts); calls beyond its one instance would start on demand, and none is made.
 */
async function oneRound(bench: Bench, name: string, where: Where, warmCalls: number, onCall: (c: ClassifiedCall) => Promise<void>): Promise<void> {
  const provisioned = where.provisioned ? await unlessInterrupted(bench, () => bench.provision(name, 1)) : null;
  if (where.provisioned && provisioned === null) return;
  const target = provisioned?.invokeAs ?? name;
  try {
    for (let call = 0; call <= warmCalls && !bench.signal.aborted; call++) {
      const tag = where.provisioned ? `${where.runtime}/${where.memoryMb}/provisioned/${where.repetition}/${call}` : `${where.runtime}/${where.memoryMb}/${where.repetition}/${call}`;
      const outcome = await unlessInterrupted(bench, () => bench.invoke(target, { event: statEvent() }, { tag }));
      if (!outcome) break;
      await onCall(classify(outcome.record, identify(outcome), initTypeOf(outcome.response), { ...where, call }));
    }
  } finally {
    if (provisioned) await bench.unprovision(name, provisioned.qualifier);
  }
}

/** measure's `stat.init_type`, when the answer has one. */
function initTypeOf(response: unknown): string | null {
  const stat = (response as { stat?: { init_type?: unknown } } | null)?.stat;
  return typeof stat?.init_type === 'string' ? stat.init_type : null;
}

function classify(record: InvocationRecord, identity: InstanceIdentity, initType: string | null, where: Where & Pick<ClassifiedCall, 'call'>): ClassifiedCall {
  // A provisioned instance's first call is its first (no id yet), but its init ran before the call.
  const cold = identity.fresh && initType !== PROVISIONED_INIT;
  return { seq: record.seq, ...where, instance: identity.id, instId: identity.instId, initType, cold, platformCold: record.cold, phase: record.phase, status: record.status, latencyMs: record.latencyMs, initMs: record.initMs };
}

/**
 * One runtime, size and mode's row. Calls are counted whatever their outcome; latency is over the
 * timed ones only (measured, answered ok: a throttle's or a function error's time is not a cold
 * start's), and init over measured cold calls, as analyze takes them.
 */
export function group(runtime: string, memoryMb: number, all: readonly ClassifiedCall[], provisioned = false): GroupRow {
  const calls = all.filter((c) => c.runtime === runtime && c.memoryMb === memoryMb && c.provisioned === provisioned && c.phase === 'measure');
  const first = calls.filter((c) => c.call === 0);
  const cold = calls.filter((c) => c.cold);
  const warm = calls.filter((c) => !c.cold);
  const judged = calls.filter((c) => c.platformCold !== null);
  const latencies = (cs: readonly ClassifiedCall[]): number[] => cs.filter(isTimed).map((c) => c.latencyMs);
  return {
    runtime,
    memoryMb,
    provisioned,
    firstCalls: first.length,
    firstCold: first.filter((c) => c.cold).length,
    firstP50Ms: median(latencies(first)),
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
export function resultOf(groups: readonly GroupRow[], calls: readonly ClassifiedCall[], p: Params, planned: number | null): ExperimentResult {
  const judged = calls.filter((c) => c.platformCold !== null);
  const agreed = judged.filter((c) => c.platformCold === c.cold).length;
  // The calls the design meant to be cold (right after a change, on demand) against what was observed.
  const unexpected = calls.filter((c) => c.cold !== (c.call === 0 && !c.provisioned)).length;
  const notes = [
    // The client's own view decides, on any provider; the platform's flag only checks it.
    judged.length === 0
      ? `${calls.length} calls classified from instance identity; the provider reports no cold flag to check them against`
      : `cold/warm classification from instance identity agreed with the platform's ground truth on ${agreed} of ${judged.length} calls${agreed === judged.length ? '' : ` (${judged.length - agreed} disagree: see the stored "call" rows)`}`,
    ...groups.flatMap((g) =>
      g.coldP50Ms === null || g.warmP50Ms === null
        ? []
        : [`${g.runtime} at ${g.memoryMb} MB: a cold start adds ${round1(g.coldP50Ms - g.warmP50Ms)} ms to the median call (init ${round1(g.initP50Ms) ?? '-'} ms)`],
    ),
    ...groups.flatMap((g) => {
      const onDemand = groups.find((o) => o.runtime === g.runtime && o.memoryMb === g.memoryMb && !o.provisioned);
      if (!g.provisioned || !onDemand || g.firstP50Ms === null || onDemand.firstP50Ms === null) return [];
      return [
        `${g.runtime} at ${g.memoryMb} MB: a provisioned first call took ${round1(g.firstP50Ms)} ms at the median against ${round1(onDemand.firstP50Ms)} ms on demand ` +
          `(${round1(onDemand.firstP50Ms - g.firstP50Ms)} ms less; first calls cold: ${g.firstCold} of ${g.firstCalls} provisioned, ${onDemand.firstCold} of ${onDemand.firstCalls} on demand)`,
      ];
    }),
    ...(planned === null ? [] : [`interrupted after ${calls.length} of ${planned} calls`]),
    ...(unexpected === 0
      ? []
      : [`${unexpected} calls were not what the configuration changes implied (a warm call on a new on-demand instance, a first call on an old one, or a provisioned call that started cold): the platform started or kept instances on its own`]),
    "instances told apart by the ids measure reported (its stat: an id kept in the instance's own /tmp), whatever the provider reports",
  ];
  return {
    columns: ['runtime', 'memory MB', 'start', 'first calls cold', 'first p50 ms', 'cold calls', 'warm calls', 'cold p50 ms', 'warm p50 ms', 'cold - warm ms', 'init p50 ms', 'agreement'],
    rows: groups.map((g) => [
      g.runtime,
      g.memoryMb,
      g.provisioned ? 'provisioned' : 'on-demand',
      `${g.firstCold}/${g.firstCalls}`,
      round1(g.firstP50Ms),
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
      provisioned: p.provisioned,
      instanceSource: 'function',
      groups: groups.map((g) => ({ ...g })),
    },
    tables: [
      {
        name: 'cold vs warm',
        title: 'median latency of cold and warm calls per runtime, memory size and start',
        columns: ['configuration', 'runtime', 'memory MB', 'start', 'call', 'p50 ms'],
        rows: groups.flatMap((g) => {
          const start = g.provisioned ? 'provisioned' : 'on-demand';
          const configuration = `${g.runtime} ${g.memoryMb} MB ${start}`;
          return [
            [configuration, g.runtime, g.memoryMb, start, 'cold', round1(g.coldP50Ms)],
            [configuration, g.runtime, g.memoryMb, start, 'warm', round1(g.warmP50Ms)],
          ];
        }),
      },
    ],
    charts: [{ title: 'cold against warm: median latency per runtime x memory x start', table: 'cold vs warm', mark: 'bar', x: { column: 'configuration', type: 'nominal' }, y: { column: 'p50 ms' }, series: 'call' }],
  };
}
