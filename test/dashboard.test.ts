// The dashboard as a user sees it: `faasbench serve` over a store while `faasbench invoke` writes a
// real run into it, driven in Debian's headless Chromium through playwright-core. Screenshots go
// to .faasbench/test-artifacts/dashboard/ for a person to look at when a step fails.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open.ts';
import { REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, '.faasbench/test-artifacts/dashboard');
/** Chromium may still be arriving from apt on a fresh machine. */
const CHROMIUM_WAIT_MS = 60_000;
/** The platform starts, deploys and serves 100 calls: seconds, more on a loaded machine. */
const RUN_START_MS = 30_000;
const RUN_FINISH_MS = 45_000;

const run = promisify(execFile);

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
}

/** `faasbench serve ...` until it prints its address; the child's stderr is kept for failure messages. */
async function serve(args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`faasbench serve printed no address within 20 s; stderr: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`faasbench serve exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const url = /on (http:\/\/\S+?)\/? /.exec(line)?.[1];
  if (!url) throw new Error(`faasbench serve's first line names no address: ${line}`);
  return { child, url, stderr: () => stderr };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null]>;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = await exited;
  clearTimeout(timer);
  return code;
}

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs / 1000} s (apt-get install chromium)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function get(url: string, init: { method?: 'GET' | 'POST' | 'DELETE'; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string; type: string }> {
  const res = await request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} });
  return { status: res.statusCode, text: await res.body.text(), type: String(res.headers['content-type'] ?? '') };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Data marks (not axes or legend symbols) inside a chart's SVG. */
function dataMarks(page: Page, chart: string, mark: string): Promise<number> {
  return page.locator(`figure[data-chart="${chart}"] svg g.${mark}.role-mark path`).count();
}

describe('faasbench serve', () => {
  const store = path.join(scratchDir('dashboard'), 'runs.db');
  let served: Served;
  let context: BrowserContext;
  let profile: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // serve refuses a store that does not exist: an empty one is made first, as a first run would.
    await (await openStore(store)).close();
    served = await serve(['--port', '0', '--store', store]);
    await waitForFile(CHROMIUM, CHROMIUM_WAIT_MS);
    profile = mkdtempSync(path.join(tmpdir(), 'faasbench-chromium-'));
    // playwright refuses --user-data-dir among launch()'s args: a persistent context takes the folder instead.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
  }, CHROMIUM_WAIT_MS + 40_000);

  afterAll(async () => {
    await context?.close();
    for (const child of children) await stop(child);
    if (served) expect(await stop(served.child)).toBe(0);
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  it('lists a run live with growing progress, shows it completed with charts, and compares it with another', async () => {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await page.goto(`${served.url}/`);
    await page.locator('#runs tbody').getByText('No runs in this store yet').waitFor({ timeout: 10_000 });

    // 5 s at 20 calls/s, 100 calls: the run stores its progress every second and the list reads it
    // every second, so the list has its first count about a second into the run and three or four
    // larger ones still to come while it runs, enough if the page lags 2 s behind on a loaded machine.
    // Shorter would leave one or two counts after the first: a page a second late would miss growth.
    const invoke = spawn(process.execPath, [BIN, 'invoke', 'hello', 'constant', '--rate', '20', '--duration', '5s', '--store', store], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(invoke);
    let invokeErr = '';
    invoke.stderr!.on('data', (c: Buffer) => (invokeErr += c.toString()));

    // Running, with a progress count that grows between two reads.
    const row = page.locator('#runs tbody tr[data-status="running"]');
    await row.waitFor({ timeout: RUN_START_MS });
    const runA = (await row.getAttribute('data-run-id'))!;
    const progress = page.locator(`tr[data-run-id="${runA}"] .progress[data-done]`);
    await progress.waitFor({ timeout: 10_000 });
    const first = Number(await progress.getAttribute('data-done'));
    await page.waitForFunction(
      ({ id, before }) => {
        const node = document.querySelector(`tr[data-run-id="${id}"][data-status="running"] .progress[data-done]`);
        return node !== null && Number(node.getAttribute('data-done')) > before;
      },
      { id: runA, before: first },
      { timeout: 15_000, polling: 200 },
    );
    const second = Number(await progress.getAttribute('data-done'));
    expect(second).toBeGreaterThan(first);
    expect(await page.locator(`tr[data-run-id="${runA}"] .progress[data-done]`).getAttribute('data-total')).toBe('100');
    await shot(page, '1-runs-running');

    // Completed, listed as such.
    await page.locator(`#runs tbody tr[data-run-id="${runA}"][data-status="completed"]`).waitFor({ timeout: RUN_FINISH_MS });
    const [code] = (await (invoke.exitCode !== null ? Promise.resolve([invoke.exitCode]) : once(invoke, 'exit'))) as [number | null];
    // 1 is the run's own verdict (some calls failed on a loaded machine); the dashboard shows either.
    expect([0, 1], invokeErr).toContain(code);
    await expect.poll(() => page.locator(`tr[data-run-id="${runA}"] td.num`).last().textContent(), { timeout: 5_000 }).toBe('100');
    await shot(page, '2-runs-completed');

    // A second, shorter run, started now so that its CLI and platform start while A's page is
    // checked below; the two are compared from the list's ticks once it is done. 1 s at 20 calls/s:
    // 20 calls, twice the 10 a side the median's CI needs, and a count unlike A's.
    const secondRun = run(process.execPath, [BIN, 'invoke', 'hello', 'constant', '--rate', '20', '--duration', '1s', '--store', store, '--json'], { timeout: 40_000 }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
      // Exit 1 (a failed call on a loaded machine) still stores a whole run.
      if (err.code === 1 && err.stdout) return { stdout: err.stdout };
      throw new Error(`second run failed: ${err.stderr}`);
    });
    // Awaited below; a failing check before then must not leave its rejection unhandled.
    secondRun.catch(() => undefined);

    // Its page: the summary and every chart drawn with data marks.
    await page.locator(`tr[data-run-id="${runA}"] a.run-link`).click();
    await page.waitForURL(`**/runs/${runA}`, { timeout: 10_000 });
    await page.locator('#charts[data-state="final"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('#run-status [data-status]').getAttribute('data-status')).toBe('completed');
    const calls = await page.locator('#summary-table tr[data-fn="hello"] td').nth(1).textContent();
    expect(calls).toBe('100');
    expect(await dataMarks(page, 'latency-cdf', 'mark-line')).toBeGreaterThan(0);
    expect(await dataMarks(page, 'latency-over-time', 'mark-symbol')).toBeGreaterThan(10);
    expect(await dataMarks(page, 'instances-over-time', 'mark-area')).toBeGreaterThan(0);
    expect(await dataMarks(page, 'lateness', 'mark-rect')).toBeGreaterThan(0);
    await shot(page, '3-run-detail');

    // The second run, compared with A from the list's ticks.
    const { stdout } = await secondRun;
    const runB = (JSON.parse(stdout) as { runId: string }).runId;
    expect(runB).toBeTruthy();
    await page.goto(`${served.url}/`);
    await page.locator(`tr[data-run-id="${runB}"][data-status="completed"]`).waitFor({ timeout: 10_000 });
    await page.locator(`tr[data-run-id="${runA}"] input[type=checkbox]`).check();
    await page.locator(`tr[data-run-id="${runB}"] input[type=checkbox]`).check();
    await page.locator('#compare').click();
    await page.waitForURL('**/compare?**', { timeout: 10_000 });
    await page.locator('#differences-table').waitFor({ timeout: 30_000 });
    const sides = Object.fromEntries(await Promise.all(['a', 'b'].map(async (s) => [s, await page.locator(`.side[data-side="${s}"]`).getAttribute('data-run-id')])));
    expect(new Set(Object.values(sides))).toEqual(new Set([runA, runB]));
    const hello = page.locator('#differences-table tr[data-fn="hello"] td');
    // calls a / calls b, then the median: a → b, the change, and its interval ("CI [+0.3 ms, +2 ms]").
    expect(new Set([await hello.nth(1).textContent(), await hello.nth(2).textContent()])).toEqual(new Set(['100', '20']));
    expect(await hello.nth(3).locator('.ci').textContent()).toMatch(/^CI \[[-+]?[\d.,]+ ms, [-+]?[\d.,]+ ms\]$/);
    // One function in both runs: one row, no run-wide row repeating it.
    expect(await page.locator('#differences-table tbody tr').count()).toBe(1);
    await shot(page, '4-compare');

    expect(consoleErrors).toEqual([]);
  }, 90_000);

  it('shows the newest 100 runs, and all of them when asked', async () => {
    // Written beside the server, as other runs would be: older than the runs above, so listed after them.
    const writer = await openStore(store);
    try {
      for (let i = 0; i < 110; i++) {
        const id = await writer.createRun({ kind: 'invoke', name: `old ${i}`, provider: 'local', toolVersion: 'test', startedAt: new Date(Date.UTC(2020, 0, 1, 0, i)).toISOString() });
        await writer.finishRun(id, 'completed', { total: 0 });
      }
    } finally {
      await writer.close();
    }
    const total = ((await (await request(`${served.url}/api/runs?limit=10000`)).body.json()) as { runs: unknown[] }).runs.length;
    expect(total).toBeGreaterThan(110);
    const page = await context.newPage();
    const rows = page.locator('#runs tbody tr[data-run-id]');
    await page.goto(`${served.url}/`);
    await page.getByRole('button', { name: 'Show all runs' }).waitFor({ timeout: 10_000 });
    expect(await rows.count()).toBe(100);
    expect(await page.locator('#shown-text').textContent()).toBe('The newest 100 runs.');
    await page.getByRole('button', { name: 'Show all runs' }).click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(total);
    expect(await page.locator('#shown-text').textContent()).toBe(`All ${total} runs.`);
    expect(new URL(page.url()).searchParams.get('all')).toBe('1');
    await shot(page, '5-runs-all');
    // The choice is in the address: a reload keeps it, and the button goes back to the newest 100.
    await page.reload();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(total);
    await page.getByRole('button', { name: 'Show the newest 100 only' }).click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(100);
    await page.close();
  });

  it('answers an unknown run with 404 and a clear message, a write with 405, and keeps serving', async () => {
    const api = await get(`${served.url}/api/runs/no-such-run`);
    expect(api.status).toBe(404);
    expect(JSON.parse(api.text)).toEqual({ error: { code: 'ResourceNotFound', message: expect.stringContaining('no run "no-such-run" in this store') } });
    const pageReply = await get(`${served.url}/runs/no-such-run`);
    expect(pageReply.status).toBe(404);
    expect(pageReply.type).toContain('text/html');
    expect(pageReply.text).toContain('no run &quot;no-such-run&quot; in this store');
    expect((await get(`${served.url}/api/compare?a=no-such-run&b=other`)).status).toBe(404);
    expect((await get(`${served.url}/api/compare?a=x`)).status).toBe(400);
    expect((await get(`${served.url}/api/runs?limit=lots`)).status).toBe(400);
    expect((await get(`${served.url}/runs/%E0%A4%A`)).status).toBe(400);
    const post = await get(`${served.url}/api/runs`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.text).toContain('read-only');
    expect((await get(`${served.url}/`, { method: 'DELETE' })).status).toBe(405);
    // A foreign Host (DNS rebinding) is refused without a token.
    expect((await get(`${served.url}/api/runs`, { headers: { host: 'evil.example:80' } })).status).toBe(403);
    expect((await get(`${served.url}/api/runs`)).status).toBe(200);
  });

  it('refuses to bind beyond loopback without a token, and with one demands it on every request', async () => {
    const refused = await run(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--store', store], { timeout: 20_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('binding to 0.0.0.0 exposes the runs beyond this machine: give a token (--token)');

    const guarded = await serve(['--host', '0.0.0.0', '--port', '0', '--token', 's3cret', '--store', store]);
    children.push(guarded.child);
    const local = guarded.url.replace('0.0.0.0', '127.0.0.1');
    expect((await get(`${local}/api/runs`)).status).toBe(401);
    expect((await get(`${local}/api/runs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await get(`${local}/api/runs`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await get(`${local}/api/runs?token=s3cret`)).status).toBe(200);
    expect((await get(`${local}/?token=s3cret`)).status).toBe(200);
    // Assets hold no run data, and a <script src> cannot send the header.
    expect((await get(`${local}/assets/common.js`)).status).toBe(200);
    expect(await stop(guarded.child)).toBe(0);
  });
});
