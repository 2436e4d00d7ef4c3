/**
 * LatencyAccumulator: the values of one figure (latency, lateness, duration, init...) kept exact,
 * and its summary by the one percentile definition (percentile.ts). Every consumer reads figures
 * through it, so the same calls give the same numbers wherever they are printed.
 *
 * Values are kept as they were measured in a growable Float64Array: 8 bytes a value, so a
 * 1,000,000-call run costs 8 MB per figure (BENCHMARKS.md, "Analysis, report and dashboard", has
 * the measured totals), and every percentile, min, max and mean is exact: `precision: 'exact'` is
 * stated beside every figure.
 *
 * A streaming reader that must stay in bounded memory whatever the run's length (the end-of-run
 * summary: 10 million calls kept one by one would be 160 MB of latencies and lateness) sets
 * `exactUpTo`; past it the values move into an HDR histogram of whole µs with 3 significant digits, and the
 * figures say so (`precision: 'hdr-3-digits'`: each percentile the top of its value's bucket, at
 * most 0.1% above the true value, capped at the exact max; min, max and mean stay exact).
 *
 * A reader that only wants figures sets `counted`: values that are whole quarter µs (every time
 * faasbench measures: micro-counts.ts says why) are then counted per value instead of kept one by
 * one, so its memory follows the distinct values, not the calls, and its figures are still exact.
 * exactUpTo then bounds the values kept one by one (the rest).
 */
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';
import { MicroCounts } from './micro-counts.ts';
import { nearestRank, REPORTED_PERCENTILES } from './percentile.ts';

/** How the figures were computed: from every value exactly, or from a histogram (see above). */
export type Precision = 'exact' | 'hdr-3-digits';

export interface AccumulatorOptions {
  /** Values kept exactly; beyond this many, a histogram. Default: no bound (analysis reads every value). */
  readonly exactUpTo?: number;
  /**
   * How many values are coming, when known (a plan's call count): the array is made that long at
   * once (at most exactUpTo), so a long run neither holds the spare half of a doubled array nor
   * copies its values over while it runs. More values are still taken; the array grows.
   */
  readonly expected?: number;
  /**
   * Count whole-quarter-µs values instead of keeping each (see above): for a reader of figures
   * only (the end-of-run summary). sorted() then builds the values' array when it is asked for.
   */
  readonly counted?: boolean;
}

export interface Percentiles {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
  readonly precision: Precision;
}

const INITIAL_CAPACITY = 64;

export class LatencyAccumulator {
  #values: Float64Array;
  #n = 0;
  /** The first #n values are in ascending order (sorting is done once, when a figure is read). */
  #sorted = true;
  readonly #exactUpTo: number;
  /** The whole-quarter-µs values when `counted`; the rest are in #values. */
  readonly #counts: MicroCounts | null;
  /** Of #n, values sorted() wrote out of the counts: exactUpTo bounds only the others. */
  #writtenOut = 0;
  /** Set once the values outgrew exactUpTo: from then on they are here, with exact min, max and sum. */
  #histogram: { readonly h: Hdr.Histogram; n: number; min: number; max: number; sum: number } | undefined;

  constructor(options: AccumulatorOptions = {}) {
    this.#exactUpTo = options.exactUpTo ?? Infinity;
    this.#counts = options.counted === true ? new MicroCounts() : null;
    // Zero-filled memory the kernel backs only where values are written: an expectation costs nothing
    // until met. Counted values need none.
    const expected = this.#counts ? 0 : Math.min(options.expected ?? 0, this.#exactUpTo);
    this.#values = new Float64Array(Math.max(INITIAL_CAPACITY, expected));
  }

  get precision(): Precision {
    return this.#histogram ? 'hdr-3-digits' : 'exact';
  }

  add(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`LatencyAccumulator.add(${value}): expected a finite number`);
    if (this.#histogram) return recordInHistogram(this.#histogram, value);
    if (this.#counts?.tryAdd(value)) return;
    if (this.#n - this.#writtenOut >= this.#exactUpTo) {
      this.#toHistogram();
      return recordInHistogram(this.#histogram!, value);
    }
    if (this.#n === this.#values.length) this.#grow(this.#n + 1);
    if (this.#sorted && this.#n > 0 && value < this.#values[this.#n - 1]!) this.#sorted = false;
    this.#values[this.#n++] = value;
  }

  get count(): number {
    return this.#histogram ? this.#histogram.n : this.#n + (this.#counts?.count ?? 0);
  }

  /**
   * The values ascending: a view valid until the next add or merge. Exact accumulators only. Counted
   * values are written out into it first (and kept so from then on).
   */
  sorted(): Float64Array {
    if (this.#histogram) throw new Error('LatencyAccumulator.sorted: the values outgrew exactUpTo and are in a histogram');
    if (this.#counts !== null && this.#counts.count > 0) this.#writeOutCounts();
    return this.#keptSorted();
  }

  /** The values kept one by one, ascending (sorted here once, when a figure is first read). */
  #keptSorted(): Float64Array {
    const view = this.#values.subarray(0, this.#n);
    if (!this.#sorted) {
      view.sort();
      this.#sorted = true;
    }
    return view;
  }

  /** The p-th percentile (nearest rank); null for no values. */
  percentile(p: number): number | null {
    if (this.#histogram) return histogramPercentile(this.#histogram, p);
    const n = this.count;
    if (n === 0) return null;
    if (this.#counts !== null && this.#counts.count > 0) return this.#walk([nearestRank(p, n)]).at[0]!;
    return this.sorted()[nearestRank(p, n) - 1]!;
  }

  /** Null for no values: a figure of nothing is absent, never 0. One value is every percentile. */
  percentiles(): Percentiles | null {
    if (this.#histogram || this.#counts === null || this.#counts.count === 0) return mergedPercentiles([this]);
    const n = this.count;
    const { at, min, max, sum } = this.#walk(REPORTED_PERCENTILES.map((p) => nearestRank(p, n)));
    return { count: n, min, p50: at[0]!, p90: at[1]!, p99: at[2]!, p999: at[3]!, max, mean: sum / n, precision: 'exact' };
  }

  /**
   * The values at `ranks` (ascending, 1-based) of the counted and kept values together, with min,
   * max and the sum taken value by value in ascending order: the mean mergedPercentiles gives.
   */
  #walk(ranks: readonly number[]): { at: number[]; min: number; max: number; sum: number } {
    const at: number[] = [];
    let rank = 0;
    let sum = 0;
    let min = Infinity;
    let last = -Infinity;
    for (const [value, times] of this.#ascending()) {
      if (rank === 0) min = value;
      for (let t = 0; t < times; t++) sum += value;
      rank += times;
      last = value;
      while (at.length < ranks.length && ranks[at.length]! <= rank) at.push(value);
    }
    return { at, min, max: last, sum };
  }

  /** The counted and the kept values together, ascending, each with how many times it occurs. */
  *#ascending(): Generator<readonly [value: number, times: number]> {
    const kept = this.#keptSorted();
    let k = 0;
    for (const counted of this.#counts!.ascending()) {
      while (k < kept.length && kept[k]! < counted[0]) yield [kept[k++]!, 1];
      yield counted;
    }
    while (k < kept.length) yield [kept[k++]!, 1];
  }

  /** Writes the counted values into #values, in order with the kept ones, and empties the counts. */
  #writeOutCounts(): void {
    const counts = this.#counts!;
    const all = new Float64Array(Math.max(INITIAL_CAPACITY, this.#n + counts.count));
    let n = 0;
    for (const [value, times] of this.#ascending()) {
      all.fill(value, n, n + times);
      n += times;
    }
    this.#values = all;
    this.#writtenOut += counts.count;
    this.#n = n;
    this.#sorted = true;
    counts.clear();
  }

  /** Moves the exact values into a histogram and frees them. */
  #toHistogram(): void {
    const histogram = { h: newHistogram(), n: 0, min: Infinity, max: -Infinity, sum: 0 };
    if (this.#counts) {
      for (const [value, times] of this.#counts.ascending()) recordInHistogram(histogram, value, times);
      this.#counts.clear();
    }
    for (const v of this.#values.subarray(0, this.#n)) recordInHistogram(histogram, v);
    this.#histogram = histogram;
    this.#values = new Float64Array(0);
    this.#n = 0;
    this.#writtenOut = 0;
  }

  /** The histogram's figures; undefined for an exact accumulator. */
  histogramFigures(): Percentiles | undefined {
    const s = this.#histogram;
    if (!s) return undefined;
    const [p50, p90, p99, p999] = REPORTED_PERCENTILES.map((p) => histogramPercentile(s, p));
    return { count: s.n, min: s.min, p50: p50!, p90: p90!, p99: p99!, p999: p999!, max: s.max, mean: s.sum / s.n, precision: 'hdr-3-digits' };
  }

  #grow(atLeast: number): void {
    let capacity = this.#values.length * 2;
    while (capacity < atLeast) capacity *= 2;
    const next = new Float64Array(capacity);
    next.set(this.#values.subarray(0, this.#n));
    this.#values = next;
  }
}

/**
 * hdr-histogram-js is loaded the first time a reader outgrows exactUpTo: loading it (its
 * WebAssembly build and pako) cost 16 MB of RSS and about 0.3 s of start-up in every process that
 * imported analysis, where most never keep a histogram.
 */
let hdrModule: typeof Hdr | undefined;
function hdrHistogram(): typeof Hdr {
  hdrModule ??= createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr;
  return hdrModule;
}

/** Whole µs up to an hour: the range the invoker's summary has always kept. */
function newHistogram(): Hdr.Histogram {
  return hdrHistogram().build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function recordInHistogram(s: { readonly h: Hdr.Histogram; n: number; min: number; max: number; sum: number }, value: number, times = 1): void {
  s.h.recordValueWithCount(Math.min(3_600_000_000, Math.max(1, Math.round(value * 1000))), times);
  s.n += times;
  s.sum += value * times;
  if (value < s.min) s.min = value;
  if (value > s.max) s.max = value;
}

/** The top of the bucket holding the nearest-rank value, never above the exact max. */
function histogramPercentile(s: { readonly h: Hdr.Histogram; readonly n: number; readonly max: number }, p: number): number {
  return Math.min(s.max, s.h.getValueAtPercentile(p) / 1000);
}

/**
 * The figures of several accumulators' values taken together (a run's functions), without copying
 * them: one walk over their sorted values in ascending order, the smallest head picked from a
 * binary heap. Values are summed in that order, so the mean is the one a single accumulator of the
 * same values gives, whatever the grouping.
 */
export function mergedPercentiles(parts: readonly LatencyAccumulator[]): Percentiles | null {
  if (parts.length === 1 && parts[0]!.precision !== 'exact') return parts[0]!.histogramFigures()!;
  if (parts.some((p) => p.precision !== 'exact')) throw new Error('mergedPercentiles: histogram-backed accumulators are summarised one at a time');
  const lists = parts.map((p) => p.sorted()).filter((l) => l.length > 0);
  const n = lists.reduce((s, l) => s + l.length, 0);
  if (n === 0) return null;
  // In REPORTED_PERCENTILES' order: p50, p90, p99, p99.9.
  const ranks = REPORTED_PERCENTILES.map((p) => nearestRank(p, n));
  const at: number[] = [];
  // heap[k] is a list index; heads[i] the position of list i's next value.
  const heads = new Int32Array(lists.length);
  const heap = lists.map((_, i) => i);
  const head = (i: number): number => lists[i]![heads[i]!]!;
  const down = (from: number): void => {
    let k = from;
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < heap.length && head(heap[l]!) < head(heap[m]!)) m = l;
      if (r < heap.length && head(heap[r]!) < head(heap[m]!)) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m]!, heap[k]!];
      k = m;
    }
  };
  for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
  let sum = 0;
  let last = 0;
  let next = 0;
  for (let rank = 1; rank <= n; rank++) {
    const i = heap[0]!;
    last = head(i);
    sum += last;
    while (next < ranks.length && ranks[next] === rank) at[next++] = last;
    heads[i]! += 1;
    if (heads[i]! === lists[i]!.length) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length > 0) down(0);
  }
  const min = lists.reduce((m, l) => Math.min(m, l[0]!), Infinity);
  return { count: n, min, p50: at[0]!, p90: at[1]!, p99: at[2]!, p999: at[3]!, max: last, mean: sum / n, precision: 'exact' };
}

/** The figures of a finite list of values (a bench's samples, an experiment's group): null for none. */
export function summarizeValues(values: Iterable<number>): Percentiles | null {
  const acc = new LatencyAccumulator();
  for (const v of values) acc.add(v);
  return acc.percentiles();
}
