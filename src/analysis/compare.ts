/**
 * compareRuns(store, a, b): what changed from run a to run b, per function present in both and for
 * the runs as a whole (`*`), each difference (b - a) with a confidence interval and flagged
 * significant when the interval excludes 0:
 * - median and p99 latency: bootstrap CI of the difference (bootstrap.ts), from each run's
 *   reservoir, centred on the exact figures (the same definition, percentile.ts); a side below 10 ok calls (100 for p99) gives null.
 * - cold-start rate and failure rate (calls not ok): Newcombe's hybrid score interval for a
 *   difference of proportions (method 10 of Newcombe 1998, from Wilson intervals), which keeps
 *   its coverage for small counts and rates near 0 or 1 where the normal approximation does not.
 * Each change carries a verdict in words (faster, slower, no significant change...), decided by
 * whether its interval excludes 0. Two experiment runs also compare their stored result tables
 * (result-compare.ts): their answers, where pooled calls mix every size and runtime.
 * One pass over each run (run-analysis.ts).
 */
import type { Store } from '../store/store.ts';
import { bootstrapDifference, DEFAULT_LEVEL, DEFAULT_RESAMPLES, type DifferenceCi } from './bootstrap.ts';
import { compareResults, readResultTables, type ResultComparison } from './result-compare.ts';
import { collectRun, MIN_CALLS_MEDIAN_CI, MIN_CALLS_P99_CI, type AnalyzeOptions, type ColdStartStats, type FunctionStats, type RunAnalysis, type RunCollection } from './run-analysis.ts';

/**
 * The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9):
 * turns a confidence level into the z of the Wilson interval.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile(${p}): expected 0 < p < 1`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Wilson's score interval for x successes in n trials. */
export function wilson(x: number, n: number, level = DEFAULT_LEVEL): { lo: number; hi: number } {
  if (n === 0) return { lo: 0, hi: 1 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

export interface ProportionDifference {
  readonly a: number;
  readonly b: number;
  /** b - a. */
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
  readonly significant: boolean;
}

/** Newcombe's interval for xb/nb - xa/na; null when either side has no trials. */
export function proportionDifference(xa: number, na: number, xb: number, nb: number, level = DEFAULT_LEVEL): ProportionDifference | null {
  if (na === 0 || nb === 0) return null;
  const pa = xa / na;
  const pb = xb / nb;
  const wa = wilson(xa, na, level);
  const wb = wilson(xb, nb, level);
  const estimate = pb - pa;
  const lo = estimate - Math.sqrt((pb - wb.lo) ** 2 + (wa.hi - pa) ** 2);
  const hi = estimate + Math.sqrt((wb.hi - pb) ** 2 + (pa - wa.lo) ** 2);
  return { a: pa, b: pb, estimate, lo, hi, significant: lo > 0 || hi < 0 };
}

export interface SideFigures {
  readonly calls: number;
  readonly ok: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly coldRate: number | null;
  readonly coldSource: ColdStartStats['source'];
}

/** What a change means, when its interval excludes 0; null when there is no interval. */
export type LatencyVerdict = 'faster' | 'slower' | 'no significant change';
export type RateVerdict = 'higher' | 'lower' | 'no significant change';

export interface Verdicts {
  readonly median: LatencyVerdict | null;
  readonly p99: LatencyVerdict | null;
  readonly coldRate: RateVerdict | null;
  readonly failureRate: RateVerdict | null;
}

function verdict<T extends string>(d: { estimate: number; significant: boolean } | null, up: T, down: T): T | 'no significant change' | null {
  if (!d) return null;
  if (!d.significant) return 'no significant change';
  return d.estimate > 0 ? up : down;
}

export interface FunctionComparison {
  /** `*` for the runs as a whole. */
  readonly fn: string;
  readonly a: SideFigures;
  readonly b: SideFigures;
  /** ms, b - a. */
  readonly median: DifferenceCi | null;
  readonly p99: DifferenceCi | null;
  readonly coldRate: ProportionDifference | null;
  readonly failureRate: ProportionDifference | null;
  readonly verdicts: Verdicts;
}

export interface RunComparison {
  readonly a: RunAnalysis['run'];
  readonly b: RunAnalysis['run'];
  readonly level: number;
  readonly resamples: number;
  readonly seed: number;
  readonly functions: readonly FunctionComparison[];
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
  /**
   * The rows a reader needs, by fn: every one, except the run-wide `*` when it would repeat the
   * one function both runs share (and neither has another).
   */
  readonly shown: readonly string[];
  /** Both runs' stored result tables compared; null unless both stored a result (experiment runs). */
  readonly results: ResultComparison | null;
}

const side = (s: FunctionStats): SideFigures => ({ calls: s.calls, ok: s.ok, p50: s.latencyMs?.p50 ?? null, p99: s.latencyMs?.p99 ?? null, coldRate: s.coldStart.rate, coldSource: s.coldStart.source });

function compareFunction(fn: string, a: RunCollection, b: RunCollection, o: { seed: number; resamples: number; level: number }): FunctionComparison {
  const find = (c: RunCollection): FunctionStats => (fn === '*' ? c.analysis.total : c.analysis.functions.find((f) => f.fn === fn)!);
  const sa = find(a);
  const sb = find(b);
  const sampleA = a.samples.get(fn)!;
  const sampleB = b.samples.get(fn)!;
  const enough = (min: number): boolean => sampleA.n >= min && sampleB.n >= min;
  const ps = enough(MIN_CALLS_P99_CI) ? [50, 99] : enough(MIN_CALLS_MEDIAN_CI) ? [50] : [];
  const estimates = (s: FunctionStats): number[] => [s.latencyMs?.p50 ?? NaN, s.latencyMs?.p99 ?? NaN].slice(0, ps.length);
  const diff =
    ps.length === 0
      ? null
      : bootstrapDifference({ ...sampleA, estimates: estimates(sa) }, { ...sampleB, estimates: estimates(sb) }, ps, { seed: o.seed, key: `compare:${fn}`, resamples: o.resamples, level: o.level });
  const rate = (s: FunctionStats): { x: number; n: number } => ({ x: s.coldStart.cold, n: s.coldStart.cold + s.coldStart.warm });
  const ca = rate(sa);
  const cb = rate(sb);
  const median = diff?.differences[0] ?? null;
  const p99 = diff?.differences[1] ?? null;
  const coldRate = proportionDifference(ca.x, ca.n, cb.x, cb.n, o.level);
  const failureRate = proportionDifference(sa.calls - sa.ok, sa.calls, sb.calls - sb.ok, sb.calls, o.level);
  const verdicts: Verdicts = {
    median: verdict(median, 'slower', 'faster'),
    p99: verdict(p99, 'slower', 'faster'),
    coldRate: verdict(coldRate, 'higher', 'lower'),
    failureRate: verdict(failureRate, 'higher', 'lower'),
  };
  return { fn, a: side(sa), b: side(sb), median, p99, coldRate, failureRate, verdicts };
}

/** ResourceNotFound when either run is unknown. */
export async function compareRuns(store: Store, runA: string, runB: string, options: AnalyzeOptions = {}): Promise<RunComparison> {
  const o = { seed: options.seed ?? 42, resamples: options.resamples ?? DEFAULT_RESAMPLES, level: options.level ?? DEFAULT_LEVEL };
  const a = await collectRun(store, runA, options);
  const b = await collectRun(store, runB, options);
  const namesA = new Set(a.analysis.functions.map((f) => f.fn));
  const namesB = new Set(b.analysis.functions.map((f) => f.fn));
  const shared = [...namesA].filter((fn) => namesB.has(fn));
  const onlyInA = [...namesA].filter((fn) => !namesB.has(fn));
  const onlyInB = [...namesB].filter((fn) => !namesA.has(fn));
  const [tablesA, tablesB] = [await readResultTables(store, a.analysis.run.id), await readResultTables(store, b.analysis.run.id)];
  return {
    a: a.analysis.run,
    b: b.analysis.run,
    ...o,
    functions: ['*', ...shared].map((fn) => compareFunction(fn, a, b, o)),
    onlyInA,
    onlyInB,
    shown: shared.length === 1 && onlyInA.length === 0 && onlyInB.length === 0 ? shared : ['*', ...shared],
    results: tablesA && tablesB ? compareResults(tablesA, tablesB) : null,
  };
}
