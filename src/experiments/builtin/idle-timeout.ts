/**
 * idle-timeout: how long an idle instance survives before the platform evicts it. One call leaves
 * an instance idle; after a gap a second call tells, from measure's instance ids, whether the same
 * instance answered. Gaps double from `initialGapS` until one outlives the instance (or `maxGapS`
 * is reached), then the bracket between the longest survived gap and the shortest fatal one is
 * halved down to `resolutionS`. The estimate is the bracket's midpoint.
 *
 * Gaps are what the client measured, from receiving one answer to sending the next call: the
 * platform's idle period is that plus the two loopback trips (a millisecond or two), so the
 * estimate errs short by that much at most.
 */
import { z } from 'zod';
import { FaasbenchError } from '../../core/errors.ts';
import type { Bench, InvocationOutcome } from '../bench.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { identify, MEASURE_FUNCTIONS, statEvent, unlessInterrupted, type InstanceIdentity } from './instance-identity.ts';

const params = z.object({
  fn: z.enum(MEASURE_FUNCTIONS).default('measure-node'),
  /** The local platform's keep-alive for the function; null leaves the platform's own (other providers ignore it). */
  keepAliveS: z.number().min(0).nullable().default(3),
  memoryMb: z.number().int().min(128).max(10_240).nullable().default(null),
  /** The first gap tried; gaps double from it. */
  initialGapS: z.number().positive().default(1),
  /** The longest gap tried: an instance surviving it gives only a lower bound. */
  maxGapS: z.number().positive().max(3600).default(30),
  /** The search stops once the bracket is this narrow. */
  resolutionS: z.number().positive().default(0.25),
});

type Params = z.output<typeof params>;

/** Probes after which the search gives up narrowing: far more than any sane bracket needs. */
const MAX_PROBES = 40;

export interface Probe {
  readonly probe: number;
  readonly phase: 'coarse' | 'fine';
  readonly plannedGapS: number;
  /** Measured: from the previous answer received to this call sent. */
  readonly gapS: number;
  /** The client's verdict from measure's ids: the instance that answered before answered again. */
  readonly survived: boolean;
  /** The platform's account (same instance id, warm); null when the provider does not report ids. */
  readonly platformSurvived: boolean | null;
  readonly before: string;
  readonly after: string;
  /** The bracket after this probe; hi null while no gap has outlived an instance. */
  readonly lo: number;
  readonly hi: number | null;
}

export interface Search {
  readonly probes: Probe[];
  readonly lo: number;
  readonly hi: number | null;
  /** A gap survived beyond one that was not, or the reverse: the timeout varies (jitter). */
  readonly inconsistent: boolean;
}

export default defineExperiment({
  name: 'idle-timeout',
  description: 'How long an idle instance survives: gaps between two calls double, then bisect, until the instance identity (measure stat) shows where it stops surviving; the estimate and its bracket.',
  params,
  async run(bench, p) {
    if (p.initialGapS > p.maxGapS) throw new FaasbenchError('InvalidParameterValue', `experiment idle-timeout: initialGapS (${p.initialGapS}) must not exceed maxGapS (${p.maxGapS})`);
    const name = await bench.deploy(p.fn, {
      as: `${p.fn}-idle-timeout`,
      ...(p.keepAliveS === null ? {} : { keepAliveS: p.keepAliveS }),
      ...(p.memoryMb === null ? {} : { memoryMb: p.memoryMb }),
    });
    const search = await searchTimeout(bench, name, p);
    return resultOf(search, p, bench.signal.aborted);
  },
});

/**
 * The probes chain: each probe's second call is the next probe's first, since it just left its
 * instance (the old one or a new one) idle from that moment: a fresh idle period either way.
 */
async function searchTimeout(bench: Bench, name: string, p: Params): Promise<Search> {
  const call = (tag: string): Promise<{ outcome: InvocationOutcome; identity: InstanceIdentity } | null> =>
    unlessInterrupted(bench, () => bench.invoke(name, { event: statEvent() }, { tag })).then((outcome) => outcome && { outcome, identity: identify(outcome) });
  const probes: Probe[] = [];
  let last = await call('start');
  if (!last) return { probes, lo: 0, hi: null, inconsistent: false };
  // Back-to-back calls share an instance on any platform that keeps instances at all.
  let lo = 0;
  let hi: number | null = null;
  let inconsistent = false;
  let coarseGap = p.initialGapS;
  while (!bench.signal.aborted && probes.length < MAX_PROBES) {
    const phase: Probe['phase'] = hi === null ? 'coarse' : 'fine';
    if (phase === 'fine' && hi! - lo <= p.resolutionS) break;
    const plannedGapS = phase === 'coarse' ? Math.min(coarseGap, p.maxGapS) : (lo + hi!) / 2;
    await bench.sleep(plannedGapS * 1000);
    if (bench.signal.aborted) break;
    const next = await call(`probe-${probes.length + 1}`);
    if (!next) break;
    const gapS = (next.outcome.record.sentUs! - last.outcome.record.receivedUs!) / 1e6;
    const survived = next.identity.id === last.identity.id && !next.identity.fresh;
    if (survived) lo = Math.max(lo, gapS);
    else hi = hi === null ? gapS : Math.min(hi, gapS);
    const probe: Probe = {
      probe: probes.length + 1,
      phase,
      plannedGapS,
      gapS,
      survived,
      platformSurvived: platformSurvived(last.outcome, next.outcome),
      before: last.identity.id,
      after: next.identity.id,
      lo,
      hi,
    };
    probes.push(probe);
    await bench.record('probe', { ...probe });
    bench.log(`gap ${gapS.toFixed(3)} s: ${survived ? 'same instance' : 'new instance'}; bracket [${lo.toFixed(3)}, ${hi === null ? '?' : hi.toFixed(3)}] s`);
    last = next;
    if (hi !== null && lo >= hi) {
      inconsistent = true;
      break;
    }
    if (phase === 'coarse' && survived) {
      if (plannedGapS >= p.maxGapS) break;
      coarseGap *= 2;
    }
    const expected = hi === null ? Math.ceil(Math.log2(p.maxGapS / p.initialGapS)) + 1 : probes.length + Math.max(0, Math.ceil(Math.log2((hi - lo) / p.resolutionS)));
    bench.progress(probes.length, Math.max(expected, probes.length), `${phase} search`);
  }
  return { probes, lo, hi, inconsistent };
}

function platformSurvived(before: InvocationOutcome, after: InvocationOutcome): boolean | null {
  const [a, b] = [before.record, after.record];
  if (a.instanceId === null || b.instanceId === null) return null;
  return a.instanceId === b.instanceId && b.cold !== true;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function resultOf(search: Search, p: Params, interrupted: boolean): ExperimentResult {
  const { probes, lo, hi, inconsistent } = search;
  const estimate = hi === null || inconsistent ? null : (lo + hi) / 2;
  const judged = probes.filter((x) => x.platformSurvived !== null);
  const agreed = judged.filter((x) => x.platformSurvived === x.survived).length;
  const setting = p.keepAliveS === null ? "the platform's own keep-alive" : `keepAliveS ${p.keepAliveS} on the local platform`;
  const headline =
    probes.length === 0
      ? 'no probe finished: no estimate'
      : inconsistent
        ? `inconsistent: an instance survived ${round3(lo)} s idle but another was gone after ${round3(hi!)} s: the idle timeout varies from one idle period to the next (keep-alive jitter?)`
        : hi === null
          ? `the instance survived every gap up to ${round3(lo)} s: the idle timeout is longer${interrupted ? '' : ' (raise maxGapS)'}`
          : `idle timeout ≈ ${round3(estimate!)} s, between ${round3(lo)} s (survived) and ${round3(hi)} s (evicted), after ${probes.length} probes (${setting})`;
  return {
    columns: ['probe', 'phase', 'planned gap s', 'gap s', 'same instance', 'platform: same instance', 'bracket lo s', 'bracket hi s'],
    rows: probes.map((x) => [x.probe, x.phase, round3(x.plannedGapS), round3(x.gapS), x.survived, x.platformSurvived, round3(x.lo), x.hi === null ? null : round3(x.hi)]),
    notes: [
      interrupted ? `interrupted after ${probes.length} probes: ${headline}` : headline,
      ...(judged.length === 0 ? [] : [`the client's verdict (measure's instance ids) matched the platform's on ${agreed} of ${judged.length} probes`]),
      "instances told apart by the ids measure reported (its stat: an id kept in the instance's own /tmp), whatever the provider reports",
    ],
    summary: {
      estimateS: estimate === null ? null : round3(estimate),
      loS: round3(lo),
      hiS: hi === null ? null : round3(hi),
      resolutionS: p.resolutionS,
      probes: probes.length,
      inconsistent,
      interrupted,
      agreed,
      judged: judged.length,
      instanceSource: 'function',
    },
    tables: [
      { name: 'survival', title: 'each probe: idle time and whether the instance survived it (1) or not (0)', columns: ['probe', 'gap s', 'survived'], rows: probes.map((x) => [x.probe, round3(x.gapS), x.survived ? 1 : 0]) },
      {
        name: 'bracket',
        title: 'the bracket after each probe: the longest gap survived (lo) and the shortest not survived (hi)',
        columns: ['probe', 'bound', 'seconds'],
        rows: probes.flatMap((x) => [[x.probe, 'lo (survived)', round3(x.lo)], ...(x.hi === null ? [] : [[x.probe, 'hi (evicted)', round3(x.hi)]])]),
      },
    ],
    charts: [
      { title: 'idle time against survival', table: 'survival', mark: 'point', x: { column: 'gap s', title: 'idle gap s' }, y: { column: 'survived', title: 'same instance (1) or new (0)' } },
      { title: 'the bracket narrowing to the idle timeout', table: 'bracket', mark: 'line', x: { column: 'probe', type: 'ordinal' }, y: { column: 'seconds', title: 'idle s' }, series: 'bound' },
    ],
  };
}
