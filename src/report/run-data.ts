/**
 * readRunData(store, runId): one stored run turned into what its charts and summary need, in one
 * pass over its records (seq order): per function its calls tallied and its ok latencies kept
 * exact (8 bytes a call); a stride sample of points for the scatter; log bins of lateness; one
 * entry per instance. runCharts(data) then picks the charts that run has, experiment-specific
 * ones included. The report and the dashboard both call these two.
 *
 * Figures come from analysis' statistics core (call-tally.ts, latency-accumulator.ts), the one
 * `analyze` uses, so the report prints analyze's numbers: latency is received - sent of `ok` calls
 * of the measure phase; percentiles are nearest rank of exact values; lateness is sent - planned
 * of sent calls; instances are live from their first call's send to their last call's receive;
 * cold is the platform's flag.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CallTally } from '../analysis/call-tally.ts';
import { storedBreakdown } from '../analysis/trace-breakdown-run.ts';
import type { FunctionBreakdown } from '../analysis/trace-breakdown-stats.ts';
import { mergedPercentiles, type LatencyAccumulator, type Percentiles } from '../analysis/latency-accumulator.ts';
import { FaasbenchError } from '../core/errors.ts';
import { plural } from '../core/plural.ts';
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import { runPath } from '../store/run-paths.ts';
import type { InvocationFields, JsonValue, Run, Store } from '../store/store.ts';
import type { MappingEntry } from '../trace/mapping.ts';
import { readMapping } from '../trace/mapping-file.ts';
import { BREAKDOWN_CHART, breakdownChart } from './breakdown-chart.ts';
import { readStoredResult, type StoredResult } from './result-data.ts';
import { resultCharts } from './result-charts.ts';
import {
  cdfPoints,
  instancesOverTime,
  instancesPerStep,
  latenessHistogram,
  latencyCdf,
  latencyOverTime,
  LogHistogramBuilder,
  MAX_SCATTER_POINTS,
  memorySweepCurve,
  StrideSample,
  type CdfPoint,
  type InstancesSeries,
  type LogHistogram,
  type MemorySweepOptions,
  type MemorySweepRow,
  type Sampling,
  type SeriesLegend,
  type StepRow,
  type TimePoint,
} from './run-charts.ts';
import { StepTracker } from './run-series.ts';
import { memoryDurationScatter, traceVsProxyHistogram } from './trace-charts.ts';

export interface ReadRunOptions {
  /** Scatter points kept while reading (cold starts and other calls each). Default MAX_SCATTER_POINTS. */
  readonly maxPoints?: number;
  /** Most buckets of the instances timeline. Default 200. */
  readonly maxBuckets?: number;
  /** Records fetched per query. */
  readonly pageSize?: number;
}

/**
 * Each function's exact latency (ok measured calls), kept by another reader of the same records:
 * the dashboard's analysis (run-analysis.ts RunCollector) holds it already, so the builder keeps
 * no second copy (8 bytes a call). Asked once the pass is over.
 */
export interface SharedLatency {
  latencyOf(fn: string): LatencyAccumulator;
}

/** The invocation fields the report reads: all its pass asks the store for. */
export const REPORT_FIELDS = ['fn', 'tag', 'phase', 'status', 'errorClass', 'cold', 'latencyMs', 'plannedUs', 'sentUs', 'receivedUs', 'instanceId'] as const satisfies readonly (keyof InvocationRecord)[];

/** An invocation as the report sees it. */
export type ReportedRecord = InvocationFields<(typeof REPORT_FIELDS)[number]>;
export const DEFAULT_MAX_BUCKETS = 200;

/** Latency figures: analysis' own (nearest rank of exact values, `precision` stated). */
export type LatencyStats = Percentiles;

export interface FunctionReport {
  /** The function's name; `*` for all functions together. */
  readonly fn: string;
  /** Measure-phase calls. */
  readonly calls: number;
  readonly warmupCalls: number;
  /** Measure-phase calls by status. */
  readonly byStatus: Partial<Record<InvocationStatus, number>>;
  readonly ok: number;
  /** Measure-phase calls not ok. */
  readonly failed: number;
  readonly errorClasses: Record<string, number>;
  /** Measure-phase calls the platform flagged cold and warm. */
  readonly cold: number;
  readonly warm: number;
  readonly latencyMs: LatencyStats | null;
}

export interface RunReportData {
  readonly run: Run;
  /** Every stored record of the run, warm-up included. */
  readonly records: number;
  /** All records by status. */
  readonly byStatus: Partial<Record<InvocationStatus, number>>;
  /** Sorted by name. */
  readonly functions: readonly FunctionReport[];
  /** All functions together, when there are several; else null. */
  readonly total: FunctionReport | null;
  readonly cdf: { readonly points: readonly CdfPoint[]; readonly calls: Readonly<Record<string, number>>; readonly method: string };
  readonly overTime: { readonly points: readonly TimePoint[]; readonly sampling: { readonly cold: Sampling; readonly other: Sampling } };
  /** Null when no call reported an instance id. */
  readonly instances: (InstancesSeries & { readonly startUs: number; readonly count: number }) | null;
  readonly lateness: LogHistogram;
  readonly dropped: number;
  /** A memory-sweep run's sizes (experiment rows of kind `size`), null otherwise. */
  readonly memorySweep: { readonly rows: readonly MemorySweepRow[]; readonly options: MemorySweepOptions } | null;
  /** An experiment's stored answer (its `result` row), null for other runs and before it has one. */
  readonly result: StoredResult | null;
  /** Where requests' time went, per entry function, from the run's stored X-Ray traces (`traces get`); null or absent without. */
  readonly breakdown?: readonly FunctionBreakdown[] | null;
  /**
   * An experiment whose calls of one function carry several tags (its steps): the CDF and the
   * scatter draw one series per step, named here in run order; null when functions are the series.
   */
  readonly series: SeriesLegend | null;
  /** Per step, what served its calls: drawn in place of instances over time. Null with `series`. */
  readonly steps: readonly StepRow[] | null;
  /** A trace replay's mapping, when its params name one that can still be read. */
  readonly mapping: { readonly file: string; readonly entries: readonly MappingEntry[] } | null;
  /** What a reader should know that no chart shows: warm-up calls left out, a mapping file gone... */
  readonly notes: readonly string[];
}

class FunctionAccumulator {
  // Lateness is binned once for the whole run (#lateness below), never read per function: its
  // exact values would be 8 bytes a call for nothing.
  readonly tally: CallTally;
  cold = 0;
  warm = 0;

  constructor(
    readonly fn: string,
    readonly shared: SharedLatency | null = null,
  ) {
    this.tally = new CallTally({ keep: { lateness: false, latency: shared === null } });
  }

  /** The function's exact latency: its own, or the shared reader's once the pass is over. */
  get latency(): LatencyAccumulator {
    return this.shared ? this.shared.latencyOf(this.fn) : this.tally.latency;
  }

  add(r: ReportedRecord): void {
    if (!this.tally.add(r)) return;
    if (r.cold === true) this.cold += 1;
    else if (r.cold === false) this.warm += 1;
  }

  /** Every function's calls together: counts summed, latency figures read from every function's values (no copy). */
  static total(parts: readonly FunctionAccumulator[]): FunctionReport {
    const all = new FunctionAccumulator('*');
    for (const a of parts) {
      all.tally.calls += a.tally.calls;
      all.tally.warmupCalls += a.tally.warmupCalls;
      all.cold += a.cold;
      all.warm += a.warm;
      for (const [status, n] of Object.entries(a.tally.byStatus) as [InvocationStatus, number][]) all.tally.byStatus[status] = (all.tally.byStatus[status] ?? 0) + n;
      for (const [errorClass, n] of Object.entries(a.tally.errorClasses)) all.tally.errorClasses[errorClass] = (all.tally.errorClasses[errorClass] ?? 0) + n;
    }
    return all.report(mergedPercentiles(parts.map((a) => a.latency)));
  }

  report(latencyMs = this.latency.percentiles()): FunctionReport {
    const c = this.tally.counts();
    return { fn: this.fn, calls: c.calls, warmupCalls: c.warmupCalls, byStatus: c.byStatus, ok: c.ok, failed: c.failed, errorClasses: c.errorClasses, cold: this.cold, warm: this.warm, latencyMs };
  }
}

interface Span {
  fn: string;
  firstUs: number;
  lastUs: number;
}

/** A scatter point before the run's first send time is known. */
interface RawPoint {
  readonly fn: string;
  readonly tag: string | null;
  readonly sentUs: number;
  readonly latencyMs: number;
  readonly cold: boolean | null;
}

/**
 * One run's report data fed a record at a time, for a caller that reads the records itself: the
 * dashboard reads a run once for both its analysis and its charts. readRunData is the usual way in.
 */
export class RunDataBuilder {
  readonly #run: Run;
  readonly #maxBuckets: number;
  readonly #functions = new Map<string, FunctionAccumulator>();
  readonly #shared: SharedLatency | null;
  readonly #byStatus: Partial<Record<InvocationStatus, number>> = {};
  readonly #coldPoints: StrideSample<RawPoint>;
  readonly #otherPoints: StrideSample<RawPoint>;
  readonly #lateness = new LogHistogramBuilder();
  // Experiments only: a load run's calls carry no steps, and its latencies are kept once already.
  readonly #steps: StepTracker | null;
  // One entry per instance, never per call: a 10-million-call run has thousands, not millions.
  // Keyed by function, then instance: one id could recur under two functions (a shared sandbox).
  readonly #spans = new Map<string, Map<string, Span>>();
  #records = 0;
  #dropped = 0;
  #firstUs = Infinity;
  #finished = false;

  constructor(run: Run, options: ReadRunOptions = {}, shared: SharedLatency | null = null) {
    this.#run = run;
    this.#shared = shared;
    this.#steps = run.kind === 'experiment' ? new StepTracker() : null;
    this.#maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    const maxPoints = options.maxPoints ?? MAX_SCATTER_POINTS;
    this.#coldPoints = new StrideSample<RawPoint>(maxPoints);
    this.#otherPoints = new StrideSample<RawPoint>(maxPoints);
  }

  /** Records in seq order, as the store hands them out. */
  add(r: ReportedRecord): void {
    this.#records += 1;
    this.#byStatus[r.status] = (this.#byStatus[r.status] ?? 0) + 1;
    let acc = this.#functions.get(r.fn);
    if (!acc) this.#functions.set(r.fn, (acc = new FunctionAccumulator(r.fn, this.#shared)));
    acc.add(r);
    this.#steps?.add(r);
    const from = r.sentUs ?? r.plannedUs;
    if (from < this.#firstUs) this.#firstUs = from;
    if (r.status === 'dropped') this.#dropped += 1;
    if (r.instanceId !== null) {
      let ofFn = this.#spans.get(r.fn);
      if (!ofFn) this.#spans.set(r.fn, (ofFn = new Map()));
      const to = r.receivedUs ?? from;
      const span = ofFn.get(r.instanceId);
      if (span) {
        if (from < span.firstUs) span.firstUs = from;
        if (to > span.lastUs) span.lastUs = to;
      } else ofFn.set(r.instanceId, { fn: r.fn, firstUs: from, lastUs: to });
    }
    if (r.phase !== 'measure') return;
    if (r.sentUs !== null) this.#lateness.add((r.sentUs - r.plannedUs) / 1000);
    if (r.status === 'ok' && r.latencyMs !== null && r.sentUs !== null) {
      (r.cold === true ? this.#coldPoints : this.#otherPoints).add({ fn: r.fn, tag: r.tag, sentUs: r.sentUs, latencyMs: r.latencyMs, cold: r.cold });
    }
  }

  /** The figures and chart inputs, once; reads the run's experiment rows and a replay's mapping file. */
  async finish(store: Store): Promise<RunReportData> {
    if (this.#finished) throw new Error('RunDataBuilder.finish: already finished');
    this.#finished = true;
    const run = this.#run;
    const firstUs = this.#firstUs;
    const accs = [...this.#functions.values()].sort((a, b) => (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0));
    const total = accs.length > 1 ? FunctionAccumulator.total(accs) : null;
    const series = this.#steps?.result() ?? null;
    const toPoint = (p: RawPoint): TimePoint => ({ fn: series ? series.labelOf(p.fn, p.tag) : p.fn, tS: Math.round(p.sentUs - firstUs) / 1e6, latencyMs: p.latencyMs, cold: p.cold });
    const notes: string[] = [];
    const warmup = accs.reduce((s, a) => s + a.tally.warmupCalls, 0);
    if (warmup > 0) notes.push(`${plural(warmup, 'warm-up call')} left out of the latency figures and charts (they count in the instances chart).`);
    const [memorySweep, mapping, result] = await Promise.all([readMemorySweep(store, run.id), readTraceMapping(run, notes), run.kind === 'experiment' ? readStoredResult(store, run.id) : null]);
    if (result) notes.push(...resultCharts(result).notes);
    if (series) notes.push(`The calls of one function carry several tags (the experiment's steps): the latency charts draw one series per ${series.legend.title}, not one pooled per function.`);
    const [coldPoints, otherPoints] = [this.#coldPoints, this.#otherPoints];

    return {
      run,
      records: this.#records,
      byStatus: this.#byStatus,
      functions: accs.map((a) => a.report()),
      total,
      cdf: {
        points: series ? series.cdf.points : accs.flatMap((a) => (a.latency.count > 0 ? cdfPoints(a.fn, a.latency.sorted()) : [])),
        calls: series ? series.cdf.calls : Object.fromEntries(accs.map((a) => [a.fn, a.latency.count])),
        method: 'exact: every call counted',
      },
      overTime: { points: [...otherPoints.items.map(toPoint), ...coldPoints.items.map(toPoint)], sampling: { cold: coldPoints.sampling, other: otherPoints.sampling } },
      instances: bucketSpans([...this.#spans.values()].flatMap((ofFn) => [...ofFn.values()]), firstUs, this.#maxBuckets),
      lateness: this.#lateness.result(),
      dropped: this.#dropped,
      memorySweep,
      result,
      series: series?.legend ?? null,
      steps: series?.steps ?? null,
      mapping,
      notes,
    };
  }
}

/** The run's figures and chart inputs; ResourceNotFound naming the id when the store has no such run. */
export async function readRunData(store: Store, runId: string, options: ReadRunOptions = {}): Promise<RunReportData> {
  const run = await store.getRun(runId);
  if (!run) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
  const builder = new RunDataBuilder(run, options);
  for await (const page of store.recordPages(run.id, REPORT_FIELDS, options.pageSize ? { pageSize: options.pageSize } : {})) for (const r of page) builder.add(r);
  return { ...(await builder.finish(store)), breakdown: await storedBreakdown(store, run.id) };
}

/** Bucket widths of 1, 2 or 5 times a power of ten ms keep the axis labels round. */
function niceBucketMs(spanMs: number, maxBuckets: number): number {
  const raw = Math.max(1, spanMs / maxBuckets);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5]) if (step * power >= raw) return step * power;
  return 10 * power;
}

function bucketSpans(spans: readonly Span[], startUs: number, maxBuckets: number): RunReportData['instances'] {
  if (spans.length === 0) return null;
  // A loop, not Math.max(...spans): a spread of 100,000s of arguments overflows the stack.
  const endUs = spans.reduce((max, s) => (s.lastUs > max ? s.lastUs : max), -Infinity);
  const bucketMs = niceBucketMs((endUs - startUs) / 1000, maxBuckets);
  const bucketOf = (us: number): number => Math.floor((us - startUs) / (bucketMs * 1000));
  const buckets = bucketOf(endUs) + 1;
  const byFn = new Map<string, Int32Array>();
  for (const s of spans) {
    let delta = byFn.get(s.fn);
    if (!delta) byFn.set(s.fn, (delta = new Int32Array(buckets + 1)));
    // A difference array: +1 at a span's first bucket, -1 after its last.
    delta[bucketOf(s.firstUs)]! += 1;
    delta[bucketOf(s.lastUs) + 1]! -= 1;
  }
  const functions = [...byFn.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([fn, delta]) => {
      let running = 0;
      return { fn, live: Array.from({ length: buckets }, (_, b) => (running += delta[b]!)) };
    });
  return { startUs, bucketMs, functions, count: spans.length };
}

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * memory-sweep's `size` rows (memoryMb, averageBilledMs, costUsd) and its recommendation from the
 * `result` row. Other experiments record `size` rows too (cpu-share, io-net): without an average
 * billed duration and a cost field, a row is not a sweep's.
 */
async function readMemorySweep(store: Store, runId: string): Promise<RunReportData['memorySweep']> {
  const rows: MemorySweepRow[] = [];
  for await (const { row } of store.experimentRows(runId, { kind: 'size' })) {
    if (!isObject(row) || typeof row.memoryMb !== 'number' || !('costUsd' in row) || !('averageBilledMs' in row)) continue;
    if (typeof row.averageBilledMs !== 'number') continue;
    rows.push({ memoryMb: row.memoryMb, durationMs: row.averageBilledMs, costUsd: typeof row.costUsd === 'number' ? row.costUsd : null });
  }
  if (rows.length === 0) return null;
  let recommended: MemorySweepOptions['recommended'] = null;
  let note: string | undefined;
  for await (const { row } of store.experimentRows(runId, { kind: 'result' })) {
    const summary = isObject(row) ? row.summary : undefined;
    if (!isObject(summary)) continue;
    const choice = summary.recommendation;
    if (isObject(choice) && typeof choice.memoryMb === 'number' && typeof summary.strategy === 'string') recommended = { memoryMb: choice.memoryMb, by: summary.strategy };
    if (typeof summary.pricedAs === 'string') note = `cost priced as ${summary.pricedAs}, request price included`;
  }
  return { rows, options: { durationLabel: 'average billed duration (ms)', recommended, ...(note ? { note } : {}) } };
}

/** The mapping a trace replay names (`trace replay --mapping`, or the trace-replay experiment's `mapping`), read again from disk. */
async function readTraceMapping(run: Run, notes: string[]): Promise<RunReportData['mapping']> {
  const params = run.params;
  let file: JsonValue | undefined;
  if (run.kind === 'trace-replay' && isObject(params)) file = params.mapping;
  else if (run.kind === 'experiment' && run.name === 'trace-replay' && isObject(params) && isObject(params.values)) file = params.values.mapping;
  if (typeof file !== 'string' || file === '') return null;
  try {
    // From the folder the run was started in, not the one report or serve runs in.
    const found = runPath(run, file);
    return { file: found, entries: readMapping(found).entries };
  } catch (err) {
    notes.push(`The replay's mapping could not be read, so its trace-vs-proxy charts are left out: ${(err as Error).message}`);
    return null;
  }
}

export interface RunChart {
  /** File name stem: `latency-cdf` gives latency-cdf.svg and latency-cdf.png. */
  readonly name: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
  /** `result`: a chart the experiment declares to answer its question; else a chart of the run's calls. */
  readonly group: 'result' | 'calls';
}

/** The charts this run has data for, in reading order: the experiment's answer first. */
export function runCharts(data: RunReportData): RunChart[] {
  const charts: RunChart[] = data.result ? resultCharts(data.result).charts.map((c) => ({ ...c, group: 'result' as const })) : [];
  // Runs stored before experiments declared their charts still get lambda-power-tuning's curve.
  if (data.memorySweep && !data.result?.charts.length) charts.push({ name: 'memory-sweep', title: 'Memory sweep: speed and cost', spec: memorySweepCurve(data.memorySweep.rows, data.memorySweep.options), group: 'result' });
  const series = data.series ? { series: data.series } : {};
  const calls = (name: string, title: string, spec: TopLevelSpec): void => void charts.push({ name, title, spec, group: 'calls' });
  if (data.cdf.points.length > 0) calls('latency-cdf', 'Latency CDF', latencyCdf(data.cdf.points, { calls: data.cdf.calls, method: data.cdf.method, ...series }));
  if (data.overTime.points.length > 0) calls('latency-over-time', 'Latency over time', latencyOverTime(data.overTime.points, { sampling: data.overTime.sampling, ...series }));
  if (data.steps && data.series) calls('instances-per-step', `Instances per step`, instancesPerStep(data.steps, data.series));
  else if (data.instances) calls('instances-over-time', 'Instances over time', instancesOverTime(data.instances));
  if (data.lateness.total > 0) calls('lateness', 'Lateness', latenessHistogram(data.lateness, { dropped: data.dropped }));
  if (data.mapping && data.mapping.entries.length > 0) {
    calls('trace-duration-histogram', 'Trace vs proxy: p75 duration', traceVsProxyHistogram(data.mapping.entries, 'duration'));
    calls('trace-memory-histogram', 'Trace vs proxy: p75 memory', traceVsProxyHistogram(data.mapping.entries, 'memory'));
    calls('trace-memory-duration', 'Trace vs proxy: memory vs duration', memoryDurationScatter(data.mapping.entries));
  }
  if (data.breakdown?.length) calls(BREAKDOWN_CHART.name, BREAKDOWN_CHART.title, breakdownChart(data.breakdown));
  return charts;
}
