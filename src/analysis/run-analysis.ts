/**
 * analyzeRun(store, runId): the statistics of one stored run, per function and for the run as a
 * whole, from one pass over its records in seq order (memory: the timed values, 8 bytes each, a
 * bounded reservoir per function, one entry per instance; never the records themselves).
 *
 * Definitions, stated once for every figure below:
 * - Phases: warm-up calls are counted (`warmupCalls`) and feed cold-start inference and the
 *   instance timeline (they create the instances later calls find warm), but no other figure.
 * - Latency: received - sent of `ok` calls only; errors, throttles, drops and `unknown` calls (sent,
 *   never answered) are counted, not timed (call-tally.ts, shared with the end-of-run summary and
 *   the report).
 * - Percentiles: nearest rank on exact values (percentile.ts: the p-th percentile of n values is
 *   the ceil(p/100 * n)-th smallest), from every value (latency-accumulator.ts), so min, max, mean
 *   and every percentile are exact and `precision: 'exact'` says so; a run with no ok call has null
 *   figures, never 0.
 * - CIs: seeded bootstrap (bootstrap.ts) over a uniform reservoir of at most 10,000 latencies per
 *   function, centred on the exact figure; the median's needs 10 calls and p99's 100 (below that
 *   the p99 is the maximum and a bootstrap says nothing), else null.
 * - Lateness: sent - planned of sent calls (negative values, sent early, count as 0).
 * - Cold starts: the platform's ground truth (record.cold) where a function has any; otherwise the
 *   client-side inference (cold-inference.ts), and `source` says which. Rate = cold / (cold + warm).
 * - Instances: distinct instance ids, and the peak live at once (instances-timeline.ts).
 * - Billing: GB-s = billed ms x memory MB / 1024 / 1000, summed over calls that reached the
 *   function (ok or function error) with a billed duration; prices are the cost model's business.
 */
import { costWith } from './cost.ts';
import { pricingFor, type Pricing } from './pricing.ts';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import type { InvocationFields, JsonValue, Run, Store } from '../store/store.ts';
import { CallTally } from './call-tally.ts';
import { LatencyAccumulator, mergedPercentiles, type Percentiles } from './latency-accumulator.ts';
import { bootstrapQuantiles, DEFAULT_LEVEL, DEFAULT_MAX_SAMPLE, DEFAULT_RESAMPLES, Reservoir } from './bootstrap.ts';
import { analyzeCallTree, asCallTree, type CriticalStep } from './call-tree.ts';
import { ColdInference, combineOutcomes, type FunctionInference, type InferenceMethod, type MethodOutcome } from './cold-inference.ts';
import { InstanceTimeline, type InstancesTimeline } from './instances-timeline.ts';

/** Fewest ok calls for a median CI, and for a p99 CI. */
export const MIN_CALLS_MEDIAN_CI = 10;
export const MIN_CALLS_P99_CI = 100;

export type { Percentiles } from './latency-accumulator.ts';

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export interface LatencyCis {
  readonly level: number;
  readonly resamples: number;
  /** Latencies resampled, of `n`: fewer when the reservoir was full (the CI is then rescaled). */
  readonly sample: number;
  readonly n: number;
  readonly p50: Interval | null;
  readonly p99: Interval | null;
}

export interface ColdStartStats {
  readonly source: 'platform' | 'inferred' | 'mixed' | 'none';
  /** Measure-phase calls. */
  readonly cold: number;
  readonly warm: number;
  /** Calls that reached the function with no cold/warm answer (platform source only). */
  readonly unknown: number;
  readonly rate: number | null;
  readonly coldLatencyMs: Percentiles | null;
  readonly warmLatencyMs: Percentiles | null;
  /** The platform's Init Duration of cold calls. */
  readonly initMs: Percentiles | null;
}

export interface Billing {
  readonly calls: number;
  readonly billedMs: number;
  readonly gbSeconds: number;
  /** GB-s plus requests at the provider's price table (pricing.ts); null where it has no price. */
  readonly costUsd: number | null;
}

export interface FunctionStats {
  /** The function's name; `*` for the whole run. */
  readonly fn: string;
  /** Measure-phase calls. */
  readonly calls: number;
  readonly warmupCalls: number;
  readonly byStatus: Partial<Record<InvocationStatus, number>>;
  readonly ok: number;
  /** Measured calls not ok: errors + throttles + dropped + unknown. */
  readonly failed: number;
  /** function-error, rejected and transport-error. */
  readonly errors: number;
  readonly throttles: number;
  readonly dropped: number;
  /** Sent, and the invoker stopped before an answer was recorded. */
  readonly unknown: number;
  readonly errorClasses: Record<string, number>;
  readonly latencyMs: Percentiles | null;
  readonly latencyCi: LatencyCis | null;
  readonly latenessMs: Percentiles | null;
  /** The platform's Duration of ok calls. */
  readonly durationMs: Percentiles | null;
  readonly maxMemoryMb: number | null;
  readonly billing: Billing;
  readonly coldStart: ColdStartStats;
  readonly instances: { readonly count: number; readonly peak: number };
}

export interface InferenceSummary {
  /** Over every function, each by the method its figures used (`methods`: which ones that was). */
  readonly chosen: Omit<MethodOutcome, 'method'> & { readonly methods: readonly InferenceMethod[] };
  readonly instanceId: MethodOutcome;
  readonly latency: MethodOutcome;
  readonly functions: readonly FunctionInference[];
}

export interface CallTreeSummary {
  readonly kind: string;
  readonly nodes: number;
  readonly failed: number;
  readonly depth: number;
  readonly coldNodes: number;
  readonly instances: number;
  readonly rootMs: number;
  readonly sumSelfMs: number;
  readonly criticalPath: readonly CriticalStep[];
}

export interface RunAnalysis {
  readonly run: Pick<Run, 'id' | 'kind' | 'name' | 'provider' | 'status' | 'startedAt' | 'finishedAt'>;
  /** What the run's calls were priced at, and why. */
  readonly pricing: string;
  readonly total: FunctionStats;
  readonly functions: readonly FunctionStats[];
  readonly inference: InferenceSummary;
  readonly timeline: InstancesTimeline;
  /** Nested-invocation trees found in the run's experiment rows (a `tree` field, as nested-chain records). */
  readonly callTrees: readonly CallTreeSummary[];
}

export interface AnalyzeOptions {
  /** Bootstrap seed; the same seed gives the same CIs. Default 42, as every other seed. */
  readonly seed?: number;
  readonly resamples?: number;
  readonly level?: number;
  /** Reservoir size per function. Default 10,000. */
  readonly maxSample?: number;
  readonly bucketMs?: number;
}

/** What one pass keeps, for analyzeRun and compare. */
export interface RunCollection {
  readonly run: Run;
  readonly analysis: RunAnalysis;
  /** Per function (and `*`): the reservoir of ok measure-phase latencies, ms, sorted; and how many it stands for. */
  readonly samples: ReadonlyMap<string, { readonly sorted: Float64Array; readonly n: number }>;
}

/** The invocation fields the analysis reads: all a pass asks the store for. */
export const ANALYSIS_FIELDS = [
  'fn',
  'seq',
  'phase',
  'status',
  'errorClass',
  'plannedUs',
  'sentUs',
  'receivedUs',
  'latencyMs',
  'instanceId',
  'cold',
  'initMs',
  'durationMs',
  'billedMs',
  'memoryMb',
  'maxMemoryMb',
] as const satisfies readonly (keyof InvocationRecord)[];

/** An invocation as the analysis sees it. */
export type AnalysedRecord = InvocationFields<(typeof ANALYSIS_FIELDS)[number]>;

class Accumulator {
  readonly tally = new CallTally();
  readonly duration = new LatencyAccumulator();
  readonly init = new LatencyAccumulator();
  /** Ok measure-phase latency by the platform's cold flag. */
  readonly coldLatency = new LatencyAccumulator();
  readonly warmLatency = new LatencyAccumulator();
  truthCold = 0;
  truthWarm = 0;
  truthUnknown = 0;
  maxMemoryMb: number | null = null;
  /** MB x ms summed, divided once at the end: whole numbers add up exactly. */
  billed = { calls: 0, billedMs: 0, mbMs: 0 };
  readonly reservoir: Reservoir;
  /**
   * False for the run's total: its figures are read from its functions' values (mergeTimings),
   * which gives the same figures without a second copy of every value. Its counts, sums and reservoir still see
   * every record in order, so key order, float sums and the sample are what one pass gives.
   */
  readonly #timed: boolean;

  constructor(seed: number, fn: string, maxSample: number, timed = true) {
    this.reservoir = new Reservoir(seed, fn, maxSample);
    this.#timed = timed;
  }

  #parts: readonly Accumulator[] | null = null;

  /** The total's timings are its parts' values, read together when a figure is asked for. */
  mergeTimings(parts: Iterable<Accumulator>): void {
    this.#parts = [...parts];
  }

  /** One timed figure (latency, lateness...): this accumulator's values, or the parts' of a total. */
  figures(pick: (a: Accumulator) => LatencyAccumulator): Percentiles | null {
    return mergedPercentiles(this.#parts ? this.#parts.map(pick) : [pick(this)]);
  }

  add(r: AnalysedRecord): void {
    const timed = this.#timed;
    if (!this.tally.add(r, timed)) return;
    if (r.status === 'ok' && r.latencyMs !== null) {
      this.reservoir.add(r.latencyMs);
      if (timed && r.cold !== null) (r.cold ? this.coldLatency : this.warmLatency).add(r.latencyMs);
    }
    if (timed && r.status === 'ok' && r.durationMs !== null) this.duration.add(r.durationMs);
    if (r.cold === true) this.truthCold += 1;
    else if (r.cold === false) this.truthWarm += 1;
    else if (r.status === 'ok' || r.status === 'function-error') this.truthUnknown += 1;
    if (timed && r.cold === true && r.initMs !== null) this.init.add(r.initMs);
    if (r.maxMemoryMb !== null) this.maxMemoryMb = Math.max(this.maxMemoryMb ?? 0, r.maxMemoryMb);
    // Billed as the cost model bills: calls that reached the function, errors included.
    if ((r.status === 'ok' || r.status === 'function-error') && r.billedMs !== null && r.memoryMb !== null) {
      this.billed.calls += 1;
      this.billed.billedMs += r.billedMs;
      this.billed.mbMs += r.billedMs * r.memoryMb;
    }
  }
}

const count = (byStatus: Partial<Record<InvocationStatus, number>>, ...statuses: InvocationStatus[]): number => statuses.reduce((s, k) => s + (byStatus[k] ?? 0), 0);

function latencyCis(acc: Accumulator, latency: Percentiles | null, key: string, o: Required<Omit<AnalyzeOptions, 'bucketMs'>>): LatencyCis | null {
  const n = acc.reservoir.seen;
  if (latency === null || n < MIN_CALLS_MEDIAN_CI) return null;
  const sorted = acc.reservoir.sorted();
  const withP99 = n >= MIN_CALLS_P99_CI;
  const ps = withP99 ? [50, 99] : [50];
  const estimates = withP99 ? [latency.p50, latency.p99] : [latency.p50];
  const b = bootstrapQuantiles({ sorted, n, estimates }, ps, { seed: o.seed, key: `latency:${key}`, resamples: o.resamples, level: o.level })!;
  const interval = (i: number): Interval | null => {
    const q = b.quantiles[i];
    return q ? { lo: q.lo, hi: q.hi } : null;
  };
  return { level: b.level, resamples: b.resamples, sample: b.sample, n: b.n, p50: interval(0), p99: withP99 ? interval(1) : null };
}

/** A function's cold-start figures, and the latency accumulators they were read from (the run's total merges them). */
interface ColdSplit {
  readonly stats: ColdStartStats;
  readonly latency: { readonly cold: LatencyAccumulator; readonly warm: LatencyAccumulator } | null;
}

function coldStats(acc: Accumulator, inference: ColdInference | null): ColdSplit {
  const init = acc.init.percentiles();
  const rate = (cold: number, warm: number): number | null => (cold + warm > 0 ? cold / (cold + warm) : null);
  if (acc.truthCold + acc.truthWarm > 0) {
    const stats: ColdStartStats = {
      source: 'platform',
      cold: acc.truthCold,
      warm: acc.truthWarm,
      unknown: acc.truthUnknown,
      rate: rate(acc.truthCold, acc.truthWarm),
      coldLatencyMs: acc.coldLatency.percentiles(),
      warmLatencyMs: acc.warmLatency.percentiles(),
      initMs: init,
    };
    return { stats, latency: { cold: acc.coldLatency, warm: acc.warmLatency } };
  }
  const result = inference?.result();
  if (!inference || !result || result.chosen === null) return { stats: { source: 'none', cold: 0, warm: 0, unknown: acc.truthUnknown, rate: null, coldLatencyMs: null, warmLatencyMs: null, initMs: init }, latency: null };
  // No measured call carried the platform's flag (else the source is 'platform'), so the split was
  // kept. Taken once: each call copies and sorts every latency of the function.
  const split = inference.inferredLatency()!;
  const stats: ColdStartStats = {
    source: 'inferred',
    cold: result.measured.cold,
    warm: result.measured.warm,
    unknown: 0,
    rate: rate(result.measured.cold, result.measured.warm),
    coldLatencyMs: split.cold.percentiles(),
    warmLatencyMs: split.warm.percentiles(),
    initMs: init,
  };
  return { stats, latency: split };
}

/** Memory may differ between calls: the MB-ms sum is priced as 1 MB over its whole billed time. */
function costUsd(pricing: Pricing, acc: Accumulator): number | null {
  return pricing.table ? costWith(pricing.table, { memoryMb: 1, billedMs: acc.billed.mbMs, requests: acc.billed.calls }).usd : null;
}

function stats(fn: string, acc: Accumulator, cold: ColdStartStats, instances: { count: number; peak: number }, o: Required<Omit<AnalyzeOptions, 'bucketMs'>> & { readonly pricing: Pricing }): FunctionStats {
  const latencyMs = acc.figures((a) => a.tally.latency);
  const counts = acc.tally.counts();
  return {
    fn,
    calls: counts.calls,
    warmupCalls: counts.warmupCalls,
    byStatus: counts.byStatus,
    ok: counts.ok,
    failed: counts.failed,
    errors: count(counts.byStatus, 'function-error', 'rejected', 'transport-error'),
    throttles: count(counts.byStatus, 'throttled'),
    dropped: count(counts.byStatus, 'dropped'),
    unknown: count(counts.byStatus, 'unknown'),
    errorClasses: counts.errorClasses,
    latencyMs,
    latencyCi: latencyCis(acc, latencyMs, fn, o),
    latenessMs: acc.figures((a) => a.tally.lateness),
    durationMs: acc.figures((a) => a.duration),
    maxMemoryMb: acc.maxMemoryMb,
    billing: { calls: acc.billed.calls, billedMs: acc.billed.billedMs, gbSeconds: acc.billed.mbMs / 1024 / 1000, costUsd: costUsd(o.pricing, acc) },
    coldStart: cold,
    instances,
  };
}

/** The run's cold-start figures from its functions': counts summed, latencies merged. */
function totalCold(parts: ReadonlyArray<{ cold: ColdSplit }>, runAcc: Accumulator): ColdStartStats {
  const sources = new Set(parts.map((p) => p.cold.stats.source).filter((s) => s !== 'none'));
  const coldAll: LatencyAccumulator[] = [];
  const warmAll: LatencyAccumulator[] = [];
  for (const { cold: split } of parts) {
    if (!split.latency) continue;
    coldAll.push(split.latency.cold);
    warmAll.push(split.latency.warm);
  }
  const cold = parts.reduce((s, p) => s + p.cold.stats.cold, 0);
  const warm = parts.reduce((s, p) => s + p.cold.stats.warm, 0);
  return {
    source: sources.size === 0 ? 'none' : sources.size === 1 ? [...sources][0]! : 'mixed',
    cold,
    warm,
    unknown: parts.reduce((s, p) => s + p.cold.stats.unknown, 0),
    rate: cold + warm > 0 ? cold / (cold + warm) : null,
    coldLatencyMs: mergedPercentiles(coldAll),
    warmLatencyMs: mergedPercentiles(warmAll),
    initMs: runAcc.figures((a) => a.init),
  };
}

function resolveOptions(options: AnalyzeOptions): Required<Omit<AnalyzeOptions, 'bucketMs'>> {
  return { seed: options.seed ?? 42, resamples: options.resamples ?? DEFAULT_RESAMPLES, level: options.level ?? DEFAULT_LEVEL, maxSample: options.maxSample ?? DEFAULT_MAX_SAMPLE };
}

async function callTrees(store: Store, runId: string): Promise<CallTreeSummary[]> {
  const out: CallTreeSummary[] = [];
  for await (const row of store.experimentRows(runId)) {
    const value: JsonValue = row.row;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const tree = asCallTree(value.tree);
    if (!tree) continue;
    const a = analyzeCallTree(tree);
    out.push({ kind: row.kind, nodes: a.nodes, failed: a.failed, depth: a.depth, coldNodes: a.coldNodes, instances: a.instances, rootMs: a.rootMs, sumSelfMs: a.sumSelfMs, criticalPath: a.criticalPath });
  }
  return out;
}

/** The run, or ResourceNotFound naming it. */
export async function requireRun(store: Store, runId: string): Promise<Run> {
  const run = await store.getRun(runId);
  if (!run) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
  return run;
}

/**
 * One run's analysis fed a record at a time, for a caller that reads the records itself: the
 * dashboard reads a run once for both its analysis and its charts. collectRun is the usual way in.
 */
export class RunCollector {
  readonly #run: Run;
  readonly #options: AnalyzeOptions;
  readonly #o: Required<Omit<AnalyzeOptions, 'bucketMs'>> & { readonly pricing: Pricing };
  readonly #runAcc: Accumulator;
  readonly #accs = new Map<string, { acc: Accumulator; inference: ColdInference }>();
  readonly #timeline = new InstanceTimeline();
  #finished = false;

  constructor(run: Run, options: AnalyzeOptions = {}) {
    this.#run = run;
    this.#options = options;
    this.#o = { ...resolveOptions(options), pricing: pricingFor(run.provider) };
    this.#runAcc = new Accumulator(this.#o.seed, '*', this.#o.maxSample, false);
  }

  /** Records in seq order, as the store hands them out. */
  add(r: AnalysedRecord): void {
    let of = this.#accs.get(r.fn);
    if (!of) this.#accs.set(r.fn, (of = { acc: new Accumulator(this.#o.seed, r.fn, this.#o.maxSample), inference: new ColdInference(r.fn) }));
    of.acc.add(r);
    this.#runAcc.add(r);
    of.inference.add(r);
    this.#timeline.add(r);
  }

  /**
   * A function's exact latency (ok measured calls), for another reader of the same pass (the
   * dashboard's report data) to read instead of keeping a copy; valid once every record is added.
   */
  latencyOf(fn: string): LatencyAccumulator {
    const of = this.#accs.get(fn);
    if (!of) throw new Error(`RunCollector.latencyOf: no record of function ${fn} was added`);
    return of.acc.tally.latency;
  }

  /** The figures, once; reads the run's experiment rows for call trees. */
  async finish(store: Store): Promise<RunCollection> {
    if (this.#finished) throw new Error('RunCollector.finish: already finished');
    this.#finished = true;
    const run = this.#run;
    const o = this.#o;
    const runAcc = this.#runAcc;
    runAcc.mergeTimings([...this.#accs.values()].map((a) => a.acc));
    const options = this.#options;
    const instancesTimeline = this.#timeline.result(options.bucketMs === undefined ? {} : { bucketMs: options.bucketMs });
    const instancesOf = (fn: string): { count: number; peak: number } => {
      const t = instancesTimeline.functions.find((f) => f.fn === fn);
      return { count: t?.instances ?? 0, peak: t?.peak ?? 0 };
    };
    const names = [...this.#accs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const parts = names.map((fn) => {
      const { acc, inference } = this.#accs.get(fn)!;
      return { fn, acc, inference, cold: coldStats(acc, inference) };
    });
    const functions = parts.map((p) => stats(p.fn, p.acc, p.cold.stats, instancesOf(p.fn), o));
    const liveAll = Array.from({ length: instancesTimeline.buckets }, (_, b) => instancesTimeline.functions.reduce((s, f) => s + f.live[b]!, 0));
    const peak = Math.max(0, ...liveAll);
    const total = stats('*', runAcc, totalCold(parts, runAcc), { count: instancesTimeline.functions.reduce((s, f) => s + f.instances, 0), peak }, o);

    const results = parts.map((p) => p.inference.result());
    const chosenOutcomes = results.flatMap((r) => (r.chosen === 'instance-id' ? [r.instanceId] : r.chosen === 'latency' ? [r.latency] : []));
    const { method: _method, ...chosen } = combineOutcomes('instance-id', chosenOutcomes);
    const inference: InferenceSummary = {
      chosen: { ...chosen, methods: [...new Set(results.flatMap((r) => (r.chosen ? [r.chosen] : [])))] },
      instanceId: combineOutcomes('instance-id', results.map((r) => r.instanceId)),
      latency: combineOutcomes('latency', results.map((r) => r.latency)),
      functions: results,
    };

    const samples = new Map<string, { sorted: Float64Array; n: number }>();
    for (const [fn, acc] of [...parts.map((p) => [p.fn, p.acc] as const), ['*', runAcc] as const]) samples.set(fn, { sorted: acc.reservoir.sorted(), n: acc.reservoir.seen });

    const analysis: RunAnalysis = {
      run: { id: run.id, kind: run.kind, name: run.name, provider: run.provider, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt },
      pricing: o.pricing.note,
      total,
      functions,
      inference,
      timeline: instancesTimeline,
      callTrees: await callTrees(store, run.id),
    };
    return { run, analysis, samples };
  }
}

/** One pass over the run's records, keeping the latency samples compare needs beside the figures. */
export async function collectRun(store: Store, runId: string, options: AnalyzeOptions = {}): Promise<RunCollection> {
  const run = await requireRun(store, runId);
  const collector = new RunCollector(run, options);
  for await (const page of store.recordPages(run.id, ANALYSIS_FIELDS)) for (const r of page) collector.add(r);
  return collector.finish(store);
}

/** The run's statistics; ResourceNotFound for an unknown run. An empty run gives zero counts and null figures. */
export async function analyzeRun(store: Store, runId: string, options: AnalyzeOptions = {}): Promise<RunAnalysis> {
  return (await collectRun(store, runId, options)).analysis;
}
