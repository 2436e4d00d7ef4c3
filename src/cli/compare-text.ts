/**
 * How `faasbench compare` reads in a terminal. Each figure is `A → B` followed by the change with
 * its sign and, where it means something, its percent of A (`315.57 → 332.56  +16.99 ms (+5.4%)`),
 * then the confidence interval of the change and a verdict in words. Two experiment runs show
 * their result tables compared row by row (rows matched by key, see analysis/result-compare.ts).
 */
import Table from 'cli-table3';
import type { DifferenceCi, FunctionComparison, ProportionDifference, RunComparison } from '../analysis/index.ts';
import type { Cell, ResultComparison, TableComparison } from '../analysis/result-compare.ts';
import { MIN_CALLS_MEDIAN_CI, MIN_CALLS_P99_CI } from '../analysis/run-analysis.ts';
import { resultCellText, resultDecimals } from '../experiments/result-cell.ts';

const TABLE_STYLE = { head: [], border: [] };

/**
 * A group of lines (one function's figures, one result row's cells) as one table row of
 * multi-line cells: its name cells once, a rule only between groups.
 */
function grouped(names: readonly string[], lines: readonly (readonly string[])[]): string[] {
  const width = lines[0]?.length ?? 0;
  return [...names, ...Array.from({ length: width }, (_, i) => lines.map((line) => line[i]).join('\n'))];
}

/** `+16.99`, `-3.00`, `0.00`: a change always carries its sign unless it is none. */
export function signed(value: number, format: (v: number) => string): string {
  const text = format(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}

const fixed2 = (v: number): string => v.toFixed(2);
const percentOf = (change: number, a: number): string => (a === 0 ? '' : ` (${signed((change / Math.abs(a)) * 100, (v) => v.toFixed(1))}%)`);
const ratePct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const points = (v: number): string => signed(v * 100, (x) => x.toFixed(1));

/** `315.57 → 332.56  +16.99 ms (+5.4%)`; a side without a figure is `-` and gives no change. */
export function latencyChange(a: number | null, b: number | null): string {
  const ends = `${a === null ? '-' : fixed2(a)} → ${b === null ? '-' : fixed2(b)}`;
  if (a === null || b === null) return ends;
  return `${ends}  ${signed(b - a, fixed2)} ms${percentOf(b - a, a)}`;
}

function countChange(a: number, b: number): string {
  return `${a} → ${b}  ${signed(b - a, String)}${percentOf(b - a, a)}`;
}

function rateChange(d: ProportionDifference | null, a: number | null, b: number | null): string {
  if (!d) return `${a === null ? '-' : ratePct(a)} → ${b === null ? '-' : ratePct(b)}`;
  return `${ratePct(d.a)} → ${ratePct(d.b)}  ${points(d.estimate)} pts`;
}

const latencyCi = (d: DifferenceCi | null, min: number): string => (d ? `[${signed(d.lo, fixed2)}, ${signed(d.hi, fixed2)}] ms` : `too few calls (${min} a side needed)`);
const rateCi = (d: ProportionDifference | null): string => (d ? `[${points(d.lo)}, ${points(d.hi)}] pts` : '-');

function functionRows(f: FunctionComparison): string[][] {
  return [
    ['calls', countChange(f.a.calls, f.b.calls), '', ''],
    ['p50 latency', latencyChange(f.a.p50, f.b.p50), latencyCi(f.median, MIN_CALLS_MEDIAN_CI), f.verdicts.median ?? '-'],
    ['p99 latency', latencyChange(f.a.p99, f.b.p99), latencyCi(f.p99, MIN_CALLS_P99_CI), f.verdicts.p99 ?? '-'],
    ['cold-start rate', rateChange(f.coldRate, f.a.coldRate, f.b.coldRate), rateCi(f.coldRate), f.verdicts.coldRate ?? '-'],
    ['failure rate', rateChange(f.failureRate, null, null), rateCi(f.failureRate), f.verdicts.failureRate ?? '-'],
  ];
}

export function runHeader(c: Pick<RunComparison, 'a' | 'b'>): string[] {
  return [`A: run ${c.a.id} (${c.a.kind} ${c.a.name} on ${c.a.provider}, ${c.a.status})`, `B: run ${c.b.id} (${c.b.kind} ${c.b.name} on ${c.b.provider}, ${c.b.status})`];
}

/** Per function both runs have (and the runs as a whole when that adds a row): each figure, its change, CI and verdict. */
export function callsComparisonText(c: RunComparison): string {
  const level = `${Math.round(c.level * 100)}% CI of the change`;
  const table = new Table({ head: ['function', 'figure', 'A → B  change (percent of A)', level, 'verdict'], style: TABLE_STYLE });
  for (const fn of c.shown) table.push(grouped([fn === '*' ? 'all functions' : fn], functionRows(c.functions.find((x) => x.fn === fn)!)));
  const lines = [
    `changes are B - A; latency CIs: bootstrap of the difference (${c.resamples} resamples, seed ${c.seed}); rates: Newcombe's score interval; a verdict only when the CI excludes 0`,
    table.toString(),
  ];
  if (c.onlyInA.length) lines.push(`only in A: ${c.onlyInA.join(', ')}`);
  if (c.onlyInB.length) lines.push(`only in B: ${c.onlyInB.join(', ')}`);
  return lines.join('\n');
}

const cellText = resultCellText;
const decimalsOf = resultDecimals;

/**
 * A result cell's `A → B  change (percent of A)`, the three numbers to the same decimals (the
 * finer of A's and B's as printed), so the change is B - A as read; a text cell that did not
 * change is shown once.
 */
export function cellChangeText(a: Cell, b: Cell, change: number | null, percent: number | null): string {
  if (change === null || typeof a !== 'number' || typeof b !== 'number') return a === b ? cellText(a) : `${cellText(a)} → ${cellText(b)}`;
  const digits = Math.max(decimalsOf(a), decimalsOf(b));
  const pct = percent === null ? '' : ` (${signed(percent, (v) => v.toFixed(1))}%)`;
  return `${a.toFixed(digits)} → ${b.toFixed(digits)}  ${signed(change, (v) => v.toFixed(digits))}${pct}`;
}

const keyText = (columns: readonly string[], key: readonly Cell[]): string => columns.map((c, i) => `${c} ${cellText(key[i] ?? null)}`).join(', ');

function tableText(t: TableComparison): string {
  const heading = `${t.name === 'result' ? 'result table' : t.title} (rows matched by ${t.keyColumns.join(', ') || 'position'})`;
  const lines = [heading];
  const valueCount = t.rows[0]?.cells.length ?? 0;
  if (t.rows.length > 0 && valueCount > 0) {
    const table = new Table({ head: [...t.keyColumns, 'column', 'A → B  change (percent of A)'], style: TABLE_STYLE });
    for (const row of t.rows) table.push(grouped(row.key.map(cellText), row.cells.map((c) => [c.column, cellChangeText(c.a, c.b, c.change, c.percent)])));
    lines.push(table.toString());
  } else lines.push('no row in both runs');
  if (t.onlyInA.length) lines.push(`rows only in A: ${t.onlyInA.map((k) => keyText(t.keyColumns, k)).join('; ')}`);
  if (t.onlyInB.length) lines.push(`rows only in B: ${t.onlyInB.map((k) => keyText(t.keyColumns, k)).join('; ')}`);
  if (t.columnsOnlyInA.length) lines.push(`columns only in A: ${t.columnsOnlyInA.join(', ')}`);
  if (t.columnsOnlyInB.length) lines.push(`columns only in B: ${t.columnsOnlyInB.join(', ')}`);
  return lines.join('\n');
}

/** Two experiment runs' result tables, each compared row by row. */
export function resultComparisonText(r: ResultComparison): string {
  const parts = ['changes are B - A, in percent of A', ...r.tables.map(tableText)];
  if (r.tablesOnlyInA.length) parts.push(`tables only in A: ${r.tablesOnlyInA.join(', ')}`);
  if (r.tablesOnlyInB.length) parts.push(`tables only in B: ${r.tablesOnlyInB.join(', ')}`);
  return parts.join('\n');
}

/**
 * The whole comparison: two experiment runs with stored results compare their results (their
 * pooled calls too when `calls` is asked); any other pair compares calls.
 */
export function comparisonText(c: RunComparison, options: { calls?: boolean } = {}): string {
  const lines = runHeader(c);
  if (c.results) {
    lines.push(resultComparisonText(c.results));
    if (options.calls) lines.push('pooled calls of the two runs:', callsComparisonText(c));
    else lines.push("the runs' pooled calls, which mix every case of an experiment, are left out: --calls adds them");
  } else lines.push(callsComparisonText(c));
  return lines.join('\n');
}
