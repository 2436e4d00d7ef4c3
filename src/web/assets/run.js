// One run: its overview and summary from /api/runs/:id, its charts (and an experiment's result
// tables) from /api/runs/:id/charts. While the run is running the summary and its progress
// (done / total, elapsed, ETA) refresh every second and the charts every few seconds; once it has
// finished, both are drawn one last time and polling stops.
/* global document */
import { count, duration, el, getJson, ms, pct, poll, progressCell, stamp, statusBadge, time } from './common.js';

const POLL_MS = 1000;
const CHART_EVERY_MS = 3000;
const runId = document.body.dataset.runId;
const api = `/api/runs/${encodeURIComponent(runId)}`;
let chartsDrawnAt = 0;
let chartsFinal = false;

function overview(run) {
  const what = run.experiment ? `experiment ${run.experiment}` : run.kind;
  const rows = [
    ['kind', what],
    ['provider', run.provider],
    ['started', time(run.startedAt)],
    ['finished', time(run.finishedAt)],
    ['duration', duration(run.durationMs)],
    ['progress', progressWithTiming(run)],
    ['calls stored', count(run.records)],
  ];
  if (run.seed !== null) rows.push(['seed', String(run.seed)]);
  if (run.duplicates > 0) rows.push(['duplicates kept out', count(run.duplicates)]);
  return el('dl', {}, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** The progress count and bar, then how long it has run and how long it has left while it runs. */
function progressWithTiming(run) {
  const cell = progressCell(run.progress);
  const t = run.timing;
  if (!t) return cell;
  const eta = t.etaMs === null ? 'ETA unknown' : `ETA ${duration(t.etaMs)}`;
  return el(
    'span',
    { className: 'timing', 'data-elapsed-ms': Math.round(t.elapsedMs), 'data-eta-ms': t.etaMs === null ? '' : Math.round(t.etaMs) },
    cell,
    el('span', { className: 'muted' }, ` · elapsed ${duration(t.elapsedMs)} · ${eta}`),
  );
}

/** A result cell as the CLI prints it (cli/result-print.ts): whole numbers as they are, others to a precision by size. */
function resultCell(cell) {
  if (cell === null || cell === undefined) return '-';
  if (typeof cell !== 'number') return String(cell);
  if (Number.isInteger(cell)) return String(cell);
  return cell.toFixed(Math.abs(cell) >= 100 ? 1 : Math.abs(cell) >= 1 ? 2 : 4);
}

function resultTable(name, columns, rows) {
  // Numbers right-aligned: a column whose cells are all numbers (or empty).
  const numeric = columns.map((_, i) => rows.some((r) => typeof r[i] === 'number') && rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'));
  const cls = (i) => (numeric[i] ? 'num' : null);
  return el(
    'div',
    { className: 'scroll' },
    el(
      'table',
      { className: 'result', 'data-table': name },
      el('thead', {}, el('tr', {}, columns.map((c, i) => el('th', { className: cls(i) }, c)))),
      el('tbody', {}, rows.map((row) => el('tr', {}, columns.map((_, i) => el('td', { className: cls(i) }, resultCell(row[i])))))),
    ),
  );
}

/** An experiment's answer: its main table, its notes, then each further table under its title. */
function drawResult(result, final) {
  const box = document.getElementById('result');
  if (!result) {
    box.replaceChildren(el('p', { className: 'muted' }, final ? 'This run stored no result (see the parameters below for why it failed).' : 'The result appears when the experiment finishes.'));
    return;
  }
  const parts = [resultTable('result', result.columns, result.rows)];
  if (result.notes.length > 0) parts.push(el('ul', { className: 'notes result-notes' }, result.notes.map((n) => el('li', {}, n))));
  for (const t of result.tables) parts.push(el('h3', {}, t.title), resultTable(t.name, t.columns, t.rows));
  box.replaceChildren(...parts);
}

const FIGURES = [
  ['calls', (s) => count(s.calls)],
  ['ok', (s) => count(s.ok)],
  ['errors', (s) => count(s.errors)],
  ['throttled', (s) => count(s.throttles)],
  ['dropped', (s) => count(s.dropped)],
  ['p50', (s) => ms(s.latencyMs?.p50)],
  ['p90', (s) => ms(s.latencyMs?.p90)],
  ['p99', (s) => ms(s.latencyMs?.p99)],
  ['p99.9', (s) => ms(s.latencyMs?.p999)],
  ['max', (s) => ms(s.latencyMs?.max)],
  ['p50 CI', (s) => (s.latencyCi?.p50 ? `${ms(s.latencyCi.p50.lo)} – ${ms(s.latencyCi.p50.hi)}` : '-')],
  ['cold', (s) => `${count(s.coldStart.cold)} (${pct(s.coldStart.rate)})`],
  ['cold p50', (s) => ms(s.coldStart.coldLatencyMs?.p50)],
  ['warm p50', (s) => ms(s.coldStart.warmLatencyMs?.p50)],
  ['init p50', (s) => ms(s.coldStart.initMs?.p50)],
  ['instances', (s) => `${count(s.instances.count)} (peak ${count(s.instances.peak)})`],
  ['lateness p99', (s) => ms(s.latenessMs?.p99)],
  ['GB-s', (s) => (s.billing.gbSeconds ? s.billing.gbSeconds.toPrecision(3) : '-')],
];

function summaryTable(analysis) {
  const rows = analysis.functions.length > 1 ? [analysis.total, ...analysis.functions] : analysis.functions.length === 1 ? analysis.functions : [analysis.total];
  return el(
    'table',
    { className: 'summary', id: 'summary-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'function'), FIGURES.map(([name]) => el('th', { className: 'num' }, name)))),
    el('tbody', {}, rows.map((s) => el('tr', { 'data-fn': s.fn }, el('td', {}, s.fn === '*' ? 'all functions' : s.fn), FIGURES.map(([, f]) => el('td', { className: 'num' }, f(s)))))),
  );
}

function coldNote(analysis) {
  const c = analysis.total.coldStart;
  const source = { platform: "the platform's cold flag", inferred: 'inferred on the client', mixed: "the platform's flag where given, else inferred", none: 'no cold-start information' }[c.source];
  const errors = Object.entries(analysis.total.errorClasses).map(([k, v]) => `${k} ${count(v)}`);
  return el(
    'ul',
    { className: 'notes' },
    el('li', {}, `Cold starts: ${source}.`),
    el('li', {}, 'Latency: ok calls only (failed calls are counted, not timed); percentiles are nearest rank of exact values, the figures of faasbench analyze.'),
    analysis.total.warmupCalls > 0 ? el('li', {}, `${count(analysis.total.warmupCalls)} warm-up calls are left out of the figures.`) : null,
    errors.length > 0 ? el('li', {}, `Error classes: ${errors.join(', ')}.`) : null,
  );
}

function details(run) {
  const block = (title, value, open) => el('details', open ? { open: true } : {}, el('summary', {}, title), el('pre', {}, JSON.stringify(value, null, 2)));
  const parts = [block('parameters', run.params, false)];
  // An experiment's result is drawn above as tables; a load run's stored summary stays here for scripts' sake.
  if (run.summary !== null && run.kind !== 'experiment') parts.push(block('stored summary', run.summary, run.status === 'failed'));
  const error = run.summary && run.summary.error && run.summary.error.message;
  if (error) parts.unshift(el('p', { className: 'error' }, `The run failed: ${error}`));
  parts.push(block('host', run.host, false));
  return parts;
}

function figureOf(chart) {
  // The chart draws its own title; the label is for screen readers and tests.
  const figure = el('figure', { className: 'chart', 'data-chart': chart.name, 'data-group': chart.group, 'aria-label': chart.title });
  const holder = el('div', { className: 'svg' });
  // The SVG is the server's own rendering (Vega escapes every label it writes), not user HTML.
  holder.innerHTML = chart.svg;
  figure.append(holder);
  if (chart.warnings.length > 0) figure.append(el('p', { className: 'warnings' }, `chart warnings: ${chart.warnings.join('; ')}`));
  return figure;
}

async function drawCharts(final, kind) {
  const { charts: all, notes, result } = await getJson(`${api}/charts`);
  if (kind === 'experiment') {
    drawResult(result, final);
    const answers = document.getElementById('result-charts');
    answers.replaceChildren(...all.filter((c) => c.group === 'result').map(figureOf));
    answers.dataset.state = final ? 'final' : 'live';
  }
  // A run that is not an experiment has no result section: every chart is one of its calls.
  const charts = kind === 'experiment' ? all.filter((c) => c.group !== 'result') : all;
  const box = document.getElementById('charts');
  if (charts.length === 0) {
    box.replaceChildren(el('p', { className: 'muted' }, final ? 'This run has no calls to chart.' : 'No calls yet.'));
  } else {
    const figures = charts.map(figureOf);
    if (notes.length > 0) figures.push(el('ul', { className: 'notes' }, notes.map((n) => el('li', {}, n))));
    box.replaceChildren(...figures);
  }
  box.dataset.state = final ? 'final' : 'live';
  chartsDrawnAt = Date.now();
}

poll(async () => {
  const { run, analysis } = await getJson(api);
  const running = run.status === 'running';
  document.getElementById('run-status').replaceChildren(statusBadge(run.status));
  document.getElementById('overview').replaceChildren(overview(run));
  document.getElementById('summary').replaceChildren(el('div', { className: 'scroll' }, summaryTable(analysis)), coldNote(analysis));
  document.getElementById('details').replaceChildren(...details(run));
  if (!running && !chartsFinal) {
    chartsFinal = true;
    await drawCharts(true, run.kind);
  } else if (running && Date.now() - chartsDrawnAt >= CHART_EVERY_MS) {
    await drawCharts(false, run.kind);
  }
  stamp();
  document.body.dataset.status = run.status;
  return running;
}, POLL_MS);
