/**
 * Analysis, report and dashboard over a 1-million-invocation run (aim: analysis and report each
 * under 10 s and 500 MB), each job in a fresh process so its peak RSS is its own, next to two
 * floors in the same run: the same rows read with a bare better-sqlite3 stmt.iterate() as objects
 * of every column (what reading whole records costs), and as raw arrays of only the 16 columns
 * analyzeRun reads (what Store.recordPages does, without the store around it).
 * Then `faasbench serve` over the same store, driven in Chromium: navigation to the runs table
 * filled, the newest 100 and all 1,000 runs, and navigation to the big run's page with its charts
 * drawn. Each job also says how busy the machine's CPUs were while it ran, since one job keeps at
 * most one core busy and anything above that is other work.
 *
 *   node bin/run-ts.mjs bench/analysis-report.bench.ts [--calls 1000000] [--json]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ANALYSIS_FIELDS } from '../src/analysis/run-analysis.ts';
import { INVOCATION_COLUMNS } from '../src/store/schema.ts';
import { chromium, type BrowserContext } from 'playwright-core';
import { request } from 'undici';
import { describeMachine, EXIT, interruptSignal, machineLine, positiveFlag, printJson, printReport, progress } from './bench-cli.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN_TS = path.join(HERE, '../bin/run-ts.mjs');
const BIN = path.join(HERE, '../bin/faasbench.mjs');
const CHROMIUM = '/usr/bin/chromium';
const BIG_RUN = 'bench-1m';
const SMALL_RUNS = 999;
const AIM_SECONDS = 10;
const AIM_MB = 500;
const PAGE_TIMEOUT_MS = 300_000;

const args = process.argv.slice(2);
const calls = positiveFlag(args.includes('--calls') ? args[args.indexOf('--calls') + 1] : undefined, 'calls', 1_000_000);
const json = args.includes('--json');
const signal = interruptSignal();
const big = calls >= 1e6 && calls % 1e6 === 0 ? `${calls / 1e6}M` : calls.toLocaleString('en-US');

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  calls: number;
  /** Share of all the machine's CPU time that was busy while the job ran (this job and anything else). */
  machineBusy?: number;
}

/** Busy and total CPU time of the whole machine so far, for the busy share of an interval. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Children share the terminal's process group, so a Ctrl-C reaches them too; the abort only stops waiting. */
function child(...jobArgs: string[]): Promise<ChildResult> {
  return spawned([path.join(HERE, 'analysis-child.ts'), ...jobArgs], true);
}

function spawned(args: readonly string[], viaTsx: boolean): Promise<ChildResult> {
  const before = cpuTimes();
  return new Promise((resolve, reject) => {
    const proc = execFile(process.execPath, viaTsx ? [RUN_TS, ...args] : [...args], { encoding: 'utf8', maxBuffer: 1 << 20, signal, cwd: path.join(HERE, '..') }, (err, stdout) => {
      if (err) return reject(err);
      const after = cpuTimes();
      resolve({ ...(JSON.parse(stdout) as ChildResult), machineBusy: (after.busy - before.busy) / (after.total - before.total) });
    });
    proc.stderr?.pipe(process.stderr);
  });
}

/**
 * The second floor, in plain JavaScript so it loads no more than better-sqlite3: one statement
 * over the run in raw (array) mode, only the columns analyzeRun asks Store.recordPages for.
 */
const RAW_COLUMNS = ANALYSIS_FIELDS.map((field) => INVOCATION_COLUMNS.find(([, f]) => f === field)![0]);
const RAW_ARRAYS_JOB = `
const started = performance.now();
const Database = require('better-sqlite3');
const [db, runId] = process.argv.slice(1);
const sqlite = new Database(db, { readonly: true });
const statement = sqlite.prepare('select ${RAW_COLUMNS.join(', ')} from invocations where run_id = ? order by seq').raw(true);
let calls = 0;
let sink = 0;
for (const row of statement.iterate(runId)) {
  calls++;
  sink += row[${RAW_COLUMNS.indexOf('latency_ms')}] ?? 0;
}
sqlite.close();
const peak = Number(/^VmHWM:\\s+(\\d+) kB/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
console.log(JSON.stringify({ calls, sink: sink > 0 ? 1 : 0, seconds: (performance.now() - started) / 1000, peakRssMb: peak }));
`;

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
}

async function serve(store: string): Promise<Served> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--store', store], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`faasbench serve exited with ${code}`)));
    createInterface({ input: proc.stdout! }).once('line', resolve);
  });
  const url = /on (http:\/\/\S+?)\/? /.exec(line)?.[1];
  if (!url) throw new Error(`faasbench serve's first line names no address: ${line}`);
  return { child: proc, url };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGINT');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function timedGet(url: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await request(url, { signal });
  const body = await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode}`);
  return { ms: performance.now() - started, bytes: body.byteLength };
}

interface DashboardResult {
  /** Rows the runs page shows by default (the newest 100), and with ?all=1. */
  runsRowsShown: number;
  runsPageMs: number;
  allRunsRowsShown: number;
  allRunsPageMs: number;
  runPageSummaryMs: number;
  runPageChartsMs: number;
  marks: Record<string, number>;
  api: Record<string, { ms: number; bytes: number }>;
}

/** Data marks per chart, as test/dashboard.test.ts counts them. */
const CHART_MARKS: Record<string, string> = { 'latency-cdf': 'mark-line', 'latency-over-time': 'mark-symbol', 'instances-over-time': 'mark-area', lateness: 'mark-rect' };

async function dashboard(store: string, servers: Set<ChildProcess>): Promise<DashboardResult> {
  // Cold caches for each: the server memoises analyses and charts per run, so the browser pass
  // and the API pass each get a server of their own.
  let served = await serve(store);
  servers.add(served.child);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'faasbench-chromium-'));
  let context: BrowserContext | undefined;
  const result: Partial<DashboardResult> = { marks: {}, api: {} };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    // One throwaway load, so the first timed navigation does not also pay Chromium's start-up.
    await page.goto(`${served.url}/assets/dashboard.css`);

    const runs = SMALL_RUNS + 1;
    const rows = (n: number): Promise<unknown> => page.waitForFunction((k) => document.querySelectorAll('#runs tbody tr[data-run-id]').length >= k, n, { timeout: PAGE_TIMEOUT_MS, polling: 'raf' });
    const shownByDefault = Math.min(runs, ((await (await request(`${served.url}/api/runs`)).body.json()) as { runs: unknown[] }).runs.length);
    progress(`dashboard: runs page (${shownByDefault} rows expected)...`);
    let started = performance.now();
    await page.goto(`${served.url}/`, { waitUntil: 'commit' });
    await rows(shownByDefault);
    result.runsPageMs = performance.now() - started;
    result.runsRowsShown = await page.locator('#runs tbody tr[data-run-id]').count();

    progress(`dashboard: runs page, all ${runs} runs...`);
    started = performance.now();
    await page.goto(`${served.url}/?all=1`, { waitUntil: 'commit' });
    await rows(runs);
    result.allRunsPageMs = performance.now() - started;
    result.allRunsRowsShown = await page.locator('#runs tbody tr[data-run-id]').count();

    progress('dashboard: run page of the big run (cold cache)...');
    started = performance.now();
    await page.goto(`${served.url}/runs/${BIG_RUN}`, { waitUntil: 'commit' });
    await page.locator('#summary-table tr[data-fn]').first().waitFor({ timeout: PAGE_TIMEOUT_MS });
    result.runPageSummaryMs = performance.now() - started;
    await page.locator('#charts[data-state="final"]').waitFor({ timeout: PAGE_TIMEOUT_MS });
    await page.waitForFunction(
      (marks) => Object.entries(marks).every(([chart, mark]) => document.querySelectorAll(`figure[data-chart="${chart}"] svg g.${mark}.role-mark path`).length > 0),
      CHART_MARKS,
      { timeout: PAGE_TIMEOUT_MS, polling: 'raf' },
    );
    result.runPageChartsMs = performance.now() - started;
    for (const [chart, mark] of Object.entries(CHART_MARKS)) result.marks![chart] = await page.locator(`figure[data-chart="${chart}"] svg g.${mark}.role-mark path`).count();
    await page.close();
    await stop(served.child);
    servers.delete(served.child);

    progress('dashboard: API response times (fresh server)...');
    served = await serve(store);
    servers.add(served.child);
    for (const [name, route] of [
      ['GET /api/runs (default limit)', '/api/runs'],
      ['GET /api/runs?limit=1000', '/api/runs?limit=1000'],
      ['GET /api/runs?limit=10000 (what the page asks for all)', '/api/runs?limit=10000'],
      [`GET /api/runs/<${big} run> (analysis, cold)`, `/api/runs/${BIG_RUN}`],
      [`GET /api/runs/<${big} run>/charts (next: the analysis' pass reused, charts rendered)`, `/api/runs/${BIG_RUN}/charts`],
      [`GET /api/runs/<${big} run> (cached)`, `/api/runs/${BIG_RUN}`],
    ] as const) {
      result.api![name] = await timedGet(served.url + route);
    }
    return result as DashboardResult;
  } finally {
    await context?.close();
    await stop(served.child);
    servers.delete(served.child);
    rmSync(profile, { recursive: true, force: true });
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'fbanalysis-'));
const servers = new Set<ChildProcess>();
const errors: string[] = [];
const jobs: Record<string, ChildResult> = {};
let dash: DashboardResult | undefined;
/** CPUs busy over the whole dashboard pass: server, Chromium and anything else. */
let dashBusy: number | undefined;
const machine = await describeMachine();
try {
  const db = path.join(work, 'store.db');
  progress(`building the store: ${SMALL_RUNS} small runs and one of ${calls.toLocaleString('en-US')} calls (Store.appendRecords)...`);
  const built = await child('build', db, String(calls), String(SMALL_RUNS));
  progress(`  built in ${built.seconds.toFixed(1)} s`);
  progress('raw-arrays...');
  jobs['raw-arrays'] = await spawned(['-e', RAW_ARRAYS_JOB, db, BIG_RUN], false);
  if (jobs['raw-arrays'].calls !== calls) errors.push(`raw-arrays: read ${jobs['raw-arrays'].calls} records, expected ${calls}`);
  for (const [name, jobArgs] of [
    ['raw', ['raw', db, BIG_RUN]],
    ['records', ['records', db, BIG_RUN]],
    ['analyze', ['analyze', db, BIG_RUN]],
    ['report', ['report', db, BIG_RUN, path.join(work, 'report')]],
  ] as const) {
    progress(`${name}...`);
    jobs[name] = await child(...jobArgs);
    if (jobs[name]!.calls !== calls) errors.push(`${name}: read ${jobs[name]!.calls} records, expected ${calls}`);
  }
  const before = cpuTimes();
  dash = await dashboard(db, servers);
  const after = cpuTimes();
  dashBusy = (after.busy - before.busy) / (after.total - before.total);
} catch (err) {
  if (!signal.aborted) errors.push(err instanceof Error ? err.message : String(err));
} finally {
  for (const s of servers) await stop(s);
  rmSync(work, { recursive: true, force: true });
}

const floor = jobs['raw-arrays'];
const aimMet = (j: ChildResult | undefined): boolean => j !== undefined && j.seconds < AIM_SECONDS && j.peakRssMb < AIM_MB;
if (json) printJson({ machine, calls, runs: SMALL_RUNS + 1, jobs, ratioToFloor: Object.fromEntries(Object.entries(jobs).map(([k, j]) => [k, floor ? j.seconds / floor.seconds : null])), aims: { analyze: aimMet(jobs.analyze), report: aimMet(jobs.report) }, dashboard: dash, dashboardCpusBusy: dashBusy, errors, interrupted: signal.aborted });
else {
  const lines = [machineLine(machine), ''];
  const label: Record<string, string> = {
    'raw-arrays': `floor: better-sqlite3 raw iterate(), the ${RAW_COLUMNS.length} columns analyzeRun reads`,
    raw: 'better-sqlite3 stmt.iterate(), all columns as objects',
    records: 'Store.records() alone (every column, objects)',
    analyze: 'analyzeRun',
    report: 'report (readRunData + buildReport + writeReport)',
  };
  lines.push(
    markdownTable(
      ['job (1 run)', 'calls', 'wall s', 'peak RSS MB', 'µs / call', 'x floor', 'CPUs busy'],
      Object.entries(jobs).map(([k, j]) => [
        label[k] ?? k,
        j.calls.toLocaleString('en-US'),
        fixed(j.seconds, 2),
        fixed(j.peakRssMb, 0),
        fixed((j.seconds * 1e6) / j.calls, 1),
        floor ? fixed(j.seconds / floor.seconds, 1) : '—',
        j.machineBusy === undefined ? '—' : `${fixed(j.machineBusy * 100, 0)}%`,
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  if (dash) {
    lines.push(
      '',
      markdownTable(
        ['dashboard (Chromium, cold server caches)', 'ms'],
        [
          [`runs page: navigation to ${dash.runsRowsShown} rows drawn (${SMALL_RUNS + 1} runs in store)`, fixed(dash.runsPageMs, 0)],
          [`runs page, all runs (/?all=1): navigation to ${dash.allRunsRowsShown} rows drawn`, fixed(dash.allRunsPageMs, 0)],
          [`run page of the ${big} run: navigation to summary table`, fixed(dash.runPageSummaryMs, 0)],
          [`run page of the ${big} run: navigation to 4 charts with data marks`, fixed(dash.runPageChartsMs, 0)],
          ...Object.entries(dash.api).map(([k, v]) => [`${k}, ${fixed(v.bytes / 1024, 0)} KB`, fixed(v.ms, 0)]),
        ],
        ['left', 'right'],
      ),
      `CPUs busy over the dashboard pass (server, Chromium and anything else): ${dashBusy === undefined ? '—' : `${fixed(dashBusy * 100, 0)}%`}`,
    );
  }
  for (const k of ['analyze', 'report'] as const) {
    const j = jobs[k];
    if (j) lines.push(`Aim ${k} under ${AIM_SECONDS} s and ${AIM_MB} MB: ${verdict(aimMet(j))} (${fixed(j.seconds, 1)} s, ${fixed(j.peakRssMb, 0)} MB)`);
  }
  printReport(lines, errors, signal.aborted);
}
process.exitCode = signal.aborted ? EXIT.interrupted : errors.length ? EXIT.failed : EXIT.ok;
