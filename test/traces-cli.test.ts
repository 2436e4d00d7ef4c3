// `traces get` and `traces analyze` as a user runs them: a real local platform, the nested-chain
// experiment (lab-node calling itself, 2 levels x 2 children) run against it by the real CLI, its
// traces fetched through @aws-sdk/client-xray into a real SQLite store, broken down, and the
// breakdown chart of the report and of the dashboard's run page opened in Chromium.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestBreakdown } from '../src/analysis/trace-breakdown.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { openStore } from '../src/store/index.ts';
import { RUN } from '../src/store/testing/run-meta.ts';
import { startDashboard } from '../src/web/server.ts';
import { runCli } from './support/cli-process.ts';
import { scratchDir, startPlatform } from './support/platform.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Doc {
  name: string;
  id: string;
  parent_id?: string;
  origin: string;
  start_time: number;
  end_time: number;
  aws?: { request_id?: string };
  subsegments?: Doc[];
}

describe('traces get and traces analyze on a nested-chain run', () => {
  let platform: LocalPlatform;
  let dir: string;
  let db: string;
  let runId: string;
  let requestIds: string[];
  /** The name the experiment deployed lab-node under. */
  let fn: string;

  beforeAll(async () => {
    platform = await startPlatform();
    dir = scratchDir('traces');
    db = path.join(dir, 'runs.db');
    // 300 ms of work per node before its children: siblings overlap, so the warm tree finds its 7 instances warm (see experiment-payload-nested.test.ts).
    const params = ['-p', 'depths=2', '-p', 'fanouts=2', '-p', 'sleepMs=300', '-p', 'repeat=2'];
    const run = await runCli(['experiment', 'run', 'nested-chain', '--provider', 'local', '-o', `url=${platform.url}`, ...params, '--store', db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    runId = (JSON.parse(run.stdout) as Array<{ runId: string }>)[0]!.runId;
    const store = await openStore(db);
    try {
      requestIds = [];
      for await (const r of store.records(runId)) {
        requestIds.push(r.requestId!);
        fn = r.fn;
      }
    } finally {
      await store.close();
    }
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('traces get stores exactly one trace per call of the run, each with all 7 calls of its tree and their subsegments', async () => {
    expect(requestIds).toHaveLength(2);
    const got = await runCli(['traces', 'get', runId, '--store', db, '--json']);
    expect(got.code, got.stderr).toBe(0);
    const outcome = JSON.parse(got.stdout) as { source: { endpoint: string }; window: { calls: number }; inWindow: number; runTraces: number; otherTraces: number; stored: number; alreadyStored: number; unprocessed: string[] };
    expect(outcome).toMatchObject({ source: { endpoint: platform.url }, window: { calls: 2 }, runTraces: 2, stored: 2, alreadyStored: 0, unprocessed: [] });
    expect(outcome.inWindow).toBe(outcome.runTraces + outcome.otherTraces);

    const traces = await storedTraces(db, runId);
    expect(traces).toHaveLength(2);
    for (const [n, trace] of traces.entries()) {
      const services = trace.segments.filter((s) => s.origin === 'AWS::Lambda');
      const functions = trace.segments.filter((s) => s.origin === 'AWS::Lambda::Function');
      expect([services.length, functions.length, trace.segments.length]).toEqual([7, 7, 14]);
      const cold = n === 0;
      for (const s of services) expect((s.subsegments ?? []).map((x) => x.name)).toEqual(cold ? [] : ['Queue wait']);
      for (const f of functions) expect(f.subsegments!.map((x) => x.name)).toEqual(cold ? ['Initialization', 'Overhead', 'Invocation'] : ['Overhead', 'Invocation']);
      // One root: the run's call; every other call hangs under its caller's function segment, and each function segment under its own call.
      const fnIds = new Set(functions.map((f) => f.id));
      const roots = services.filter((s) => !fnIds.has(s.parent_id ?? ''));
      expect(roots.map((r) => r.aws?.request_id)).toEqual([requestIds[n]]);
      expect(functions.every((f) => services.some((s) => s.id === f.parent_id))).toBe(true);
      // Depth: the root's children, then theirs: 1 + 2 + 4.
      const childrenOf = (s: Doc): Doc[] => services.filter((c) => c.parent_id === functions.find((f) => f.parent_id === s.id)!.id);
      expect(childrenOf(roots[0]!).map((c) => childrenOf(c).length)).toEqual([2, 2]);
    }

    // Again: nothing new to store.
    const again = await runCli(['traces', 'get', runId, '--store', db, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ runTraces: 2, stored: 0, alreadyStored: 2 });
  }, 60_000);

  it('traces analyze: each request parts add up to its end-to-end time within 1 ms; nested calls take most of it', async () => {
    const analyzed = await runCli(['traces', 'analyze', runId, '--store', db, '--json']);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    const b = JSON.parse(analyzed.stdout) as { traces: number; requests: RequestBreakdown[]; functions: Array<{ fn: string; requests: number; cold: number; nestedCalls: number }> };
    expect(b.traces).toBe(2);
    expect(b.requests.map((r) => [r.fn, r.requestId, r.cold, r.nestedCalls])).toEqual([
      [fn, requestIds[0], true, 6],
      [fn, requestIds[1], false, 6],
    ]);
    for (const r of b.requests) {
      const sum = r.queueMs + r.initMs + r.handlerMs + r.nestedMs + r.overheadMs;
      expect(Math.abs(sum - r.totalMs)).toBeLessThan(1);
      // The root sleeps 300 ms, then waits for its children, which sleep 300 ms and wait for theirs.
      expect(r.handlerMs).toBeGreaterThanOrEqual(300);
      expect(r.nestedMs).toBeGreaterThanOrEqual(600);
    }
    expect(b.requests[0]!.initMs).toBeGreaterThan(0);
    expect(b.requests[1]!.initMs).toBe(0);
    expect(b.functions).toMatchObject([{ fn, requests: 2, cold: 1, nestedCalls: 12 }]);

    const text = await runCli(['traces', 'analyze', runId, '--store', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`run ${runId}: 2 requests in 2 stored traces`);
    expect(text.stdout).toContain(`${fn}: 2 requests, 1 cold, 12 nested calls`);
    for (const label of ['queueing', 'initialisation', 'handler', 'nested calls', 'platform overhead', 'end to end']) expect(text.stdout).toContain(label);
  }, 60_000);

  it('the report and the dashboard draw the breakdown chart, and Chromium shows it: one stacked bar of five parts', async () => {
    const out = path.join(dir, 'report');
    const report = await runCli(['report', runId, '--store', db, '--out', out, '--json']);
    expect(report.code, report.stderr).toBe(0);
    expect((JSON.parse(report.stdout) as { charts: Array<{ name: string }> }).charts.map((c) => c.name)).toContain('request-breakdown');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(err.message));
      await page.goto(pathToFileURL(path.join(out, 'index.html')).href, { waitUntil: 'load' });
      const chart = await page.$eval('section#chart-request-breakdown', (s) => ({
        title: s.querySelector('h2')?.textContent ?? '',
        width: s.querySelector('svg')?.getBoundingClientRect().width ?? 0,
        bars: [...s.querySelectorAll('svg g.role-mark path')].map((p) => p.getAttribute('fill')),
      }));
      expect(chart.title).toBe('Where request time went (from traces)');
      expect(chart.width).toBeGreaterThan(300);
      // One function, five parts stacked in their fixed colours.
      expect(chart.bars).toEqual(['#9ecae9', '#f58518', '#4c78a8', '#54a24b', '#b279a2']);

      // The dashboard's run page draws the same chart among the run's charts.
      const store = await openStore(db);
      const dashboard = await startDashboard({ store, port: 0 });
      try {
        await page.goto(`${dashboard.url}/runs/${runId}`, { waitUntil: 'load' });
        const figure = page.locator('figure[data-chart="request-breakdown"]');
        await figure.waitFor({ timeout: 30_000 });
        const drawn = await figure.evaluate((f) => ({ label: f.getAttribute('aria-label'), bars: [...f.querySelectorAll('svg g.role-mark path')].map((p) => p.getAttribute('fill')) }));
        expect(drawn).toEqual({ label: 'Where request time went (from traces)', bars: ['#9ecae9', '#f58518', '#4c78a8', '#54a24b', '#b279a2'] });
      } finally {
        await dashboard.close();
        await store.close();
      }
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);

  it('says clearly what is missing: a run whose platform is gone, a run with no stored traces', async () => {
    const store = await openStore(db);
    const lonely = await store.createRun({ ...RUN, kind: 'experiment', name: 'nested-chain' });
    await store.appendRecords([{ runId: lonely, seq: 0, fn: 'f', phase: 'measure', tag: null, plannedUs: 1, sentUs: 2, receivedUs: 3, latencyMs: 0.001, status: 'ok', httpStatus: 200, errorClass: null, requestId: 'r', instanceId: null, cold: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null }]);
    await store.close();
    const gone = await runCli(['traces', 'get', lonely, '--store', db]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain(`run ${lonely} ran on a local platform it started and stopped, and its traces went with it`);
    const none = await runCli(['traces', 'analyze', lonely, '--store', db]);
    expect(none.code).toBe(3);
    expect(none.stderr).toBe(`faasbench: run ${lonely} has no stored traces: fetch them first with faasbench traces get ${lonely}\n`);
    const unknown = await runCli(['traces', 'analyze', 'no-such-run', '--store', db]);
    expect([unknown.code, unknown.stderr]).toEqual([3, 'faasbench: no run no-such-run in the store (see faasbench runs)\n']);
  }, 60_000);
});

async function storedTraces(db: string, runId: string): Promise<Array<{ traceId: string; segments: Doc[] }>> {
  const store = await openStore(db);
  try {
    const out: Array<{ traceId: string; segments: Doc[] }> = [];
    for await (const { row } of store.experimentRows(runId, { kind: 'xray-trace' })) out.push(row as unknown as { traceId: string; segments: Doc[] });
    // In the order of the run's calls: the cold tree first.
    return out.sort((a, b) => Math.min(...a.segments.map((s) => s.start_time)) - Math.min(...b.segments.map((s) => s.start_time)));
  } finally {
    await store.close();
  }
}
