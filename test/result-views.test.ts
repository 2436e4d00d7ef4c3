// An experiment's answer where a user looks for it. memory-sweep, cold-start and trace-replay run
// through the real CLI (smallest parameters) on the embedded local platform into one SQLite store;
// then `faasbench report` and `faasbench serve` (in Debian's headless Chromium, a 1,366 px window)
// must show each run's result table with the very figures the CLI printed, and every chart the
// experiment declares drawn with data marks. The same set-up serves two more checks: a running
// trace replay's page counts its progress up with elapsed time and ETA, and no dashboard page is
// wider than the window. Screenshots go to .faasbench/test-artifacts/result-views/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStoredResult, type StoredResult } from '../src/report/result-data.ts';
import { openStore } from '../src/store/index.ts';
import { BIN, runCli, spawnCli, type CliChild } from './support/cli-process.ts';
import { REPO, scratchDir } from './support/platform.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = path.join(REPO, '.faasbench/test-artifacts/result-views');
const WINDOW = { width: 1366, height: 900 };
const TRACE = path.resolve(REPO, '../shared/traces/invitro-example-4fn-1440min');

/**
 * Smallest parameters; trace-replay's seed 167 and minute 6 give 10 calls, one in the minute's first
 * second and the others from 20 s to 59 s (see experiment-trace-replay.test.ts), which speed 10 sends
 * from 2 s to 5.9 s of the load: the running page sees a first count, then a later one. The page is
 * open before the load starts (the run is listed from its creation, before its sampling and deploys),
 * so it reads its first count by the load's first second; the 4 s of calls after that leave it seconds
 * of slack on a loaded machine. A higher speed would squeeze those calls into too short a window.
 */
const EXPERIMENTS: Record<string, { params: Record<string, unknown>; seed?: number }> = {
  'memory-sweep': { params: { sizes: [128, 256], calls: 1 } },
  'cold-start': { params: { runtimes: ['measure-node'], memorySizes: [128], repetitions: 1, warmCalls: 1 } },
  'trace-replay': { params: { trace: TRACE, size: 2, from: 6, to: 6, speed: 10 }, seed: 167 },
};

interface Printed {
  readonly runId: string;
  /** The CLI's main result table: its header and each row's cells as printed. */
  readonly columns: string[];
  readonly rows: string[][];
  readonly stored: StoredResult;
}

const printed: Record<string, Printed> = {};

function experimentArgs(name: string, store: string): string[] {
  const { params, seed } = EXPERIMENTS[name]!;
  return ['experiment', 'run', name, '--store', store, ...(seed === undefined ? [] : ['--seed', String(seed)]), ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
}

/** The first table cli-table3 drew in `stdout`: header, then rows, each cell trimmed. */
function firstTable(stdout: string): { columns: string[]; rows: string[][] } {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('┌'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('└'));
  if (start < 0 || end < 0) throw new Error(`the CLI printed no table:\n${stdout}`);
  const cells = lines
    .slice(start, end)
    .filter((l) => l.startsWith('│'))
    .map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
  return { columns: cells[0]!, rows: cells.slice(1) };
}

function runIdOf(stdout: string): string {
  const id = /run (\S+) completed/.exec(stdout)?.[1];
  if (!id) throw new Error(`the CLI named no completed run:\n${stdout}`);
  return id;
}

/** The cells of a `<table class="result" data-table="result">` in the report's HTML, unescaped. */
function reportTable(html: string): { columns: string[]; rows: string[][] } {
  const table = /<table class="result" data-table="result">(.*?)<\/table>/s.exec(html)?.[1];
  if (!table) throw new Error('the report has no result table');
  const text = (cell: string): string => cell.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const cellsOf = (row: string, tag: 'th' | 'td'): string[] => [...row.matchAll(new RegExp(`<${tag}[^>]*>(.*?)</${tag}>`, 'g'))].map((m) => text(m[1]!));
  const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1]!);
  return { columns: cellsOf(rows[0]!, 'th'), rows: rows.slice(1).map((r) => cellsOf(r, 'td')) };
}

async function serve(store: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`faasbench serve printed no address within 20 s: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`faasbench serve exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const url = /on (http:\/\/\S+?)\/? /.exec(line)?.[1];
  if (!url) throw new Error(`faasbench serve's first line names no address: ${line}`);
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The page's rendered width against the window's: more means it scrolls sideways. */
const scrollWidth = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth);

describe('an experiment result in the report and the dashboard', () => {
  const dir = scratchDir('result-views');
  const store = path.join(dir, 'runs.db');
  // A platform data directory of its own (see experiment-scaling.test.ts).
  const env = { XDG_CACHE_HOME: dir };
  let served: { child: ChildProcess; url: string };
  let context: BrowserContext;
  let profile: string;
  let replay: CliChild | null = null;
  const invokes: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Two CLI processes at a time (two cores): memory-sweep then one invoke, beside cold-start (the
    // shorter) then the other invoke, then the dashboard's server (idle once it listens) and the
    // browser. Each lane's processes get a platform data directory of their own, so the two
    // embedded platforms running at once share nothing but the store (SQLite in WAL mode, which
    // takes writers from several processes). None of these results is a timing.
    const experiment = async (name: string): Promise<void> => {
      const out = await runCli(experimentArgs(name, store), { cwd: dir, env: { XDG_CACHE_HOME: path.join(dir, name) } });
      expect(out.code, out.stderr).toBe(0);
      const runId = runIdOf(out.stdout);
      const db = await openStore(store);
      const stored = await readStoredResult(db, runId).finally(() => db.close());
      printed[name] = { runId, ...firstTable(out.stdout), stored: stored! };
    };
    const invoke = async (lane: string): Promise<string> => {
      const out = await runCli(['invoke', 'hello', 'constant', '--rate', '10', '--duration', '1s', '--store', store, '--json'], { cwd: dir, env: { XDG_CACHE_HOME: path.join(dir, lane) } });
      expect([0, 1], out.stderr).toContain(out.code);
      return (JSON.parse(out.stdout) as { runId: string }).runId;
    };
    const viewers = async (): Promise<void> => {
      profile = mkdtempSync(path.join(tmpdir(), 'faasbench-chromium-'));
      // Each assigned as it comes, so afterAll stops whichever started if the other fails.
      await Promise.all([
        serve(store).then((s) => (served = s)),
        chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: WINDOW }).then((c) => (context = c)),
      ]);
    };
    const lane = async (name: string, then?: () => Promise<void>): Promise<string> => {
      await experiment(name);
      const runId = await invoke(name);
      await then?.();
      return runId;
    };
    // Both lanes settle before a failure is thrown: nothing is left starting after afterAll ran.
    const lanes = await Promise.allSettled([lane('memory-sweep'), lane('cold-start', viewers)]);
    for (const l of lanes) if (l.status === 'rejected') throw l.reason;
    invokes.push(...lanes.map((l) => (l as PromiseFulfilledResult<string>).value));
  }, 240_000);

  afterAll(async () => {
    if (replay) replay.child.kill('SIGINT');
    await context?.close();
    if (served) await stop(served.child);
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  it("shows a running trace replay's progress counting up with elapsed time and ETA, then its result", async () => {
    replay = spawnCli(experimentArgs('trace-replay', store), { cwd: dir, env });
    const page = await context.newPage();
    // The run appears in the store as soon as the CLI creates it; its page is opened while it runs.
    const api = `${served.url}/api/runs?filter=kind=experiment`;
    let runId: string | undefined;
    // Asked every 250 ms, up to 60 s: the sooner the page opens, the more of the load it sees.
    for (let i = 0; i < 240 && !runId; i++) {
      const { runs } = (await (await fetch(api)).json()) as { runs: Array<{ id: string; name: string; status: string }> };
      runId = runs.find((r) => r.name === 'trace-replay' && r.status === 'running')?.id;
      if (!runId) await new Promise((r) => setTimeout(r, 250));
    }
    expect(runId, `no running trace-replay run appeared; CLI stderr: ${replay.stderr()}`).toBeDefined();
    await page.goto(`${served.url}/runs/${runId}`);
    const done = page.locator('#overview .timing .progress[data-done]');
    await done.waitFor({ timeout: 60_000 });
    const first = Number(await done.getAttribute('data-done'));
    expect(Number(await done.getAttribute('data-total'))).toBe(10);
    expect(await page.locator('#overview .timing').textContent()).toMatch(/elapsed \d+(\.\d)? s · (ETA \d+(\.\d)? s|ETA unknown)/);
    await page.waitForFunction((before) => Number(document.querySelector('#overview .progress[data-done]')?.getAttribute('data-done') ?? -1) > before, first, { timeout: 60_000, polling: 250 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'trace-replay-running.png'), fullPage: true });
    const out = await replay.done;
    replay = null;
    expect(out.code, out.stderr).toBe(0);
    expect(runIdOf(out.stdout)).toBe(runId);
    const db = await openStore(store);
    const stored = await readStoredResult(db, runId!).finally(() => db.close());
    printed['trace-replay'] = { runId: runId!, ...firstTable(out.stdout), stored: stored! };
    // Finished: the page stops polling with the run's result drawn.
    await page.locator('#charts[data-state="final"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#result table[data-table="result"] tbody tr').count()).toBe(2);
  }, 150_000);

  for (const name of Object.keys(EXPERIMENTS)) {
    it(`${name}: the report and the run page show the table the CLI printed and each declared chart`, async () => {
      const run = printed[name];
      expect(run, `${name} did not run`).toBeDefined();
      const { runId, columns, rows, stored } = run!;
      expect(rows.length).toBeGreaterThan(0);
      // Declared by every built-in: the chart(s) that answer its question.
      expect(stored.charts.length).toBeGreaterThan(0);

      // The report's CLI runs while the browser opens the run page (one CLI process, one page).
      const out = path.join(dir, `report-${name}`);
      const reporting = runCli(['report', runId, '--store', store, '--out', out], { cwd: dir });
      const page = await context.newPage();
      const opening = page.goto(`${served.url}/runs/${runId}`).then(() => page.locator('#charts[data-state="final"]').waitFor({ timeout: 30_000 }));
      const [report] = await Promise.all([reporting, opening]);
      expect(report.code, report.stderr).toBe(0);
      const html = readFileSync(path.join(out, 'index.html'), 'utf8');
      expect(reportTable(html)).toEqual({ columns, rows });
      for (const [i] of stored.charts.entries()) {
        const figure = new RegExp(`<figure data-chart="result-${i + 1}-[^"]*"[^>]*><svg[^]*?</figure>`).exec(html)?.[0];
        expect(figure, `report chart ${i + 1} of ${name}`).toBeDefined();
        // A mark group with a drawn shape in it: data, not only axes.
        expect(figure!).toMatch(/<g class="mark-\w+ role-mark[^"]*"[^>]*><path/);
      }

      const table = page.locator('#result table[data-table="result"]');
      expect(await table.locator('thead th').allTextContents()).toEqual(columns);
      const shown = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      expect(shown).toEqual(rows);
      const figures = page.locator('#result-charts figure[data-group="result"]');
      expect(await figures.count()).toBe(stored.charts.length);
      for (let i = 0; i < stored.charts.length; i++) {
        expect(await figures.nth(i).getAttribute('aria-label')).toBe(stored.charts[i]!.title);
        expect(await figures.nth(i).locator('svg g.role-mark path').count(), `chart ${i + 1}`).toBeGreaterThan(0);
      }
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
      await page.close();
    }, 60_000);
  }

  it('no dashboard page scrolls sideways in a 1,366 px window', async () => {
    const sweep = printed['memory-sweep']!.runId;
    const pages: Record<string, string> = {
      runs: '/',
      'invoke-run': `/runs/${invokes[0]}`,
      'experiment-run': `/runs/${sweep}`,
      compare: `/compare?a=${invokes[0]}&b=${invokes[1]}`,
      'compare-experiments': `/compare?a=${sweep}&b=${printed['cold-start']!.runId}`,
      'error-404': '/runs/no-such-run',
      'error-400': '/compare',
    };
    const widths: Record<string, number> = {};
    const measure = async (page: Page, name: string, address: string): Promise<void> => {
      await page.goto(`${served.url}${address}`);
      // Pages fill in from the API: wait until the script has drawn (or, on an error page, at once).
      if (address.startsWith('/runs/') && name !== 'error-404') await page.locator('#charts[data-state="final"]').waitFor({ timeout: 30_000 });
      else await page.waitForLoadState('networkidle');
      await page.screenshot({ path: path.join(ARTIFACTS, `width-${name}.png`), fullPage: true });
      widths[name] = await scrollWidth(page);
      // The runs list keeps every column in view, not only the page: its table needs no scroll of its own.
      if (name === 'runs') widths['runs-table'] = await page.evaluate(() => { const t = document.querySelector('table.runs')!; return t.scrollWidth - t.clientWidth + window.innerWidth; });
    };
    // Two tabs of the one window take turns through the list: a page's width is its own, whatever
    // the other tab shows.
    const queue = Object.entries(pages);
    const tab = async (): Promise<void> => {
      const page = await context.newPage();
      for (let next = queue.shift(); next; next = queue.shift()) await measure(page, ...next);
      await page.close();
    };
    await Promise.all([tab(), tab()]);
    // Every page named with its width, so a failure says which pages overflow and by how much.
    expect(Object.entries(widths).filter(([, w]) => w > WINDOW.width)).toEqual([]);
  }, 90_000);
});
