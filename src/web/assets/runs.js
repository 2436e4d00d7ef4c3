// The runs list: polls /api/runs every second and redraws the table; two ticked runs open the
// compare page. The ticks live here, not in the table, so a redraw keeps them. It shows the
// newest runs (the page's default limit) or, with ?all=1 or the button under the table, all of
// them up to the API's most; a redraw replaces only the rows that changed, so a thousand rows
// polled every second cost little more than a hundred.
/* global document, window, URLSearchParams */
import { count, duration, el, getJson, poll, progressCell, showError, stamp, statusBadge, time, withToken } from './common.js';

const POLL_MS = 1000;
const DEFAULT_LIMIT = Number(document.body.dataset.defaultLimit);
const MAX_LIMIT = Number(document.body.dataset.maxLimit);
const picked = new Set();
const body = document.querySelector('#runs tbody');
const compare = document.getElementById('compare');
const shown = document.getElementById('shown');
const showAll = document.getElementById('show-all');
let all = new URLSearchParams(window.location.search).get('all') === '1';

compare.addEventListener('click', () => {
  const [a, b] = [...picked];
  window.location.href = withToken(`/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
});

showAll.addEventListener('click', () => {
  all = !all;
  // In the address too, so a reload or a shared link shows the same list.
  const url = new URL(window.location.href);
  if (all) url.searchParams.set('all', '1');
  else url.searchParams.delete('all');
  window.history.replaceState(null, '', url.pathname + url.search);
  refresh().catch((err) => showError(err.message));
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
    el('td', {}, run.status === 'running' || run.progress ? progressCell(run.progress) : el('span', { className: 'muted' }, '-')),
    el('td', { className: 'num' }, count(run.calls)),
  );
}

let lastRuns = [];
/** Row elements by run id, with what they were drawn from: an unchanged run keeps its row. */
const drawn = new Map();

function render(runs) {
  lastRuns = runs;
  const ids = new Set(runs.map((r) => r.id));
  for (const id of [...picked]) if (!ids.has(id)) picked.delete(id);
  for (const id of [...drawn.keys()]) if (!ids.has(id)) drawn.delete(id);
  refreshCompare();
  if (runs.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 9, className: 'muted' }, 'No runs in this store yet: start one with faasbench invoke or faasbench experiment run.')));
    return;
  }
  const rows = runs.map((run) => {
    const key = `${picked.has(run.id)}${JSON.stringify(run)}`;
    const cached = drawn.get(run.id);
    if (cached && cached.key === key) return cached.tr;
    const tr = row(run);
    drawn.set(run.id, { key, tr });
    return tr;
  });
  // In order, moving only what is out of place; what is left over at the end is gone.
  rows.forEach((tr, i) => {
    const at = body.children[i];
    if (at !== tr) body.insertBefore(tr, at ?? null);
  });
  while (body.children.length > rows.length) body.lastElementChild.remove();
}

function showCount(runs, more) {
  const text = document.getElementById('shown-text');
  if (!all && !more) {
    shown.hidden = true;
    return;
  }
  shown.hidden = false;
  if (!all) {
    text.textContent = `The newest ${count(runs.length)} runs.`;
    showAll.textContent = 'Show all runs';
  } else {
    text.textContent = more ? `The newest ${count(runs.length)} runs (the most the list shows).` : `All ${count(runs.length)} runs.`;
    showAll.textContent = `Show the newest ${count(DEFAULT_LIMIT)} only`;
  }
}

async function refresh() {
  const asked = all;
  const { runs, more } = await getJson(`/api/runs?limit=${asked ? MAX_LIMIT : DEFAULT_LIMIT}`);
  // The button was pressed while this was on its way: the answer for the new choice is coming.
  if (asked !== all) return;
  render(runs);
  showCount(runs, more);
  stamp();
}

poll(async () => {
  await refresh();
  return true;
}, POLL_MS);
