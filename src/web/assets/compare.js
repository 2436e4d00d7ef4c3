// Two runs side by side and what changed from a to b (/api/compare): for two experiment runs their
// result tables row by row; per function, each figure as a → b with the change, its interval
// (bootstrap for latency, Newcombe for rates) and the verdict the API gives; and both runs' latency
// CDF and latency over time, the charts of their run pages (/api/runs/:id/charts) side by side.
/* global document */
import { count, duration, el, getJson, ms, pct, poll, stamp, statusBadge, time, withToken } from './common.js';

const { a, b } = document.body.dataset;
const POLL_MS = 2000;
const CHART_EVERY_MS = 5000;
/** The charts shown for each run, in rows: a's on the left, b's on the right. */
const CHARTS = [
  ['latency-cdf', 'Latency CDF'],
  ['latency-over-time', 'Latency over time'],
];
let chartsDrawnAt = 0;
let chartsFinal = false;

function side(label, run) {
  return el(
    'div',
    { className: 'side', 'data-side': label, 'data-run-id': run.id },
    el('h3', {}, `${label.toUpperCase()}: `, el('a', { href: withToken(`/runs/${encodeURIComponent(run.id)}`) }, run.name), ' ', statusBadge(run.status)),
    el(
      'dl',
      {},
      [
        ['run', run.id],
        ['kind', run.experiment ? `experiment ${run.experiment}` : run.kind],
        ['provider', run.provider],
        ['started', time(run.startedAt)],
        ['duration', duration(run.durationMs)],
        ['calls', count(run.calls)],
      ].flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Per function

const signed = (v, format) => (v > 0 ? `+${format(v)}` : format(v));
const percentOf = (change, base) => (base ? ` (${signed((change / Math.abs(base)) * 100, (x) => x.toFixed(1))}%)` : '');
const points = (v) => signed(v * 100, (x) => x.toFixed(1));
/** A verdict's colour: lower latency, fewer cold starts and failures are better. */
const VERDICT_CLASS = { faster: 'better', lower: 'better', slower: 'worse', higher: 'worse', 'no significant change': 'same' };

function verdictLine(verdict) {
  return el('div', { className: `verdict ${VERDICT_CLASS[verdict] ?? 'same'}` }, verdict ?? '-');
}

function latencyCell(metric, from, to, d, verdict, minCalls) {
  const lines = [el('div', { className: 'ends' }, `${ms(from)} → ${ms(to)}`)];
  if (from !== null && to !== null) lines.push(el('div', { className: 'delta' }, `${signed(to - from, ms)}${percentOf(to - from, from)}`));
  lines.push(el('div', { className: 'ci' }, d ? `CI [${signed(d.lo, ms)}, ${signed(d.hi, ms)}]` : `no CI: under ${minCalls} calls a side`));
  if (d) lines.push(verdictLine(verdict));
  return el('td', { className: 'change', 'data-metric': metric, 'data-significant': d ? String(d.significant) : null }, lines);
}

function rateCell(metric, fromRate, toRate, d, verdict) {
  if (!d) return el('td', { className: 'change', 'data-metric': metric }, el('div', { className: 'ends' }, `${pct(fromRate)} → ${pct(toRate)}`));
  return el(
    'td',
    { className: 'change', 'data-metric': metric, 'data-significant': String(d.significant) },
    el('div', { className: 'ends' }, `${pct(d.a)} → ${pct(d.b)}`),
    el('div', { className: 'delta' }, `${points(d.estimate)} pts`),
    el('div', { className: 'ci' }, `CI [${points(d.lo)}, ${points(d.hi)}] pts`),
    verdictLine(verdict),
  );
}

function differences(comparison) {
  const head = ['function', 'calls a', 'calls b', 'p50 latency', 'p99 latency', 'cold-start rate', 'failure rate'];
  // `shown`: the run-wide row is left out when it would repeat the one function both runs have.
  const rows = comparison.shown.map((fn) => {
    const f = comparison.functions.find((x) => x.fn === fn);
    return el(
      'tr',
      { 'data-fn': f.fn },
      el('td', {}, f.fn === '*' ? 'all functions' : f.fn),
      el('td', { className: 'num' }, count(f.a.calls)),
      el('td', { className: 'num' }, count(f.b.calls)),
      latencyCell('median', f.a.p50, f.b.p50, f.median, f.verdicts.median, 10),
      latencyCell('p99', f.a.p99, f.b.p99, f.p99, f.verdicts.p99, 100),
      rateCell('cold-rate', f.a.coldRate, f.b.coldRate, f.coldRate, f.verdicts.coldRate),
      rateCell('failure-rate', null, null, f.failureRate, f.verdicts.failureRate),
    );
  });
  const only = [];
  if (comparison.onlyInA.length) only.push(el('li', {}, `only in a: ${comparison.onlyInA.join(', ')}`));
  if (comparison.onlyInB.length) only.push(el('li', {}, `only in b: ${comparison.onlyInB.join(', ')}`));
  return [
    el('div', { className: 'scroll' }, el('table', { id: 'differences-table' }, el('thead', {}, el('tr', {}, head.map((h) => el('th', { className: h === 'function' ? '' : 'num' }, h)))), el('tbody', {}, rows))),
    only.length ? el('ul', { className: 'notes' }, only) : null,
  ];
}

// ---------------------------------------------------------------------------------------------
// Result tables

/** The decimals a result's number prints with (as `faasbench results` prints it): whole, then 1, 2 or 4 by size. */
const decimalsOf = (n) => (Number.isInteger(n) ? 0 : Math.abs(n) >= 100 ? 1 : Math.abs(n) >= 1 ? 2 : 4);
const cellText = (v) => (v === null ? '-' : typeof v === 'number' ? v.toFixed(decimalsOf(v)) : String(v));

function resultCells(c) {
  if (c.change === null) {
    const same = c.a === c.b;
    return [el('td', {}, cellText(c.a)), el('td', {}, same ? '' : cellText(c.b)), el('td', { className: 'muted' }, same ? 'same' : 'changed'), el('td', {}, '')];
  }
  const digits = Math.max(decimalsOf(c.a), decimalsOf(c.b));
  const fixed = (v) => v.toFixed(digits);
  return [
    el('td', { className: 'num' }, fixed(c.a)),
    el('td', { className: 'num' }, fixed(c.b)),
    el('td', { className: 'num' }, signed(c.change, fixed)),
    el('td', { className: 'num' }, c.percent === null ? '-' : `${signed(c.percent, (x) => x.toFixed(1))}%`),
  ];
}

function keyLabel(columns, key) {
  return columns.map((c, i) => `${c} ${cellText(key[i])}`).join(', ');
}

function resultTable(t) {
  const head = [...t.keyColumns, 'column', 'a', 'b', 'change', '% of a'];
  const body = t.rows.flatMap((row) =>
    row.cells.map((c, i) =>
      el(
        'tr',
        { className: i === 0 ? 'group-start' : '', 'data-key': JSON.stringify(row.key), 'data-column': c.column },
        i === 0 ? row.key.map((k) => el('td', { className: 'key', rowspan: row.cells.length }, cellText(k))) : null,
        el('td', {}, c.column),
        resultCells(c),
      ),
    ),
  );
  const notes = [];
  if (t.onlyInA.length) notes.push(`rows only in a: ${t.onlyInA.map((k) => keyLabel(t.keyColumns, k)).join('; ')}`);
  if (t.onlyInB.length) notes.push(`rows only in b: ${t.onlyInB.map((k) => keyLabel(t.keyColumns, k)).join('; ')}`);
  if (t.columnsOnlyInA.length) notes.push(`columns only in a: ${t.columnsOnlyInA.join(', ')}`);
  if (t.columnsOnlyInB.length) notes.push(`columns only in b: ${t.columnsOnlyInB.join(', ')}`);
  return el(
    'div',
    { className: 'result-table', 'data-table': t.name },
    el('h3', {}, t.name === 'result' ? 'Result table' : t.title, el('span', { className: 'muted' }, ` (rows matched by ${t.keyColumns.join(', ') || 'position'})`)),
    body.length
      ? el('div', { className: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, head.map((h, i) => el('th', { className: i >= head.length - 4 ? 'num' : '' }, h)))), el('tbody', {}, body)))
      : el('p', { className: 'muted' }, 'No row in both runs.'),
    notes.length ? el('ul', { className: 'notes' }, notes.map((n) => el('li', {}, n))) : null,
  );
}

function drawResults(results) {
  const section = document.getElementById('results-section');
  section.hidden = results === null;
  if (results === null) return;
  const notes = [];
  if (results.tablesOnlyInA.length) notes.push(`tables only in a: ${results.tablesOnlyInA.join(', ')}`);
  if (results.tablesOnlyInB.length) notes.push(`tables only in b: ${results.tablesOnlyInB.join(', ')}`);
  document.getElementById('results').replaceChildren(...results.tables.map(resultTable), notes.length ? el('ul', { className: 'notes' }, notes.map((n) => el('li', {}, n))) : '');
  // Pooled over every case of an experiment, the calls' figures answer a different question.
  document.getElementById('differences-title').textContent = 'Calls pooled over every case (B − A)';
}

// ---------------------------------------------------------------------------------------------
// Charts

function figure(label, run, charts, name, title) {
  const chart = charts.find((c) => c.name === name);
  const caption = el('figcaption', {}, `${label}: ${run.name} (${run.id})`);
  if (!chart) return el('figure', { className: 'chart missing', 'data-chart': name, 'data-side': label }, caption, el('p', { className: 'muted' }, `no ${title.toLowerCase()}: no answered calls`));
  const holder = el('div', { className: 'svg' });
  // The server's own rendering (Vega escapes every label it writes), as on the run page.
  holder.innerHTML = chart.svg;
  return el('figure', { className: 'chart', 'data-chart': name, 'data-side': label, 'aria-label': `${title} of ${label}` }, caption, holder);
}

async function drawCharts(runs, final) {
  const [chartsA, chartsB] = await Promise.all([a, b].map((id) => getJson(`/api/runs/${encodeURIComponent(id)}/charts`)));
  const box = document.getElementById('charts');
  box.replaceChildren(...CHARTS.flatMap(([name, title]) => [figure('a', runs.a, chartsA.charts, name, title), figure('b', runs.b, chartsB.charts, name, title)]));
  box.dataset.state = final ? 'final' : 'live';
  chartsDrawnAt = Date.now();
}

poll(async () => {
  const { runs, comparison } = await getJson(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  const running = runs.a.status === 'running' || runs.b.status === 'running';
  document.getElementById('sides').replaceChildren(side('a', runs.a), side('b', runs.b));
  document.getElementById('method').textContent =
    `${Math.round(comparison.level * 100)}% intervals of the change: latency by bootstrap (${count(comparison.resamples)} resamples, seed ${comparison.seed}), rates by Newcombe's hybrid score method. ` +
    'A verdict is given when the interval excludes zero.';
  document.getElementById('differences').replaceChildren(...differences(comparison).filter(Boolean));
  drawResults(comparison.results);
  if (!running && !chartsFinal) {
    chartsFinal = true;
    await drawCharts(runs, true);
  } else if (running && Date.now() - chartsDrawnAt >= CHART_EVERY_MS) {
    await drawCharts(runs, false);
  }
  stamp();
  // A running side changes: compare again until both have finished.
  return running;
}, POLL_MS);
