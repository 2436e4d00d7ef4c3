/**
 * Vega-Lite specs of one run's calls, shared by the HTML report and the dashboard: latency CDF,
 * latency over time with cold starts marked, instances over time, lateness histogram, and
 * lambda-power-tuning's cost/speed curve of a memory sweep. Pure functions of plain data: what
 * reads a store is run-data.ts; what draws is render.ts (or the dashboard's browser).
 *
 * Every chart colours a function the same way (FUNCTION_COLOURS over the sorted names), and every
 * builder bounds the marks it draws, so a 10-million-call run lays out in about a second: scatter
 * points by keeping every k-th call (k stated in the subtitle), CDFs by exact values at evenly
 * spaced ranks plus the tail, histograms and timelines by bins.
 */
import type { TopLevelSpec } from 'vega-lite';
import { nearestRank } from '../analysis/percentile.ts';
import { decadeDomain, logTicks } from './log-axis.ts';
import { logBinEdge, logBinIndex } from './log-bins.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 640;
const HEIGHT = 320;

/** Vega-Lite's own default (tableau10), written out so a function's colour never depends on a renderer's default. */
export const FUNCTION_COLOURS: readonly string[] = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/** Latencies and lateness are whole µs in the store: 1 µs is the smallest value a log axis needs to show. */
export const MIN_MS = 0.001;

/** Points of one scatter: ~0.5 s of layout and 2.5 MB of SVG at 10,000. */
export const MAX_SCATTER_POINTS = 10_000;
/** Points per function on a CDF: finer than a chart's pixels across. */
export const CDF_POINTS = 500;

// ---------------------------------------------------------------------------------------------
// Sampling

/** What a sample stands for: `total` items, of which every `stride`-th (from the first) was kept. */
export interface Sampling {
  readonly total: number;
  readonly stride: number;
}

/** Every k-th item from the first, k the smallest that keeps at most `max`: deterministic and even in time. */
export function everyNth<T>(items: readonly T[], max: number): { items: T[]; stride: number } {
  if (!(max >= 1)) throw new RangeError(`everyNth: max must be at least 1, not ${max}`);
  const stride = Math.max(1, Math.ceil(items.length / max));
  return { items: stride === 1 ? [...items] : items.filter((_, i) => i % stride === 0), stride };
}

/**
 * everyNth over a stream of unknown length in bounded memory: keeps item i when i % stride is 0,
 * doubling the stride (and dropping the kept items that no longer qualify) whenever more than
 * `cap` are kept. The result is exactly everyNth with a power-of-two stride: between cap/2 and
 * cap items, the same for the same input.
 */
export class StrideSample<T> {
  readonly #cap: number;
  #kept: { index: number; item: T }[] = [];
  #stride = 1;
  #seen = 0;

  constructor(cap: number) {
    if (!(cap >= 1)) throw new RangeError(`StrideSample: cap must be at least 1, not ${cap}`);
    this.#cap = cap;
  }

  add(item: T): void {
    const index = this.#seen++;
    if (index % this.#stride !== 0) return;
    this.#kept.push({ index, item });
    if (this.#kept.length > this.#cap) {
      this.#stride *= 2;
      this.#kept = this.#kept.filter((k) => k.index % this.#stride === 0);
    }
  }

  get items(): T[] {
    return this.#kept.map((k) => k.item);
  }

  get sampling(): Sampling {
    return { total: this.#seen, stride: this.#stride };
  }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** One colour per function, the same in every chart of a run: the sorted names take the palette in turn. */
export function functionColourScale(fns: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(fns)].sort(byName);
  return { domain, range: domain.map((_, i) => FUNCTION_COLOURS[i % FUNCTION_COLOURS.length]!) };
}

/**
 * What the lines and points of a run's charts stand for: functions by default; an experiment's
 * steps (its calls' tags: one memory size, one burst) when its calls of one function carry
 * several, in the order the experiment ran them.
 */
export interface SeriesLegend {
  readonly title: string;
  readonly order: readonly string[];
}

function functionColour(fns: Iterable<string>, series?: SeriesLegend) {
  const scale = series ? { domain: [...series.order], range: series.order.map((_, i) => FUNCTION_COLOURS[i % FUNCTION_COLOURS.length]!) } : functionColourScale(fns);
  // labelLimit 0: a step's name is the answer's key, never cut to "mem-1…".
  return { field: 'fn', type: 'nominal', scale, legend: { title: series?.title ?? 'function', orient: 'top', direction: 'horizontal', labelLimit: 0, columns: 6 } } as const;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function logAxis(title: string, domain: readonly [number, number]) {
  return { title, values: logTicks(domain[0], domain[1]), format: ',~g', labelOverlap: 'greedy' } as const;
}

/** Whole decades around the values (1-10 ms when there are none). */
function logDomain(values: Iterable<number>): [number, number] {
  let [low, high] = [Infinity, -Infinity];
  for (const v of values) [low, high] = [Math.min(low, v), Math.max(high, v)];
  return low === Infinity ? [1, 10] : decadeDomain(low, high);
}

const atLeastMin = (ms: number): number => (ms >= MIN_MS ? ms : MIN_MS);

const grouped = (n: number): string => n.toLocaleString('en-US');

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${grouped(n)} ${n === 1 ? noun : plural}`;
}

function ordinal(n: number): string {
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${grouped(n)}${suffix}`;
}

/** "every 16th of 1,000,000 warm calls" / "all 12 cold starts". */
function sampledPhrase(kept: number, sampling: Sampling, noun: string, plural = `${noun}s`): string {
  if (sampling.stride === 1 && kept === sampling.total) return sampling.total === 1 ? `the 1 ${noun}` : `all ${count(sampling.total, noun, plural)}`;
  return `every ${ordinal(sampling.stride)} of ${count(sampling.total, noun, plural)} (${grouped(kept)})`;
}

// ---------------------------------------------------------------------------------------------
// Latency CDF

export interface CdfPoint {
  readonly fn: string;
  readonly latencyMs: number;
  /** Share of the function's calls at or below latencyMs. */
  readonly fraction: number;
}

/**
 * The empirical CDF of sorted latencies: every distinct value when there are at most `maxPoints`;
 * beyond that, the exact values at `maxPoints` evenly spaced ranks and at the p99, p99.9, ...
 * ranks, where a tail lives that even spacing would skip. Starts at (smallest, 0) so the line
 * rises from the baseline.
 */
export function cdfPoints(fn: string, sortedMs: ArrayLike<number>, maxPoints = CDF_POINTS): CdfPoint[] {
  const n = sortedMs.length;
  if (n === 0) return [];
  const points: CdfPoint[] = [{ fn, latencyMs: sortedMs[0]!, fraction: 0 }];
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) if (i === n - 1 || sortedMs[i + 1] !== sortedMs[i]) points.push({ fn, latencyMs: sortedMs[i]!, fraction: (i + 1) / n });
    return points;
  }
  for (const rank of cdfRanks(n, maxPoints)) points.push({ fn, latencyMs: sortedMs[rank - 1]!, fraction: rank / n });
  return points;
}

/** The 1-based ranks cdfPoints draws for n values: `maxPoints` evenly spaced, then the p99, p99.9... ranks n has. */
export function cdfRanks(n: number, maxPoints = CDF_POINTS): number[] {
  const ranks = new Set<number>();
  for (let j = 1; j <= maxPoints; j++) ranks.add(nearestRank((100 * j) / maxPoints, n));
  // p99, p99.9...: the ranks the summary's figures sit at, so the curve passes through them.
  for (let k = 2; n >= 10 ** k; k++) ranks.add(nearestRank(100 - 100 / 10 ** k, n));
  return [...ranks].sort((a, b) => a - b);
}

export interface LatencyCdfOptions {
  /** Calls behind each function's curve, for the subtitle. */
  readonly calls?: Readonly<Record<string, number>>;
  /** How the points were taken (the report says "exact: every call counted"). */
  readonly method?: string;
  readonly series?: SeriesLegend;
}

export function latencyCdf(points: readonly CdfPoint[], options: LatencyCdfOptions = {}): TopLevelSpec {
  const fns = options.series ? [...options.series.order] : functionColourScale(points.map((p) => p.fn)).domain;
  const values = points.map((p) => ({ fn: p.fn, latencyMs: atLeastMin(p.latencyMs), fraction: p.fraction }));
  const domain = logDomain(values.map((v) => v.latencyMs));
  const calls = options.calls;
  const subtitle = [calls ? `ok calls of the measure phase: ${fns.map((fn) => `${fn} ${grouped(calls[fn] ?? 0)}`).join(', ')}` : 'ok calls of the measure phase'];
  subtitle.push(options.method ?? 'exact: every call counted');
  return {
    $schema: SCHEMA,
    title: { text: 'Latency CDF', subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'latencyMs', type: 'quantitative', scale: { type: 'log', domain, nice: false }, axis: logAxis('latency (ms, log scale)', domain) },
      y: { field: 'fraction', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: 'share of calls at or below', format: '.0%' } },
      // Equal latencies (the first point and the smallest value) must keep their rank order.
      order: { field: 'fraction', type: 'quantitative' },
      color: functionColour(fns, options.series),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Latency over time

export interface TimePoint {
  readonly fn: string;
  /** Seconds since the run's first call. */
  readonly tS: number;
  readonly latencyMs: number;
  /** The platform's word; null where it gave none. */
  readonly cold: boolean | null;
}

export type CallStart = 'warm' | 'cold' | 'unknown';
const STARTS: readonly CallStart[] = ['warm', 'cold', 'unknown'];
const START_SHAPES: Readonly<Record<CallStart, string>> = { warm: 'circle', cold: 'triangle-up', unknown: 'diamond' };

export interface LatencyOverTimeOptions {
  /**
   * What the points stand for when the caller sampled them already: cold starts and the other
   * calls separately, since cold starts are the few points a reader looks for.
   */
  readonly sampling?: { readonly cold: Sampling; readonly other: Sampling };
  readonly maxPoints?: number;
  readonly series?: SeriesLegend;
}

/**
 * A scatter of latency against send time, coloured by function; cold starts are larger,
 * opaque triangles drawn over the rest. Beyond maxPoints, every k-th cold start and every j-th
 * other call are kept, cold starts getting at least half the budget.
 */
export function latencyOverTime(points: readonly TimePoint[], options: LatencyOverTimeOptions = {}): TopLevelSpec {
  const max = options.maxPoints ?? MAX_SCATTER_POINTS;
  const cold = points.filter((p) => p.cold === true);
  const other = points.filter((p) => p.cold !== true);
  let [coldMax, otherMax] = [cold.length, other.length];
  if (cold.length + other.length > max) {
    coldMax = Math.min(cold.length, Math.max(max - other.length, Math.floor(max / 2)));
    otherMax = max - coldMax;
  }
  const keptCold = everyNth(cold, Math.max(1, coldMax));
  const keptOther = everyNth(other, Math.max(1, otherMax));
  const given = options.sampling ?? { cold: { total: cold.length, stride: 1 }, other: { total: other.length, stride: 1 } };
  const coldSampling = { total: given.cold.total, stride: given.cold.stride * keptCold.stride };
  const otherSampling = { total: given.other.total, stride: given.other.stride * keptOther.stride };
  const start = (c: boolean | null): CallStart => (c === true ? 'cold' : c === false ? 'warm' : 'unknown');
  // Cold starts last: Vega draws in data order, so they sit on top.
  const values = [...keptOther.items, ...keptCold.items].map((p) => ({ fn: p.fn, tS: p.tS, latencyMs: atLeastMin(p.latencyMs), start: start(p.cold) }));
  const unknown = other.some((p) => p.cold === null);
  const subtitle = ['ok calls of the measure phase, by send time', `cold starts (the platform's flag): triangles${unknown ? '; calls it did not flag: diamonds' : ''}`];
  subtitle.push(`shown: ${sampledPhrase(keptOther.items.length, otherSampling, 'other call')} and ${sampledPhrase(keptCold.items.length, coldSampling, 'cold start')}`);
  const domain = logDomain(values.map((v) => v.latencyMs));
  const fns = values.map((v) => v.fn);
  // Only the kinds drawn: a legend entry for diamonds no run has would send readers looking for them.
  const starts = STARTS.filter((s) => values.some((v) => v.start === s));
  const shapes = starts.map((s) => START_SHAPES[s]);
  return {
    $schema: SCHEMA,
    title: { text: 'Latency over time', subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'point', filled: true },
    encoding: {
      x: { field: 'tS', type: 'quantitative', ...(values.length === 0 ? { scale: { domain: [0, 1] } } : {}), axis: { title: 'time since the first call (s)' } },
      y: { field: 'latencyMs', type: 'quantitative', scale: { type: 'log', domain, nice: false }, axis: logAxis('latency (ms, log scale)', domain) },
      color: functionColour(fns, options.series),
      shape: { field: 'start', type: 'nominal', scale: { domain: starts, range: shapes }, legend: { title: 'call', orient: 'top', direction: 'horizontal' } },
      // A condition, not a size scale: Vega-Lite warns of size over an unordered field, and one legend (shapes) is enough.
      size: { condition: { test: "datum.start === 'cold'", value: 70 }, value: 12 },
      opacity: { condition: { test: "datum.start === 'cold'", value: 1 }, value: 0.45 },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Instances over time

/** Structurally analysis/instances-timeline's InstancesTimeline, so either can be passed. */
export interface InstancesSeries {
  readonly bucketMs: number;
  readonly functions: ReadonlyArray<{ readonly fn: string; readonly live: readonly number[] }>;
}

/** Stacked per function, so the top edge is the run's total. */
export function instancesOverTime(series: InstancesSeries): TopLevelSpec {
  const buckets = Math.max(0, ...series.functions.map((f) => f.live.length));
  const fns = [...series.functions].sort((a, b) => byName(a.fn, b.fn));
  const values: { fn: string; tS: number; live: number }[] = [];
  for (const f of fns) {
    // Step-after draws each value to the next point: one point past the end gives the last bucket its width.
    for (let b = 0; b <= buckets; b++) values.push({ fn: f.fn, tS: round((b * series.bucketMs) / 1000, 6), live: f.live[Math.min(b, buckets - 1)] ?? 0 });
  }
  const totals = Array.from({ length: buckets }, (_, b) => fns.reduce((s, f) => s + (f.live[b] ?? 0), 0));
  const peak = Math.max(0, ...totals);
  const subtitle = [
    "an instance is live from its first call's send to its last call's answer",
    `${bucketLabel(series.bucketMs)} buckets; peak ${count(peak, 'instance')} live at once${fns.length > 1 ? ' (all functions)' : ''}`,
  ];
  return {
    $schema: SCHEMA,
    title: { text: 'Instances over time', subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'area', interpolate: 'step-after', line: { strokeWidth: 1 }, opacity: 0.8 },
    encoding: {
      // No instances, no extent: Vega warns of an infinite one.
      x: { field: 'tS', type: 'quantitative', ...(values.length === 0 ? { scale: { domain: [0, 1] } } : {}), axis: { title: 'time since the first call (s)' } },
      y: { field: 'live', type: 'quantitative', stack: 'zero', ...(peak === 0 ? { scale: { domain: [0, 1] } } : {}), axis: { title: 'instances live', tickMinStep: 1, format: 'd' } },
      color: functionColour(fns.map((f) => f.fn)),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Instances per step

/** One step of an experiment (the calls of one tag, or of a few pooled): what served them. */
export interface StepRow {
  readonly step: string;
  /** Measure-phase calls of the step. */
  readonly calls: number;
  /** Distinct instance ids among the step's calls (null when no call reported one). */
  readonly instances: number | null;
  /** Calls the platform flagged cold. */
  readonly cold: number;
}

/**
 * For an experiment's calls, in place of instances over time: an experiment runs its steps one
 * after another, a few calls each, so a timeline is one instance, solid, from start to end. What a
 * reader asks is how many instances served each step and how many of its calls started cold.
 */
export function instancesPerStep(rows: readonly StepRow[], series: SeriesLegend): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { step: r.step, what: 'instances', n: r.instances },
    { step: r.step, what: 'cold starts', n: r.cold },
    { step: r.step, what: 'calls', n: r.calls },
  ]);
  const peak = Math.max(0, ...rows.map((r) => r.instances ?? 0));
  const subtitle = [`per ${series.title}, in the order the experiment ran them; instances: distinct instance ids its calls reported`, `at most ${count(peak, 'instance')} in one step`];
  const what = ['calls', 'instances', 'cold starts'];
  return {
    $schema: SCHEMA,
    title: { text: `Instances and cold starts per ${series.title}`, subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values: values.filter((v) => v.n !== null) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'step', type: 'nominal', sort: [...series.order], axis: { title: series.title, labelAngle: rows.length > 6 ? -30 : 0, labelLimit: 0 } },
      xOffset: { field: 'what', type: 'nominal', sort: what },
      y: { field: 'n', type: 'quantitative', axis: { title: 'count', tickMinStep: 1, format: ',d' } },
      color: { field: 'what', type: 'nominal', scale: { domain: what, range: ['#bab0ac', '#4c78a8', '#e45756'] }, legend: { title: null, orient: 'top', direction: 'horizontal' } },
    },
  };
}

/** Three significant digits: a subtitle states a figure, the axis and data carry the precision. */
function figure(value: number): string {
  return grouped(Number(value.toPrecision(3)));
}

function bucketLabel(ms: number): string {
  return ms >= 1000 ? `${grouped(ms / 1000)} s` : `${grouped(ms)} ms`;
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

// ---------------------------------------------------------------------------------------------
// Lateness histogram

export interface LogHistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Counts in bins of equal width in log10 space, from `floor` up; values below the floor sit in the lowest bin. */
export interface LogHistogram {
  readonly binsPerDecade: number;
  readonly floor: number;
  /** Every bin from the lowest to the highest with a count, empty ones included. */
  readonly bins: readonly LogHistogramBin[];
  /** Values below the floor (for lateness: sent on time to the µs, or early). */
  readonly belowFloor: number;
  readonly total: number;
}

export const LATENESS_BINS_PER_DECADE = 5;

/** A LogHistogram built one value at a time, in memory bounded by the bins (a few per decade). */
export class LogHistogramBuilder {
  readonly #counts = new Map<number, number>();
  readonly #binsPerDecade: number;
  readonly #floor: number;
  #below = 0;
  #total = 0;

  constructor(binsPerDecade = LATENESS_BINS_PER_DECADE, floor = MIN_MS) {
    if (!Number.isInteger(binsPerDecade) || binsPerDecade < 1) throw new RangeError(`LogHistogramBuilder: binsPerDecade must be a positive integer, not ${binsPerDecade}`);
    if (!(floor > 0)) throw new RangeError(`LogHistogramBuilder: floor must be positive, not ${floor}`);
    [this.#binsPerDecade, this.#floor] = [binsPerDecade, floor];
  }

  add(value: number): void {
    if (Number.isNaN(value)) throw new RangeError('LogHistogramBuilder: NaN is not a value');
    this.#total += 1;
    if (value < this.#floor) this.#below += 1;
    const index = logBinIndex(Math.max(value, this.#floor), this.#binsPerDecade);
    this.#counts.set(index, (this.#counts.get(index) ?? 0) + 1);
  }

  result(): LogHistogram {
    const indices = [...this.#counts.keys()];
    const bins: LogHistogramBin[] = [];
    if (indices.length > 0) {
      const [low, high] = [Math.min(...indices), Math.max(...indices)];
      for (let i = low; i <= high; i++) bins.push({ from: logBinEdge(i, this.#binsPerDecade), to: logBinEdge(i + 1, this.#binsPerDecade), count: this.#counts.get(i) ?? 0 });
    }
    return { binsPerDecade: this.#binsPerDecade, floor: this.#floor, bins, belowFloor: this.#below, total: this.#total };
  }
}

export function logHistogram(values: Iterable<number>, binsPerDecade = LATENESS_BINS_PER_DECADE, floor = MIN_MS): LogHistogram {
  const builder = new LogHistogramBuilder(binsPerDecade, floor);
  for (const v of values) builder.add(v);
  return builder.result();
}

export interface LatenessOptions {
  /** Calls never sent (the in-flight bound was reached): they have no lateness, but a reader should know. */
  readonly dropped?: number;
}

/** How late calls went out against the plan (sent - planned, ms): the load generator's own accuracy. */
export function latenessHistogram(input: readonly number[] | LogHistogram, options: LatenessOptions = {}): TopLevelSpec {
  const hist = isLogHistogram(input) ? input : logHistogram(input);
  const values = hist.bins.map((b) => ({ from: b.from, to: b.to, count: b.count }));
  const domain: [number, number] = values.length > 0 ? [values[0]!.from, values.at(-1)!.to] : [hist.floor, hist.floor * 10];
  const subtitle = [`${count(hist.total, 'sent call')}; ${hist.binsPerDecade} bins per decade`];
  if (hist.belowFloor > 0) subtitle.push(`${count(hist.belowFloor, 'call')} sent on time to the µs (or early) counted in the lowest bin`);
  if (options.dropped) subtitle.push(`${count(options.dropped, 'call')} never sent (dropped at the in-flight bound) not shown`);
  return {
    $schema: SCHEMA,
    title: { text: 'Lateness: send time minus planned time', subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    // A white edge keeps neighbouring bars apart: x..x2 bars have no band padding.
    mark: { type: 'bar', color: '#4c78a8', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'from', type: 'quantitative', scale: { type: 'log', domain, nice: false }, axis: logAxis('lateness (ms, log scale)', domain) },
      x2: { field: 'to' },
      y: { field: 'count', type: 'quantitative', ...(values.length === 0 ? { scale: { domain: [0, 1] } } : {}), axis: { title: 'calls', tickMinStep: 1, format: ',d' } },
      y2: { datum: 0 },
    },
  };
}

function isLogHistogram(input: readonly number[] | LogHistogram): input is LogHistogram {
  return !Array.isArray(input);
}

// ---------------------------------------------------------------------------------------------
// Memory sweep

export interface MemorySweepRow {
  /** Omitted (or one name) for a single function's sweep. */
  readonly fn?: string;
  readonly memoryMb: number;
  /** The speed figure (memory-sweep: average billed ms without the top and bottom 20%). */
  readonly durationMs: number;
  /** One average call; null where the provider has no price. */
  readonly costUsd: number | null;
}

export interface MemorySweepOptions {
  /** What durationMs is, for the axis title. */
  readonly durationLabel?: string;
  readonly recommended?: { readonly memoryMb: number; readonly by: string } | null;
  /** E.g. the price table the costs come from. */
  readonly note?: string;
}

export const DURATION_COLOUR = '#4c78a8';
export const COST_COLOUR = '#e45756';

/**
 * lambda-power-tuning's chart: memory sizes along x, duration on the left axis and cost per 1M
 * calls on the right, two lines over the same sizes; the recommended size as a dashed rule.
 */
export function memorySweepCurve(rows: readonly MemorySweepRow[], options: MemorySweepOptions = {}): TopLevelSpec {
  const values = [...rows]
    .sort((a, b) => a.memoryMb - b.memoryMb || byName(a.fn ?? '', b.fn ?? ''))
    .map((r) => ({ fn: r.fn ?? '', memoryMb: r.memoryMb, durationMs: r.durationMs, costPerMillionUsd: r.costUsd === null ? null : round(r.costUsd * 1_000_000, 6) }));
  const fns = [...new Set(values.map((v) => v.fn))].sort(byName);
  const priced = values.filter((v) => v.costPerMillionUsd !== null);
  const subtitle: string[] = [];
  if (fns.length === 1) {
    const fastest = values.reduce<(typeof values)[number] | null>((best, v) => (best === null || v.durationMs < best.durationMs ? v : best), null);
    const cheapest = priced.reduce<(typeof values)[number] | null>((best, v) => (best === null || v.costPerMillionUsd! < best.costPerMillionUsd! ? v : best), null);
    const parts = [fastest ? `fastest ${fastest.memoryMb} MB (${figure(fastest.durationMs)} ms)` : null, cheapest ? `cheapest ${cheapest.memoryMb} MB ($${figure(cheapest.costPerMillionUsd!)} per 1M calls)` : null];
    if (options.recommended) parts.push(`recommended by ${options.recommended.by}: ${options.recommended.memoryMb} MB`);
    const text = parts.filter((p): p is string => p !== null).join('; ');
    if (text) subtitle.push(text);
  } else if (options.recommended) subtitle.push(`recommended by ${options.recommended.by}: ${options.recommended.memoryMb} MB`);
  if (priced.length === 0) subtitle.push('no price for this provider: duration only');
  if (options.note) subtitle.push(options.note);
  const x = { field: 'memoryMb', type: 'ordinal', sort: 'ascending', axis: { title: 'memory (MB)', labelAngle: 0 } } as const;
  const perFunction =
    fns.length > 1 ? ({ strokeDash: { field: 'fn', type: 'nominal', legend: { title: 'function', orient: 'top', direction: 'horizontal' } }, shape: { field: 'fn', type: 'nominal', legend: null } } as const) : {};
  const durationTitle = options.durationLabel ?? 'duration (ms)';
  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      mark: { type: 'line', point: { filled: true, size: 60, color: DURATION_COLOUR }, color: DURATION_COLOUR, strokeWidth: 2 },
      encoding: { x, y: { field: 'durationMs', type: 'quantitative', axis: { title: durationTitle, titleColor: DURATION_COLOUR, orient: 'left' } }, ...perFunction },
    },
  ];
  if (priced.length > 0) {
    layer.push({
      transform: [{ filter: 'datum.costPerMillionUsd !== null' }],
      mark: { type: 'line', point: { filled: true, size: 60, color: COST_COLOUR }, color: COST_COLOUR, strokeWidth: 2 },
      encoding: { x, y: { field: 'costPerMillionUsd', type: 'quantitative', axis: { title: 'cost per 1M calls (USD)', titleColor: COST_COLOUR, orient: 'right' } }, ...perFunction },
    });
  }
  if (options.recommended && values.some((v) => v.memoryMb === options.recommended!.memoryMb)) {
    layer.push({
      data: { values: [{ memoryMb: options.recommended.memoryMb }] },
      mark: { type: 'rule', color: '#555', strokeDash: [4, 4], strokeWidth: 1 },
      encoding: { x },
    });
  }
  return {
    $schema: SCHEMA,
    title: { text: 'Memory sweep: speed and cost by memory size', subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer,
    resolve: { scale: { y: 'independent' } },
  };
}
