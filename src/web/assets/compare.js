// Two runs side by side and what changed from a to b (/api/compare): median and p99 latency with
// bootstrap intervals, cold-start and failure rates with Newcombe intervals. A difference whose
// interval excludes zero is bold, green when b is lower (faster, fewer cold starts or failures).
/* global document */
import { count, duration, el, getJson, ms, pct, poll, stamp, statusBadge, time, withToken } from './common.js';

const { a, b } = document.body.dataset;

function side(label, run) {
  return el(
    'div',
    { className: 'side', 'data-side': label, 'data-run-id': run.id },
    el('h3', {}, `${label}: `, el('a', { href: withToken(`/runs/${encodeURIComponent(run.id)}`) }, run.name), ' ', statusBadge(run.status)),
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

function diffCell(d, format) {
  if (!d) return el('td', { className: 'num muted' }, '-');
  const sign = d.estimate > 0 ? '+' : '';
  const classes = ['num', d.significant ? 'significant' : '', d.significant ? (d.estimate < 0 ? 'better' : 'worse') : ''].filter(Boolean).join(' ');
  return el('td', { className: classes, 'data-significant': String(d.significant) }, `${sign}${format(d.estimate)} [${format(d.lo)}, ${format(d.hi)}]`);
}

const points = (v) => `${(v * 100).toFixed(1)} pt`;

function differences(comparison) {
  const head = ['function', 'calls a', 'calls b', 'p50 a', 'p50 b', 'Δ p50', 'p99 a', 'p99 b', 'Δ p99', 'cold a', 'cold b', 'Δ cold rate', 'Δ failure rate'];
  const rows = comparison.functions.map((f) =>
    el(
      'tr',
      { 'data-fn': f.fn },
      el('td', {}, f.fn === '*' ? 'all functions' : f.fn),
      el('td', { className: 'num' }, count(f.a.calls)),
      el('td', { className: 'num' }, count(f.b.calls)),
      el('td', { className: 'num' }, ms(f.a.p50)),
      el('td', { className: 'num' }, ms(f.b.p50)),
      diffCell(f.median, ms),
      el('td', { className: 'num' }, ms(f.a.p99)),
      el('td', { className: 'num' }, ms(f.b.p99)),
      diffCell(f.p99, ms),
      el('td', { className: 'num' }, pct(f.a.coldRate)),
      el('td', { className: 'num' }, pct(f.b.coldRate)),
      diffCell(f.coldRate, points),
      diffCell(f.failureRate, points),
    ),
  );
  const only = [];
  if (comparison.onlyInA.length) only.push(el('li', {}, `only in a: ${comparison.onlyInA.join(', ')}`));
  if (comparison.onlyInB.length) only.push(el('li', {}, `only in b: ${comparison.onlyInB.join(', ')}`));
  return [
    el('div', { className: 'scroll' }, el('table', { id: 'differences-table' }, el('thead', {}, el('tr', {}, head.map((h) => el('th', { className: h === 'function' ? '' : 'num' }, h)))), el('tbody', {}, rows))),
    only.length ? el('ul', { className: 'notes' }, only) : null,
  ];
}

poll(async () => {
  const { runs, comparison } = await getJson(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  document.getElementById('sides').replaceChildren(side('a', runs.a), side('b', runs.b));
  document.getElementById('method').textContent =
    `${Math.round(comparison.level * 100)}% intervals: latency by bootstrap (${count(comparison.resamples)} resamples, seed ${comparison.seed}), rates by Newcombe's hybrid score method. ` +
    'Bold: the interval excludes zero.';
  document.getElementById('differences').replaceChildren(...differences(comparison).filter(Boolean));
  stamp();
  // A running side changes: compare again until both have finished.
  return runs.a.status === 'running' || runs.b.status === 'running';
}, 2000);
