/**
 * The measured side of bench/analysis-report.bench.ts, one job per process so each peak RSS is
 * that job's alone. Prints one JSON line: seconds, peak RSS (MB) and what the job counted.
 *
 *   build <db> <calls> <smallRuns>   the store: one run of <calls> records and <smallRuns> small runs (not timed)
 *   analyze <db> <runId>             analyzeRun
 *   report <db> <runId> <outDir>     readRunData + buildReport + writeReport
 *   detail <db> <runId>              readRunDetail: the dashboard's one pass for a run's analysis and charts
 *   records <db> <runId>             Store.records() alone, every record decoded
 *   raw <db> <runId>                 bare better-sqlite3 stmt.iterate() over the same rows (the floor)
 */
import { readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { analyzeRun } from '../src/analysis/run-analysis.ts';
import { createPrng, type Prng } from '../src/core/prng.ts';
import type { InvocationRecord, InvocationStatus } from '../src/core/invocation-record.ts';
import { buildReport, writeReport } from '../src/report/html-report.ts';
import { readRunData } from '../src/report/run-data.ts';
import { openStore } from '../src/store/open.ts';
import { readRunDetail } from '../src/web/run-detail.ts';
import type { Store } from '../src/store/store.ts';

const [job, a, b, c] = process.argv.slice(2);
const started = performance.now();
const peakMb = (): number => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024;

const BIG_RUN_ID = 'bench-1m';

/** Weights are call shares: a few busy functions and some rare ones, as in a real mixed run. */
const FUNCTIONS = [
  { fn: 'api-gateway', weight: 0.4, medianMs: 12, memoryMb: 512 },
  { fn: 'thumbnail', weight: 0.25, medianMs: 180, memoryMb: 1024 },
  { fn: 'auth', weight: 0.2, medianMs: 6, memoryMb: 256 },
  { fn: 'report-pdf', weight: 0.1, medianMs: 900, memoryMb: 2048 },
  { fn: 'nightly-etl', weight: 0.05, medianMs: 2500, memoryMb: 3008 },
] as const;
/** Share of calls that start a new instance; the rest go to one already up. */
const COLD_SHARE = 0.002;
const RATE_PER_S = 1000;
const BATCH = 2_000;

function normal(prng: Prng): number {
  return Math.sqrt(-2 * Math.log(1 - prng.next())) * Math.cos(2 * Math.PI * prng.next());
}

/** Record `seq` of a seeded run: log-normal latencies, cold starts with init time, a few errors and throttles. */
function* bigRun(runId: string, calls: number): Generator<InvocationRecord> {
  const prng = createPrng(42, 'analysis-bench');
  const instances = FUNCTIONS.map(() => [] as string[]);
  const t0 = Date.parse('2026-01-01T00:00:00Z') * 1000;
  for (let seq = 0; seq < calls; seq++) {
    const u = prng.next();
    let i = 0;
    for (let acc = FUNCTIONS[0]!.weight; u > acc && i < FUNCTIONS.length - 1; acc += FUNCTIONS[++i]!.weight);
    const f = FUNCTIONS[i]!;
    const pool = instances[i]!;
    const cold = pool.length === 0 || prng.next() < COLD_SHARE;
    if (cold) pool.push(`${f.fn}-i${pool.length}`);
    const instanceId = cold ? pool.at(-1)! : pool[prng.int(0, pool.length - 1)]!;
    const plannedUs = t0 + Math.round((seq * 1e6) / RATE_PER_S);
    const sentUs = plannedUs + Math.round(prng.exponential(150));
    const initMs = cold ? 150 + prng.exponential(250) : null;
    const durationMs = f.medianMs * Math.exp(0.5 * normal(prng));
    const r = prng.next();
    const status: InvocationStatus = r < 0.002 ? 'throttled' : r < 0.005 ? 'function-error' : 'ok';
    const reached = status !== 'throttled';
    const latencyMs = durationMs + (initMs ?? 0) + 1.5 + prng.exponential(0.8);
    yield {
      runId,
      seq,
      fn: f.fn,
      phase: seq < 1_000 ? 'warmup' : 'measure',
      tag: null,
      plannedUs,
      sentUs,
      receivedUs: sentUs + Math.round((reached ? latencyMs : 2) * 1000),
      latencyMs: reached ? latencyMs : 2,
      status,
      httpStatus: status === 'ok' ? 200 : status === 'throttled' ? 429 : 500,
      errorClass: status === 'throttled' ? 'TooManyRequestsException' : status === 'function-error' ? 'Unhandled' : null,
      requestId: `req-${seq}`,
      instanceId: reached ? instanceId : null,
      cold: reached ? cold : null,
      initMs: reached ? initMs : null,
      durationMs: reached ? durationMs : null,
      billedMs: reached ? Math.ceil(durationMs) : null,
      memoryMb: f.memoryMb,
      maxMemoryMb: reached ? Math.round(f.memoryMb * (0.2 + 0.3 * prng.next())) : null,
    };
  }
}

async function build(db: string, calls: number, smallRuns: number): Promise<Record<string, number>> {
  let reported = 0;
  const store = await openStore(db, {
    onFlush: ({ totalRows }) => {
      if (totalRows - reported < 100_000) return;
      reported = totalRows;
      console.error(`  ${totalRows.toLocaleString('en-US')} records written`);
    },
  });
  try {
    // The small runs start earlier, so the big one is first in the newest-first list.
    for (let s = 0; s < smallRuns; s++) {
      const id = `bench-small-${String(s).padStart(4, '0')}`;
      await store.createRun({ id, kind: 'invoke', name: `small ${s}`, provider: 'local', toolVersion: 'bench', startedAt: new Date(Date.UTC(2025, 0, 1) + s * 60_000).toISOString() });
      await store.appendRecords([...bigRun(id, 10)]);
      await store.finishRun(id, 'completed');
    }
    await store.createRun({ id: BIG_RUN_ID, kind: 'invoke', name: '1m calls', provider: 'local', toolVersion: 'bench', startedAt: '2026-01-01T00:00:00.000Z' });
    let batch: InvocationRecord[] = [];
    for (const record of bigRun(BIG_RUN_ID, calls)) {
      batch.push(record);
      if (batch.length === BATCH) {
        await store.appendRecords(batch);
        batch = [];
      }
    }
    await store.appendRecords(batch);
    await store.finishRun(BIG_RUN_ID, 'completed');
    return { calls, runs: smallRuns + 1 };
  } finally {
    await store.close();
  }
}

async function withStore<T>(db: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function run(): Promise<Record<string, number>> {
  if (job === 'build') return build(a!, Number(b), Number(c));
  if (job === 'analyze') {
    const analysis = await withStore(a!, (store) => analyzeRun(store, b!));
    return { calls: analysis.total.calls + analysis.total.warmupCalls };
  }
  if (job === 'report') {
    return withStore(a!, async (store) => {
      const data = await readRunData(store, b!);
      const written = await writeReport(c!, await buildReport(data));
      return { calls: data.records, files: written.files.length };
    });
  }
  if (job === 'detail') {
    return withStore(a!, async (store) => {
      const run = await store.getRun(b!);
      if (!run) throw new Error(`no run ${b} in ${a}`);
      const { data } = await readRunDetail(store, run);
      return { calls: data.records };
    });
  }
  if (job === 'records') {
    return withStore(a!, async (store) => {
      let calls = 0;
      let sink = 0;
      for await (const r of store.records(b!)) {
        calls++;
        sink += r.latencyMs ?? 0;
      }
      return { calls, sink: sink > 0 ? 1 : 0 };
    });
  }
  if (job === 'raw') {
    const db = new BetterSqlite3(a!, { readonly: true });
    try {
      let calls = 0;
      let sink = 0;
      // Every column, as records() asks for, so the floor reads the same bytes.
      for (const row of db.prepare('select * from invocations where run_id = ? order by seq').iterate(b!) as IterableIterator<{ latency_ms: number | null }>) {
        calls++;
        sink += row.latency_ms ?? 0;
      }
      return { calls, sink: sink > 0 ? 1 : 0 };
    } finally {
      db.close();
    }
  }
  throw new Error(`unknown job ${job}`);
}

const result = await run();
console.log(JSON.stringify({ ...result, seconds: (performance.now() - started) / 1000, peakRssMb: peakMb() }));
