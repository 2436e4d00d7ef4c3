// The dashboard's compare page in Debian's headless Chromium (playwright-core): two memory-sweep
// runs written straight into a scratch SQLite store, served in-process. The page must show each
// function once, both runs' latency CDF and latency over time, the two results' tables compared
// row by row, and fit a 1,366 px window without scrolling sideways. Screenshots go to
// .faasbench/test-artifacts/compare/ for a person to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_FACTS, type InvocationRecord } from '../src/core/invocation-record.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/store.ts';
import { startDashboard, type Dashboard } from '../src/web/server.ts';
import { REPO, scratchDir } from './support/platform.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, '.faasbench/test-artifacts/compare');
/** Chromium may still be arriving from apt on a fresh machine. */
const CHROMIUM_WAIT_MS = 60_000;
const WINDOW = { width: 1366, height: 900 };
const COLUMNS = ['memory MB', 'vCPUs applied', 'ok calls', 'avg billed ms', 'min billed ms', 'max billed ms', 'p50 duration ms', 'USD per 1M calls', 'balanced score (w 0.5)', 'errors'];

/** A completed memory-sweep run: 150 ok calls of `measure` (3 sizes x 50, every 10th cold) at base + 0..4.9 ms, and its result table. */
async function sweepRun(store: Store, baseMs: number, billed: readonly number[]): Promise<string> {
  const runId = await store.createRun({ kind: 'experiment', name: 'memory-sweep', provider: 'local', toolVersion: 'test', params: { values: {} }, startedAt: '2026-06-01T12:00:00.000Z' });
  const records = Array.from({ length: 150 }, (_, seq): InvocationRecord => {
    const plannedUs = 1_800_000_000_000_000 + seq * 20_000;
    const latencyMs = baseMs + (seq % 50) / 10;
    return { ...NO_FACTS, runId, seq, fn: 'measure', phase: 'measure', tag: null, plannedUs, sentUs: plannedUs, receivedUs: plannedUs + latencyMs * 1000, latencyMs, status: 'ok', httpStatus: 200, errorClass: null, cold: seq % 10 === 0, instanceId: `i-${seq % 3}` };
  });
  await store.appendRecords(records);
  await store.flush();
  const rows = [128, 512, 1024].map((mb, i) => [mb, mb / 1769, 50, billed[i]!, billed[i]! - 1, billed[i]! + 5, billed[i]! - 0.5, (billed[i]! * mb) / 1e4, 0.5, 0]);
  await store.addRecord(runId, 'result', { columns: COLUMNS, rows, notes: [], summary: { strategy: 'cost' } });
  await store.finishRun(runId, 'completed', { result: null, error: null, calls: null });
  return runId;
}

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs / 1000} s (apt-get install chromium)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Data marks (not axes or legend symbols) inside a chart's SVG. */
function dataMarks(page: Page, selector: string, mark: string): Promise<number> {
  return page.locator(`${selector} svg g.${mark}.role-mark path`).count();
}

describe('the compare page', () => {
  let store: Store;
  let dashboard: Dashboard;
  let context: BrowserContext;
  let profile: string;
  const ids = { a: '', b: '' };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    store = await openStore(path.join(scratchDir('compare-page'), 'runs.db'));
    ids.a = await sweepRun(store, 20, [315.57, 80.2, 41]);
    ids.b = await sweepRun(store, 24, [332.56, 75, 41]);
    dashboard = await startDashboard({ store, port: 0 });
    await waitForFile(CHROMIUM, CHROMIUM_WAIT_MS);
    profile = mkdtempSync(path.join(tmpdir(), 'faasbench-chromium-'));
    // playwright refuses --user-data-dir among launch()'s args: a persistent context takes the folder instead.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: WINDOW,
    });
  }, CHROMIUM_WAIT_MS + 40_000);

  afterAll(async () => {
    await context?.close();
    await dashboard?.close();
    await store?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  it('shows each function once, both runs’ CDFs and latency over time, the result tables compared, and fits 1,366 px', async () => {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await page.goto(`${dashboard.url}/compare?a=${ids.a}&b=${ids.b}`);
    await page.locator('#charts[data-state="final"]').waitFor({ timeout: 30_000 });

    // One function in both runs: one row, not a run-wide row repeating it.
    expect(await page.locator('#differences-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-fn')))).toEqual(['measure']);
    const median = page.locator('#differences-table tr[data-fn="measure"] td[data-metric="median"]');
    // p50 of 150 calls at base + 0..4.9 ms: 22.4 and 26.4 ms; a 4 ms shift on a spread of 5 ms is certain.
    expect(await median.locator('.ends').textContent()).toBe('22.4 ms → 26.4 ms');
    expect(await median.locator('.delta').textContent()).toBe('+4 ms (+17.9%)');
    expect(await median.locator('.ci').textContent()).toMatch(/^CI \[\+[\d.]+ ms, \+[\d.]+ ms\]$/);
    expect(await median.locator('.verdict').textContent()).toBe('slower');
    expect(await page.locator('#differences-table tr[data-fn="measure"] td').evaluateAll((cells) => cells.slice(1, 3).map((c) => c.textContent))).toEqual(['150', '150']);

    // Both runs' charts, each drawn with data marks.
    for (const side of ['a', 'b']) {
      expect(await dataMarks(page, `figure[data-chart="latency-cdf"][data-side="${side}"]`, 'mark-line')).toBeGreaterThan(0);
      expect(await dataMarks(page, `figure[data-chart="latency-over-time"][data-side="${side}"]`, 'mark-symbol')).toBeGreaterThan(10);
    }
    expect(await page.locator('figure[data-chart="latency-cdf"]').count()).toBe(2);

    // The answers compared: rows by memory size, each number as a, b, change, percent of a.
    const results = page.locator('#results-section');
    expect(await results.isVisible()).toBe(true);
    const billed = results.locator(`tr[data-key="[128]"][data-column="avg billed ms"] td`);
    expect(await billed.allTextContents()).toEqual(['avg billed ms', '315.6', '332.6', '+17.0', '+5.4%']);
    const cheaper = results.locator(`tr[data-key="[512]"][data-column="avg billed ms"] td`);
    expect(await cheaper.allTextContents()).toEqual(['avg billed ms', '80.20', '75.00', '-5.20', '-6.5%']);
    expect(await results.locator('tr.group-start').count()).toBe(3);

    // Nothing wider than the window: tables fit or scroll inside their own box.
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
    expect(widths.page).toBeLessThanOrEqual(WINDOW.width);
    expect(widths.body).toBeLessThanOrEqual(WINDOW.width);
    await page.screenshot({ path: path.join(ARTIFACTS, 'compare-1366.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);
});
