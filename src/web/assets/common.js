// What every dashboard page script shares: the API client (carrying a ?token= the page was opened
// with), DOM building from text (never from HTML: run names and error messages come from users),
// number formats, and polling that stops on its own.
/* global document, window, fetch, URLSearchParams */

const token = new URLSearchParams(window.location.search).get('token');

/** A dashboard path with the page's token, if it was opened with one. */
export function withToken(path) {
  if (!token) return path;
  const url = new URL(path, window.location.origin);
  url.searchParams.set('token', token);
  return url.pathname + url.search;
}

for (const a of document.querySelectorAll('a[data-keep-token]')) a.setAttribute('href', withToken(a.getAttribute('href')));

/** The API's JSON; its error message (`{ error: { message } }`) as the Error's when the status is not 2xx. */
export async function getJson(path) {
  const res = await fetch(withToken(path), { headers: { accept: 'application/json' }, cache: 'no-store' });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const error = new Error(body && body.error && body.error.message ? body.error.message : `${path}: HTTP ${res.status}`);
    error.status = res.status;
    throw error;
  }
  return body;
}

/** An element with attributes and children; strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'className') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return node;
}

export function showError(message) {
  const box = document.getElementById('error');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
}

export function clearError() {
  const box = document.getElementById('error');
  if (box) box.hidden = true;
}

/** What a status means where its word alone does not say. */
const STATUS_TITLES = { abandoned: 'still marked running, but its invoker stopped sending heartbeats: it was killed or lost, and will not finish' };

export function statusBadge(status) {
  return el('span', { className: `badge ${status}`, 'data-status': status, title: STATUS_TITLES[status] }, status);
}

const grouped = new Intl.NumberFormat('en-US');

export function count(n) {
  return n === null || n === undefined ? '-' : grouped.format(n);
}

/** ms with three significant digits (0.412 ms, 12.3 ms, 1,234 ms). */
export function ms(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  if (Math.abs(value) >= 100) return `${grouped.format(Math.round(value))} ms`;
  return `${Number(value.toPrecision(3))} ms`;
}

export function pct(value, digits = 1) {
  return value === null || value === undefined ? '-' : `${(value * 100).toFixed(digits)}%`;
}

export function duration(msValue) {
  if (msValue === null || msValue === undefined) return '-';
  const s = msValue / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function time(iso) {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "123 / 160 calls" and a bar when the total is known. */
export function progressCell(progress) {
  if (!progress) return el('span', { className: 'muted' }, '-');
  const label = `${count(progress.done)}${progress.total !== null ? ` / ${count(progress.total)}` : ''} ${progress.unit}`;
  return el(
    'span',
    { className: 'progress', 'data-done': progress.done, 'data-total': progress.total ?? '' },
    progress.total ? el('progress', { max: progress.total, value: Math.min(progress.done, progress.total) }) : null,
    el('span', { className: 'progress-count' }, label),
    progress.label ? el('span', { className: 'muted' }, ` ${progress.label}`) : null,
  );
}

/**
 * Calls `step` now and again `intervalMs` after each call finishes (never two at once), while it
 * returns true; a thrown error is shown and polling goes on, since a store can come back.
 */
export function poll(step, intervalMs) {
  const tick = async () => {
    let again = true;
    try {
      again = await step();
      clearError();
    } catch (err) {
      showError(err.message);
      if (err.status === 404 || err.status === 401 || err.status === 400) again = false;
    }
    if (again) setTimeout(tick, intervalMs);
  };
  void tick();
}

export function stamp() {
  const node = document.getElementById('updated');
  if (node) node.textContent = `updated ${new Date().toLocaleTimeString()}`;
}
