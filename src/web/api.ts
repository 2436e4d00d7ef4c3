/**
 * What the JSON API answers, read from the store, the analysis and the report: the runs list, one
 * run with its analysis, its charts as SVG (rendered here, so the pages need no chart library),
 * and the comparison of two runs. Read-only: nothing here writes the store.
 *
 * Analysis and charts need every record of a run, so one pass reads them for both (run-detail.ts)
 * and everything is cached per run: a finished run's until newer runs push it out (it no longer
 * changes), a running run's for a second or three (the pages poll it).
 */
import { compareRuns, type RunAnalysis, type RunComparison } from '../analysis/index.ts';
import { FaasbenchError } from '../core/errors.ts';
import { renderChart } from '../report/render.ts';
import type { StoredResult } from '../report/result-data.ts';
import { runCharts, type RunReportData } from '../report/run-data.ts';
import { parseRunFilters } from '../store/run-filter.ts';
import type { JsonValue, Run, Store } from '../store/store.ts';
import { Memo } from './memo.ts';
import { HttpError } from './responses.ts';
import { readRunDetail, type RunDetailData } from './run-detail.ts';
import { progressTiming, type ProgressTiming } from './run-progress.ts';
import { runRow, type RunRow } from './run-rows.ts';

export const DEFAULT_RUNS_LIMIT = 100;
export const MAX_RUNS_LIMIT = 10_000;
/** How long a running run's analysis and charts are reused: the pages' poll intervals. */
const RUNNING_ANALYSIS_TTL_MS = 1000;
const RUNNING_CHARTS_TTL_MS = 3000;
/**
 * Finished runs kept: analyses are small; charts of large runs run to megabytes of SVG each; a
 * pass's report data (up to 20,000 latencies per function, 20,000 scatter points) is only kept
 * until both halves of a page have been answered from it.
 */
const ANALYSES_KEPT = 32;
const CHART_SETS_KEPT = 8;
const PASSES_KEPT = 4;

export interface RunDetail extends RunRow {
  readonly params: JsonValue;
  readonly seed: number | null;
  readonly host: JsonValue;
  readonly toolVersion: string;
  readonly summary: JsonValue | null;
  readonly duplicates: number;
  /** Stored calls, warm-up included. */
  readonly records: number;
  /** Elapsed and ETA while the run runs (run-progress.ts); null once it has ended. */
  readonly timing: ProgressTiming | null;
}

export interface ChartSvg {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
  readonly warnings: readonly string[];
  /** `result`: a chart the experiment declares as its answer, shown beside its result tables. */
  readonly group: 'result' | 'calls';
}

export interface RunCharts {
  readonly charts: readonly ChartSvg[];
  /** What no chart shows (warm-up calls left out, a mapping file gone...). */
  readonly notes: readonly string[];
  /** An experiment's stored answer (its tables and notes), null for other runs. */
  readonly result: StoredResult | null;
}

export class DashboardApi {
  readonly #analyses: Memo<RunAnalysis>;
  readonly #charts: Memo<RunCharts>;
  readonly #passes: Memo<RunDetailData>;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {
    this.#analyses = new Memo(ANALYSES_KEPT, now);
    this.#charts = new Memo(CHART_SETS_KEPT, now);
    this.#passes = new Memo(PASSES_KEPT, now);
  }

  /** The run, or ResourceNotFound with a message a person can act on. */
  async requireRun(id: string): Promise<Run> {
    const run = await this.store.getRun(id);
    if (!run) throw new FaasbenchError('ResourceNotFound', `no run ${JSON.stringify(id)} in this store (the runs list at / shows the ones it has)`);
    return run;
  }

  /** The newest runs, at most `limit`; `more` says the store holds older ones beyond them (the page offers to show them). */
  async runs(limitText: string | null, filterTexts: readonly string[] = []): Promise<{ runs: RunRow[]; more: boolean }> {
    const limit = parseLimit(limitText);
    // `filter=field=value`, repeatable, as `runs --filter` takes it; a bad one is a 400 naming it.
    const filter = parseRunFilters(filterTexts, 'filter');
    const now = this.now();
    // One more than asked tells whether there are more without counting the whole table.
    const listed = await this.store.listRuns({ limit: limit + 1, filter });
    return { runs: listed.slice(0, limit).map((r) => runRow(r, now)), more: listed.length > limit };
  }

  async run(id: string): Promise<{ run: RunDetail; analysis: RunAnalysis }> {
    const run = await this.requireRun(id);
    const analysis = await this.#analyses.get(run.id, versionOf(run), ttlOf(run, RUNNING_ANALYSIS_TTL_MS), async () => (await this.#pass(run)).analysis);
    const records = analysis.total.calls + analysis.total.warmupCalls;
    const detail: RunDetail = { ...runRow(run, this.now()), params: run.params, seed: run.seed, host: run.host, toolVersion: run.toolVersion, summary: run.summary, duplicates: run.duplicates, records, timing: progressTiming(run, this.now()) };
    return { run: detail, analysis };
  }

  async charts(id: string): Promise<RunCharts> {
    const run = await this.requireRun(id);
    return this.#charts.get(run.id, versionOf(run), ttlOf(run, RUNNING_CHARTS_TTL_MS), async () => renderRunCharts((await this.#pass(run)).data));
  }

  /** The run's records read once for its analysis and its charts; a running run's for a second at most. */
  #pass(run: Run): Promise<RunDetailData> {
    return this.#passes.get(run.id, versionOf(run), ttlOf(run, RUNNING_ANALYSIS_TTL_MS), () => readRunDetail(this.store, run));
  }

  async compare(a: string | null, b: string | null): Promise<{ runs: { a: RunRow; b: RunRow }; comparison: RunComparison }> {
    if (!a || !b) throw new HttpError(400, 'InvalidParameterValue', 'compare needs two runs: /api/compare?a=<run id>&b=<run id>');
    const [runA, runB] = [await this.requireRun(a), await this.requireRun(b)];
    const comparison = await compareRuns(this.store, runA.id, runB.id);
    const now = this.now();
    return { runs: { a: runRow(runA, now), b: runRow(runB, now) }, comparison };
  }
}

/** Every chart the run has data for, as SVG. */
async function renderRunCharts(data: RunReportData): Promise<RunCharts> {
  const charts: ChartSvg[] = [];
  // One at a time: layout is CPU work, and parallel renders would only queue on the one thread.
  for (const chart of runCharts(data)) {
    const rendered = await renderChart(chart.spec);
    charts.push({ name: chart.name, title: chart.title, svg: rendered.svg, warnings: rendered.warnings, group: chart.group });
  }
  return { charts, notes: data.notes, result: data.result };
}

/** What changes a finished run's figures: nothing after it finishes, so status and finish time. */
function versionOf(run: Run): string {
  return `${run.status}|${run.finishedAt ?? ''}`;
}

function ttlOf(run: Run, runningTtlMs: number): number {
  return run.status === 'running' ? runningTtlMs : Infinity;
}

function parseLimit(text: string | null): number {
  if (text === null || text === '') return DEFAULT_RUNS_LIMIT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RUNS_LIMIT) throw new HttpError(400, 'InvalidParameterValue', `limit must be a whole number from 1 to ${MAX_RUNS_LIMIT}, not ${JSON.stringify(text)}`);
  return n;
}
