// The runs list: polls /api/runs every second and redraws the table; two ticked runs open the
// compare page. The ticks live here, not in the table, so a redraw keeps them.
/* global document, window */
import { count, duration, el, getJson, poll, progressCell, stamp, statusBadge, time, withToken } from './common.js';

const POLL_MS = 1000;
const picked = new Set();
const body = document.querySelector('#runs tbody');
const compare = document.getElementById('compare');

compare.addEventListener('click', () => {
  const [a, b] = [...picked];
  window.location.href = withToken(`/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
});

function refreshCompare() {
  compare.disabled = picked.size !== 2;
}

function row(run) {
  const box = el('input', { type: 'checkbox', 'aria-label': `select run ${run.id} to compare`, checked: picked.has(run.id) });
  box.addEventListener('change', () => {
    if (box.checked) picked.add(run.id);
    else picked.delete(run.id);
    // Two at most: a third tick replaces the oldest.
    while (picked.size > 2) picked.delete(picked.values().next().value);
    refreshCompare();
    render(lastRuns);
  });
  const what = run.experiment ? `experiment ${run.experiment}` : run.kind;
  return el(
    'tr',
    { 'data-run-id': run.id, 'data-status': run.status },
    el('td', { className: 'pick' }, box),
    el('td', {}, statusBadge(run.status)),
    el('td', {}, el('a', { href: withToken(`/runs/${encodeURIComponent(run.id)}`), className: 'run-link' }, run.name), ' ', el('span', { className: 'muted mono' }, run.id)),
    el('td', {}, what),
    el('td', {}, run.provider),
    el('td', {}, time(run.startedAt)),
    el('td', { className: 'num' }, duration(run.durationMs)),
    el('td', {}, run.status === 'running' || run.progress ? progressCell(run.progress) : el('span', { className: 'muted' }, '–')),
    el('td', { className: 'num' }, count(run.calls)),
  );
}

let lastRuns = [];

function render(runs) {
  lastRuns = runs;
  for (const id of [...picked]) if (!runs.some((r) => r.id === id)) picked.delete(id);
  refreshCompare();
  if (runs.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 9, className: 'muted' }, 'No runs in this store yet: start one with faasbench invoke or faasbench experiment run.')));
    return;
  }
  body.replaceChildren(...runs.map(row));
}

poll(async () => {
  const { runs } = await getJson('/api/runs');
  render(runs);
  stamp();
  return true;
}, POLL_MS);
