/**
 * The run report: one self-contained index.html (inline CSS, every chart's SVG inline, no script
 * and no request to anywhere) that opens from a mail attachment or a CI artifact as well as from
 * disk, written beside each chart as SVG and PNG for slides and papers.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationStatus } from '../core/invocation-record.ts';
import { escapeHtml as esc } from './escape-html.ts';
import { renderChart, type RenderOptions } from './render.ts';
import { resultHtml } from './result-html.ts';
import { runCharts, type FunctionReport, type LatencyStats, type RunReportData } from './run-data.ts';

export interface ReportChart {
  readonly name: string;
  readonly title: string;
  /** `result`: drawn in the experiment's result section, beside its tables. */
  readonly group: 'result' | 'calls';
  readonly svg: string;
  readonly png: Buffer;
  /** PNG pixels. */
  readonly width: number;
  readonly height: number;
  readonly warnings: readonly string[];
  /** Time to lay the chart out and rasterise it. */
  readonly renderMs: number;
}

export interface BuiltReport {
  readonly html: string;
  readonly charts: readonly ReportChart[];
}

export interface BuildOptions extends RenderOptions {
  /** Shown in the footer; left out when absent, so the same run gives the same bytes. */
  readonly generatedAt?: string;
}

/** Renders every chart the run has and the page around them. */
export async function buildReport(data: RunReportData, options: BuildOptions = {}): Promise<BuiltReport> {
  const charts: ReportChart[] = [];
  for (const chart of runCharts(data)) {
    const started = performance.now();
    const rendered = await renderChart(chart.spec, options);
    charts.push({ name: chart.name, title: chart.title, group: chart.group, ...rendered, renderMs: performance.now() - started });
  }
  return { html: reportHtml(data, charts, options.generatedAt), charts };
}

export interface WrittenReport {
  readonly outDir: string;
  /** index.html first, then each chart's SVG and PNG. */
  readonly files: readonly string[];
  readonly charts: readonly ReportChart[];
}

/** Writes the charts, then index.html: a folder with an index.html is a whole report. */
export async function writeReport(outDir: string, report: BuiltReport): Promise<WrittenReport> {
  await makeFolder(outDir);
  const files: string[] = [];
  for (const chart of report.charts) {
    const [svg, png] = [path.join(outDir, `${chart.name}.svg`), path.join(outDir, `${chart.name}.png`)];
    await writeFile(svg, chart.svg);
    await writeFile(png, chart.png);
    files.push(svg, png);
  }
  const index = path.join(outDir, 'index.html');
  await writeFile(index, report.html);
  return { outDir, files: [index, ...files], charts: report.charts };
}

async function makeFolder(dir: string): Promise<void> {
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory()) throw new FaasbenchError('InvalidParameterValue', `--out ${dir}: is a file, not a folder`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `--out ${dir}: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The page

const STATUS_ORDER: readonly InvocationStatus[] = ['ok', 'function-error', 'throttled', 'rejected', 'transport-error', 'dropped'];

const CSS = `
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #222; margin: 0 auto; padding: 24px; max-width: 1200px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 20px 0 6px; }
p.lead { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 8px; }
div.scroll { overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; font-weight: 600; }
td.text, th.text { text-align: left; }
table.meta th { text-align: left; }
table.meta td { text-align: left; white-space: normal; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
pre { background: #f7f7f7; padding: 8px; overflow-x: auto; font-size: 12px; }
ul.notes { font-size: 13px; color: #444; }
p.note { font-size: 12px; color: #666; margin: 0 0 8px; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
p.files { font-size: 12px; color: #666; margin: 4px 0 0; }
footer { margin-top: 40px; font-size: 12px; color: #888; }
`;

/** The whole page; charts' SVGs are inlined with their ids made unique per chart. */
export function reportHtml(data: RunReportData, charts: ReadonlyArray<Pick<ReportChart, 'name' | 'title' | 'svg'> & { readonly group?: ReportChart['group'] }>, generatedAt?: string): string {
  const { run } = data;
  const parts: string[] = [];
  parts.push(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>faasbench report: ${esc(run.id)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<header>
<h1>faasbench report: ${esc(run.kind)} ${esc(run.name)}</h1>
<p class="lead">run <code>${esc(run.id)}</code> on ${esc(run.provider)}, ${esc(run.status)}</p>
</header>
<section id="summary">
<h2>Summary</h2>
${metaTable(data)}
<div class="scroll">${callsTable(data)}</div>
<div class="scroll">${latencyTable(data)}</div>
${notesList(data, charts.length)}
${paramsBlock(data)}
</section>`);
  const answers = charts.filter((c) => c.group === 'result');
  if (data.result) parts.push(resultHtml(data.result, answers.map(chartFigure).join('\n')));
  for (const chart of data.result ? charts.filter((c) => c.group !== 'result') : charts) {
    parts.push(`<section class="chart" id="chart-${esc(chart.name)}">
<h2>${esc(chart.title)}</h2>
${chartFigure(chart)}
</section>`);
  }
  parts.push(`<footer>faasbench ${esc(run.toolVersion)}${generatedAt ? `; report generated ${esc(generatedAt)}` : ''}</footer>
</body>
</html>
`);
  return parts.join('\n');
}

/** A chart's SVG inline, and links to its files. */
function chartFigure(chart: Pick<ReportChart, 'name' | 'title' | 'svg'>): string {
  return `<figure data-chart="${esc(chart.name)}" aria-label="${esc(chart.title)}">${uniqueIds(chart.svg, chart.name)}</figure>
<p class="files"><a href="${esc(chart.name)}.svg">${esc(chart.name)}.svg</a> · <a href="${esc(chart.name)}.png">${esc(chart.name)}.png</a></p>`;
}

function metaTable(data: RunReportData): string {
  const { run } = data;
  const rows: [string, string][] = [
    ['run id', `<code>${esc(run.id)}</code>`],
    ['kind', esc(run.kind)],
    ['name', esc(run.name)],
    ['provider', esc(run.provider)],
    ['status', esc(run.status)],
    ['started', esc(run.startedAt)],
    ['finished', run.finishedAt ? `${esc(run.finishedAt)} (${esc(elapsed(run.startedAt, run.finishedAt))})` : 'not finished'],
    ['calls stored', `${grouped(data.records)}${run.duplicates > 0 ? ` (${grouped(run.duplicates)} duplicates kept out)` : ''}`],
    ['calls by status', STATUS_ORDER.filter((s) => data.byStatus[s]).map((s) => `${esc(s)} ${grouped(data.byStatus[s]!)}`).join(', ') || 'none'],
  ];
  if (run.seed !== null) rows.push(['seed', String(run.seed)]);
  return `<table class="meta">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function rowsOf(data: RunReportData): FunctionReport[] {
  return data.total ? [...data.functions, data.total] : [...data.functions];
}

const fnCell = (fn: string): string => (fn === '*' ? '<td class="text"><em>all functions</em></td>' : `<td class="text">${esc(fn)}</td>`);

function callsTable(data: RunReportData): string {
  const rows = rowsOf(data);
  if (rows.length === 0) return '<p>This run has no calls stored.</p>';
  const statuses = STATUS_ORDER.filter((s) => rows.some((r) => r.byStatus[s]));
  const warmup = rows.some((r) => r.warmupCalls > 0);
  const head = ['<th class="text">function</th>', '<th>calls</th>', ...(warmup ? ['<th>warm-up</th>'] : []), ...statuses.map((s) => `<th>${esc(s)}</th>`), '<th>cold</th>', '<th>warm</th>'];
  const body = rows.map((r) =>
    [fnCell(r.fn), `<td>${grouped(r.calls)}</td>`, ...(warmup ? [`<td>${grouped(r.warmupCalls)}</td>`] : []), ...statuses.map((s) => `<td>${grouped(r.byStatus[s] ?? 0)}</td>`), `<td>${grouped(r.cold)}</td>`, `<td>${grouped(r.warm)}</td>`].join(''),
  );
  return `<h3>Calls (measure phase)</h3>
<table class="calls"><thead><tr>${head.join('')}</tr></thead><tbody>${body.map((b) => `<tr>${b}</tr>`).join('')}</tbody></table>`;
}

function latencyTable(data: RunReportData): string {
  const rows = rowsOf(data).filter((r) => r.latencyMs !== null);
  if (rows.length === 0) return '<p>No call answered ok in the measure phase: there are no latencies.</p>';
  const cols: [string, (l: LatencyStats) => string][] = [
    ['ok calls', (l) => grouped(l.count)],
    ['min', (l) => ms(l.min)],
    ['p50', (l) => ms(l.p50)],
    ['p90', (l) => ms(l.p90)],
    ['p99', (l) => ms(l.p99)],
    ['p99.9', (l) => ms(l.p999)],
    ['max', (l) => ms(l.max)],
    ['mean', (l) => ms(l.mean)],
  ];
  const body = rows.map((r) => `<tr>${fnCell(r.fn)}${cols.map(([, f]) => `<td>${f(r.latencyMs!)}</td>`).join('')}</tr>`);
  return `<h3>Latency (ms, ok calls of the measure phase)</h3>
<table class="latency"><thead><tr><th class="text">function</th>${cols.map(([h]) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>
<p class="note">Percentiles are nearest rank of every ok call's latency (the p-th percentile of n calls is the ceil(p/100 × n)-th smallest), exact: the figures of <code>faasbench analyze</code>. Failed calls are counted above, not timed.</p>`;
}

function notesList(data: RunReportData, charts: number): string {
  const notes = [...data.notes];
  if (data.records === 0) notes.push('This run has no invocation records: there is nothing to chart.');
  else if (charts === 0) notes.push('No chart applies: no call of the measure phase answered ok or was sent.');
  return notes.length ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
}

function paramsBlock(data: RunReportData): string {
  const { params, host } = data.run;
  const blocks: string[] = [];
  if (params !== null && !(typeof params === 'object' && Object.keys(params).length === 0)) blocks.push(`<details><summary>parameters</summary><pre>${esc(JSON.stringify(params, null, 2))}</pre></details>`);
  if (host !== null && !(typeof host === 'object' && Object.keys(host).length === 0)) blocks.push(`<details><summary>host</summary><pre>${esc(JSON.stringify(host, null, 2))}</pre></details>`);
  return blocks.join('\n');
}

/**
 * Inline SVGs share one document: two charts each defining `clip1` would clip each other's marks.
 * Vega names ids per chart, so every id and reference to one is prefixed with the chart's name.
 */
export function uniqueIds(svg: string, prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  return svg.replace(/(\s)id="([^"]+)"/g, `$1id="${safe}-$2"`).replace(/url\(#([^)]+)\)/g, `url(#${safe}-$1)`).replace(/href="#([^"]+)"/g, `href="#${safe}-$1"`);
}


const grouped = (n: number): string => n.toLocaleString('en-US');

/** Two decimals below 100 ms, one above: what a latency table needs to tell runs apart. */
function ms(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: value >= 100 ? 1 : 2, maximumFractionDigits: value >= 100 ? 1 : 2 });
}

function elapsed(fromIso: string, toIso: string): string {
  const s = (Date.parse(toIso) - Date.parse(fromIso)) / 1000;
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
