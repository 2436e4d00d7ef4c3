// One truth for every figure: the same stored runs (warm-ups, failures, latencies 1..1,000 ms, one
// call, no answered call, warm-up calls only, no call at all) in a real SQLite store, read through
// every path that prints or serves a figure: the end-of-run summary (the builder plan-execution
// feeds, and its printed table), `analyze --json`, the report's data, the dashboard API over real
// HTTP, experiments' result rows (fed every record, warm-ups and failures included, as a run's
// records come), and `compare --json`. Every path must give the same numbers. Then a real
// `invoke --json` against a local HTTP endpoint, whose printed summary must be `analyze --json` of
// that run.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tallyCalls } from '../src/analysis/call-tally.ts';
import type { FunctionStats, Percentiles, RunAnalysis, RunComparison } from '../src/analysis/index.ts';
import { roundMs } from '../src/analysis/percentile.ts';
import { SummaryBuilder, type RunSummary } from '../src/analysis/run-summary.ts';
import { summaryTable } from '../src/cli/summary-table.ts';
import { createPrng } from '../src/core/prng.ts';
import { NO_FACTS, type InvocationRecord, type InvocationStatus } from '../src/core/invocation-record.ts';
import { group as coldStartRow, type ClassifiedCall } from '../src/experiments/builtin/cold-start.ts';
import { summarise as burstRow } from '../src/experiments/builtin/concurrency-scaling.ts';
import { windowRows } from '../src/experiments/builtin/load-spikes.ts';
import { readRunData } from '../src/report/run-data.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { RUN } from '../src/store/testing/run-meta.ts';
import { startDashboard, type Dashboard } from '../src/web/server.ts';
import { REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const exec = promisify(execFile);
const T0 = 1_800_000_000_000_000;

async function faasbenchJson<T>(args: string[]): Promise<T> {
  return JSON.parse((await exec(process.execPath, [BIN, ...args, '--json'], { maxBuffer: 64 * 1024 * 1024 })).stdout) as T;
}

/** A command that must refuse: its exit code and the last line it printed to stderr. */
async function faasbenchRefusal(args: string[]): Promise<{ code: number; message: string }> {
  const failed = await exec(process.execPath, [BIN, ...args, '--json']).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => err,
  );
  return { code: failed.code, message: failed.stderr.trim().split('\n').at(-1) ?? '' };
}

/** What every path must agree on. */
interface Figures {
  readonly calls: number;
  readonly warmupCalls: number;
  readonly ok: number;
  readonly failed: number;
  readonly byStatus: Partial<Record<InvocationStatus, number>>;
  readonly errorClasses: Record<string, number>;
  readonly latencyMs: Percentiles | null;
}

const ofStats = (s: FunctionStats): Figures => ({ calls: s.calls, warmupCalls: s.warmupCalls, ok: s.ok, failed: s.failed, byStatus: s.byStatus, errorClasses: s.errorClasses, latencyMs: s.latencyMs });
const ofSummary = (s: RunSummary): Figures => ({ calls: s.total, warmupCalls: s.warmupCalls, ok: s.ok, failed: s.failed, byStatus: s.byStatus, errorClasses: s.errorClasses, latencyMs: s.latencyMs });

interface Case {
  readonly name: string;
  readonly records: (runId: string) => InvocationRecord[];
  readonly expected: Figures;
  /** Analyze's answer: the figures, or its refusal of a run that holds no record. */
  readonly analyze: 'figures' | 'refused';
}

function rec(runId: string, seq: number, fields: Partial<InvocationRecord>): InvocationRecord {
  const plannedUs = T0 + seq * 10_000;
  const latencyMs = fields.latencyMs === undefined ? 1 : fields.latencyMs;
  const sentUs = plannedUs + 100 + (seq % 7) * 10;
  return { ...NO_FACTS, runId, seq, fn: 'f', phase: 'measure', tag: null, plannedUs, sentUs, receivedUs: latencyMs === null ? null : sentUs + latencyMs * 1000, status: 'ok', httpStatus: 200, errorClass: null, latencyMs, ...fields };
}

/**
 * Failures of every kind, slower than any answered call, so timing one of them would show. The
 * platform said cold and warm of the two it answered: a cold or warm figure that timed them would show too.
 */
const failures = (runId: string, from: number): InvocationRecord[] => [
  rec(runId, from, { status: 'function-error', errorClass: 'Error', latencyMs: 3000, cold: true }),
  rec(runId, from + 1, { status: 'throttled', httpStatus: 429, errorClass: 'TooManyRequestsException', latencyMs: 2000, cold: false }),
  rec(runId, from + 2, { status: 'transport-error', httpStatus: null, errorClass: 'ECONNRESET', latencyMs: null }),
  rec(runId, from + 3, { status: 'dropped', httpStatus: null, errorClass: 'InFlightLimit', sentUs: null, latencyMs: null }),
  rec(runId, from + 4, { status: 'unknown', httpStatus: null, latencyMs: null }),
];
const FAILED_BY_STATUS = { 'function-error': 1, throttled: 1, 'transport-error': 1, dropped: 1, unknown: 1 } as const;
const FAILED_CLASSES = { Error: 1, TooManyRequestsException: 1, ECONNRESET: 1, InFlightLimit: 1 };

/** Warm-up calls far slower than any measured one: counting one would show in every figure. */
const warmups = (runId: string, n: number): InvocationRecord[] => Array.from({ length: n }, (_, i) => rec(runId, i, { phase: 'warmup', latencyMs: 5000 + i, cold: i === 0 }));

function shuffled(n: number): number[] {
  const prng = createPrng(11, 'one-truth');
  const values = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

const exact = (count: number, min: number, p50: number, p90: number, p99: number, p999: number, max: number, mean: number): Percentiles => ({ count, min, p50, p90, p99, p999, max, mean, precision: 'exact' });

const NO_CALL = { calls: 0, ok: 0, failed: 0, byStatus: {}, errorClasses: {}, latencyMs: null } as const;

const CASES: readonly Case[] = [
  {
    name: 'latencies 1..1,000 ms with warm-ups and failures',
    // Every 10th latency (10, 20 ... 1,000 ms) the platform called cold.
    records: (id) => [...warmups(id, 5), ...shuffled(1000).map((latencyMs, i) => rec(id, 5 + i, { latencyMs, cold: latencyMs % 10 === 0 })), ...failures(id, 1005)],
    expected: { calls: 1005, warmupCalls: 5, ok: 1000, failed: 5, byStatus: { ok: 1000, ...FAILED_BY_STATUS }, errorClasses: FAILED_CLASSES, latencyMs: exact(1000, 1, 500, 900, 990, 999, 1000, 500.5) },
    analyze: 'figures',
  },
  {
    name: 'one answered call',
    records: (id) => [...warmups(id, 2), rec(id, 2, { latencyMs: 42.5, cold: true })],
    expected: { calls: 1, warmupCalls: 2, ok: 1, failed: 0, byStatus: { ok: 1 }, errorClasses: {}, latencyMs: exact(1, 42.5, 42.5, 42.5, 42.5, 42.5, 42.5, 42.5) },
    analyze: 'figures',
  },
  {
    name: 'no answered call: every call failed',
    records: (id) => [...warmups(id, 2), ...failures(id, 2)],
    expected: { calls: 5, warmupCalls: 2, ok: 0, failed: 5, byStatus: FAILED_BY_STATUS, errorClasses: FAILED_CLASSES, latencyMs: null },
    analyze: 'figures',
  },
  {
    name: 'zero measured calls: warm-up calls only',
    records: (id) => warmups(id, 3),
    expected: { ...NO_CALL, warmupCalls: 3 },
    analyze: 'figures',
  },
  {
    name: 'zero calls: an empty run',
    records: () => [],
    expected: { ...NO_CALL, warmupCalls: 0 },
    analyze: 'refused',
  },
];
const byName = (name: string): Case => CASES.find((c) => c.name === name)!;

let dir: string;
let db: string;
let store: Store;
let dashboard: Dashboard;
const runs = new Map<string, { id: string; records: InvocationRecord[] }>();
/** The CLI's answers, asked all at once: each is a process of its own, and they overlap on two cores. */
const analyses = new Map<string, RunAnalysis | { code: number; message: string }>();
let comparisons: { withOne: RunComparison; withZero: RunComparison; withNoMeasured: { code: number; message: string } };

beforeAll(async () => {
  dir = scratchDir('one-truth');
  db = path.join(dir, 'runs.db');
  store = await openStore(db);
  for (const c of CASES) {
    const id = await store.createRun(RUN);
    const records = c.records(id);
    if (records.length > 0) await store.appendRecords(records);
    await store.finishRun(id, 'completed', null);
    runs.set(c.name, { id, records });
  }
  await store.flush();
  dashboard = await startDashboard({ store, port: 0 });
  const [thousand, one, zero, warmupsOnly] = CASES.map((c) => runs.get(c.name)!.id);
  const [withOne, withZero, withNoMeasured, ...analyzed] = await Promise.all([
    faasbenchJson<RunComparison>(['compare', thousand!, one!, '--store', db]),
    faasbenchJson<RunComparison>(['compare', thousand!, zero!, '--store', db]),
    faasbenchRefusal(['compare', thousand!, warmupsOnly!, '--store', db]),
    ...CASES.map((c) => (c.analyze === 'figures' ? faasbenchJson<RunAnalysis>(['analyze', runs.get(c.name)!.id, '--store', db]) : faasbenchRefusal(['analyze', runs.get(c.name)!.id, '--store', db]))),
  ]);
  comparisons = { withOne: withOne as RunComparison, withZero: withZero as RunComparison, withNoMeasured: withNoMeasured as { code: number; message: string } };
  CASES.forEach((c, i) => analyses.set(c.name, analyzed[i]!));
  // Eight CLI processes: about 15 s on a quiet machine, 50 s at load average 17; the margin is for a busier one.
}, 240_000);

afterAll(async () => {
  await dashboard?.close();
  await store?.close();
});

const isAnalysis = (a: RunAnalysis | { code: number; message: string } | undefined): a is RunAnalysis => a !== undefined && 'functions' in a;

/** Every path's figures of one stored run; a run without records has no function, so only run-wide figures. */
async function allPaths(c: Case): Promise<Record<string, Figures>> {
  const { id, records } = runs.get(c.name)!;
  const builder = new SummaryBuilder();
  for (const r of records) builder.add(r);
  // As `invoke --json` prints it: through JSON.
  const summary = JSON.parse(JSON.stringify(builder.summary())) as RunSummary;
  const analyze = analyses.get(c.name);
  const report = await readRunData(store, id);
  const res = await request(`${dashboard.url}/api/runs/${id}`);
  expect(res.statusCode).toBe(200);
  const api = (await res.body.json()) as { analysis: RunAnalysis };
  const stored: InvocationRecord[] = [];
  for await (const r of store.records(id)) stored.push(r);
  // Every stored record, warm-ups and failures included: the tally leaves out what it must.
  const tally = tallyCalls(stored);
  const paths: Record<string, Figures> = {
    summary: ofSummary(summary),
    'dashboard API (run)': ofStats(api.analysis.total),
    'experiment tally': { ...tally.counts(), latencyMs: tally.latencyMs() },
  };
  if (records.length === 0) {
    // Nothing to show per function, and analyze says there is nothing to analyze (exit 3).
    expect([report.records, report.functions, api.analysis.functions]).toEqual([0, [], []]);
    expect(analyze).toEqual({ code: 3, message: expect.stringContaining(`run ${id} holds no invocations: nothing to analyze`) as unknown });
    return paths;
  }
  if (!isAnalysis(analyze)) throw new Error(`analyze refused run ${id}: ${JSON.stringify(analyze)}`);
  return {
    ...paths,
    'analyze --json (f)': ofStats(analyze.functions[0]!),
    'analyze --json (run)': ofStats(analyze.total),
    report: (({ calls, warmupCalls, ok, failed, byStatus, errorClasses, latencyMs }) => ({ calls, warmupCalls, ok, failed, byStatus, errorClasses, latencyMs }))(report.functions[0]!),
    'dashboard API (f)': ofStats(api.analysis.functions[0]!),
  };
}

/** A cold-start classification of each record the platform called cold or warm, as the experiment stores it. */
function classified(records: readonly InvocationRecord[]): ClassifiedCall[] {
  return records.flatMap((r) =>
    r.cold === null ? [] : [{ seq: r.seq, runtime: 'measure-node', memoryMb: 128, provisioned: false, repetition: 0, call: r.cold ? 0 : 1, instance: String(r.seq), instId: null, initType: null, cold: r.cold, platformCold: r.cold, phase: r.phase, status: r.status, latencyMs: r.latencyMs, initMs: r.initMs }],
  );
}

describe('one truth for every figure', () => {
  it.each(CASES)('$name: the same numbers on every path', async (c) => {
    const paths = await allPaths(c);
    for (const [where, figures] of Object.entries(paths)) {
      expect({ where, ...figures }).toEqual({ where, ...c.expected });
      const l = figures.latencyMs;
      if (l) expect({ where, under: [l.p50, l.p90, l.p99, l.p999].every((v) => v <= l.max && v >= l.min) }).toEqual({ where, under: true });
    }

    // Experiments' result rows, fed every record (warm-ups and failures included): the same counts
    // and figures, rounded for their tables. concurrency-scaling's burst row...
    const { id, records } = runs.get(c.name)!;
    const e = c.expected;
    const l = e.latencyMs;
    const throttled = e.byStatus.throttled ?? 0;
    const row = burstRow(1, records);
    expect({ ok: row.ok, throttled: row.throttled, errors: row.errors, p50Ms: row.p50Ms, maxMs: row.maxMs }).toEqual({ ok: e.ok, throttled, errors: e.failed - throttled, p50Ms: roundMs(l?.p50 ?? null), maxMs: roundMs(l?.max ?? null) });
    // ...load-spikes' window row (its base window: p50 and p99)...
    const windows = windowRows(records.map((r) => ({ ...r, tag: 'base-0' })), [], 1);
    expect(windows.map((w) => ({ calls: w.calls, errors: w.errors, p50Ms: w.p50Ms, p99Ms: w.p99Ms }))).toEqual([{ calls: e.calls, errors: e.failed, p50Ms: roundMs(l?.p50 ?? null), p99Ms: roundMs(l?.p99 ?? null) }]);
    // ...and cold-start's cold and warm medians: analyze's cold and warm latency (platform's flag) of the same calls.
    const coldRow = coldStartRow('measure-node', 128, classified(records));
    const api = (await (await request(`${dashboard.url}/api/runs/${id}`)).body.json()) as { analysis: RunAnalysis };
    const analyzed = analyses.get(c.name);
    const cold = (isAnalysis(analyzed) ? analyzed : api.analysis).total.coldStart;
    expect({ coldCalls: coldRow.coldCalls, warmCalls: coldRow.warmCalls, coldP50Ms: coldRow.coldP50Ms, warmP50Ms: coldRow.warmP50Ms }).toEqual({
      coldCalls: cold.source === 'platform' ? cold.cold : 0,
      warmCalls: cold.source === 'platform' ? cold.warm : 0,
      coldP50Ms: cold.coldLatencyMs?.p50 ?? null,
      warmP50Ms: cold.warmLatencyMs?.p50 ?? null,
    });
    if (c === CASES[0]) expect([coldRow.coldP50Ms, coldRow.warmP50Ms]).toEqual([500, 499]);

    // The printed end-of-run table: warm-ups said, no figure of nothing.
    const builder = new SummaryBuilder();
    for (const r of records) builder.add(r);
    const text = summaryTable(builder.summary());
    const warmupsSaid = c.expected.warmupCalls > 0 ? ` (${c.expected.warmupCalls} warm-up call${c.expected.warmupCalls === 1 ? '' : 's'} not counted)` : '';
    expect(text).toContain(`${c.expected.calls} call${c.expected.calls === 1 ? '' : 's'}${warmupsSaid}:`);
    const latencyLine = text.split('\n').find((l) => l.includes('latency ms'))!;
    const cells = latencyLine.split('│').map((cell) => cell.trim()).filter((cell) => cell !== '');
    if (c.expected.latencyMs === null) expect(cells).toEqual(['latency ms', '0', '-', '-', '-', '-', '-']);
    else expect(latencyLine).toContain(c.expected.latencyMs.p999.toFixed(2));
  }, 60_000);

  it('compare --json gives each side the figures analyze gives', async () => {
    const { withOne: ab, withZero: ac } = comparisons;
    const side = (f: Figures): unknown => ({ calls: f.calls, ok: f.ok, p50: f.latencyMs?.p50 ?? null, p99: f.latencyMs?.p99 ?? null });
    const pick = (s: RunComparison['functions'][number]['a']): unknown => ({ calls: s.calls, ok: s.ok, p50: s.p50, p99: s.p99 });
    for (const f of ab.functions) expect([pick(f.a), pick(f.b)]).toEqual([side(CASES[0]!.expected), side(CASES[1]!.expected)]);
    for (const f of ac.functions) expect([pick(f.a), pick(f.b)]).toEqual([side(CASES[0]!.expected), side(CASES[2]!.expected)]);
    // p99.9 of 1..1,000 is the 999th smallest, and the p99 (990) is under the max (1,000).
    expect(ab.functions[0]!.a.p99).toBe(990);
    // A run of warm-up calls only has nothing to compare, and compare says so (exit 3).
    const warmupsOnly = runs.get(byName('zero measured calls: warm-up calls only').name)!.id;
    expect(comparisons.withNoMeasured).toEqual({ code: 3, message: expect.stringContaining(`run ${warmupsOnly} holds no measured invocations: nothing to compare`) as unknown });
  });
});

describe('a real invoke: its printed summary is analyze of its run', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    let n = 0;
    // Every 4th request fails (a 500 is a function error) and answers take 0-3 ms.
    server = createServer((req, res) => {
      const i = n++;
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          res.statusCode = i % 4 === 3 ? 500 : 200;
          res.end(i % 4 === 3 ? '{"errorMessage":"boom"}' : '{"ok":true}');
        }, i % 4);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('25 calls with 5 warm-up calls: the summary leaves the warm-ups out and equals analyze --json', async () => {
    const runsDb = path.join(dir, 'invoke.db');
    const out = await exec(process.execPath, [BIN, 'invoke', 'noop', '--no-deploy', '--provider', 'http', '-o', `url=${url}`, '--store', runsDb, 'sequential', '--count', '30', '--warmup-calls', '5', '--json'], { maxBuffer: 1 << 24 }).catch(
      // Calls failed, so the command exits non-zero; its output is still the run's.
      (err: { stdout: string }) => err,
    );
    const printed = JSON.parse(out.stdout) as { runId: string; summary: RunSummary };
    const analysis = await faasbenchJson<RunAnalysis>(['analyze', printed.runId, '--store', runsDb]);
    const f = analysis.functions[0]!;
    expect(printed.summary.warmupCalls).toBe(5);
    expect(printed.summary.total).toBe(25);
    expect(printed.summary.failed).toBeGreaterThan(0);
    expect({ ...ofSummary(printed.summary), latenessMs: printed.summary.latenessMs }).toEqual({ ...ofStats(f), latenessMs: f.latenessMs });
    expect(printed.summary.latencyMs!.p99).toBeLessThanOrEqual(printed.summary.latencyMs!.max);
  }, 240_000);
});
