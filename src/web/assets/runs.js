// The runs list: polls /api/runs every second and redraws the table; two ticked runs open the
// compare page. The ticks live here, not in the table, so a redraw keeps them. It shows the
// newest runs (the page's default limit) or, with ?all=1 or the button under the table, all of
// them up to the API's most; a redraw replaces only the rows that changed, so a thousand rows
// polled every second cost little more than a hundred. The filter box sends `runs --filter`'s
// field=value pairs to the API (which checks them) and keeps them in the address.
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
const filterBox = document.getElementById('filter');
let all = new URLSearchParams(window.location.search).get('all') === '1';
/** Wait this long after the last key before asking again: not one request per letter. */
const FILTER_SETTLE_MS = 300;
/** The API's word on a bad filter, shown while the box holds it; polling goes on, so a fix is picked up. */
let filterProblem = null;
filterBox.value = new URLSearchParams(window.location.search)
  .getAll('filter')
  .map((f) => (/\s/.test(f) ? f.replace('=', '="') + '"' : f))
  .join(' ');

/** `kind=experiment label="my run"` -> ['kind=experiment', 'label=my run']. */
function filters() {
  return (filterBox.value.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((token) => token.replace(/"/g, ''));
}

function keepInAddress(url) {
  window.history.replaceState(null, '', url.pathname + url.search);
}

let settle = null;
filterBox.addEventListener('input', () => {
  clearTimeout(settle);
  settle = setTimeout(() => {
    const url = new URL(window.location.href);
    url.searchParams.delete('filter');
    for (const f of filters()) url.searchParams.append('filter', f);
    keepInAddress(url);
    refresh().catch((err) => showError(err.message));
  }, FILTER_SETTLE_MS);
});

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
  keepInAddress(url);
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
  const label = run.label ? el('span', { className: 'badge run-label', title: 'label' }, run.label) : null;
  return el(
    'tr',
    { 'data-run-id': run.id, 'data-status': run.status },
    el('td', { className: 'pick' }, box),
    el('td', {}, statusBadge(run.status)),
    el('td', {}, el('a', { href: withToken(`/runs/${encodeURIComponent(run.id)}`), className: 'run-link' }, run.name), ' ', label, ' ', el('span', { className: 'muted mono' }, run.id)),
    el('td', {}, what, run.load ? el('div', { className: 'muted run-load' }, run.load) : null),
    el('td', {}, run.provider),
    el('td', { className: 'when' }, time(run.startedAt)),
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
    const none = filters().length > 0 ? 'No runs match the filter.' : 'No runs in this store yet: start one with faasbench invoke or faasbench experiment run.';
    drawn.clear();
    body.replaceChildren(el('tr', {}, el('td', { colspan: 9, className: 'muted' }, none)));
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
  const askedFilter = filterBox.value;
  const query = new URLSearchParams({ limit: String(asked ? MAX_LIMIT : DEFAULT_LIMIT) });
  for (const f of filters()) query.append('filter', f);
  let answer;
  try {
    answer = await getJson(`/api/runs?${query}`);
  } catch (err) {
    if (err.status !== 400) throw err;
    filterProblem = err.message;
    showError(err.message);
    return;
  }
  filterProblem = null;
  const { runs, more } = answer;
  // The button was pressed or the filter changed while this was on its way: the answer for the new choice is coming.
  if (asked !== all || askedFilter !== filterBox.value) return;
  render(runs);
  showCount(runs, more);
  stamp();
}

poll(async () => {
  await refresh();
  if (filterProblem) throw new Error(filterProblem);
  return true;
}, POLL_MS);
