// In-function measurements as a user gets them: the real CLI runs the memory, disk-io and counters
// experiments against the local platform, with functions/footprint (the `small` input allocates
// 100 MB and writes 10 MB to /tmp). Every call's measurement must be in the store as a
// function-measurement record under the call's own seq and request id, with at least those bytes,
// and counters must be there or the reason they are not.
// The four tests run two at a time (two cores, never more): each has a platform of its own (the
// first in this process, the others in each CLI run's own), and what they assert is bytes and
// counts, not time.
import path from 'node:path';
import pLimit from 'p-limit';
import { describe, it, type ExpectStatic } from 'vitest';
import { openStore } from '../src/store/index.ts';
import type { FunctionMeasurement } from '../src/platform/measurement.ts';
import { runCli } from './support/cli-process.ts';
import { invokeHttp, REPO, scratchDir, startPlatform } from './support/platform.ts';

const MB = 1024 * 1024;

/** The tests below run two at a time: two cores. */
const twoAtATime = pLimit(2);

interface RunJson {
  runId: string;
  status: string;
  result: { columns: string[]; rows: Array<Array<string | number | boolean | null>>; notes: string[] } | null;
  error: string | null;
}

interface StoredMeasurement {
  seq: number;
  requestId: string;
  fn: string;
  input: string;
  tag: string;
  status: string;
  measurement: FunctionMeasurement | null;
  missing: string | null;
}

/** Runs an experiment on footprint's small input, one measured call after the warm-up; returns its result and what the store holds. */
async function runExperiment(expect: ExpectStatic, name: string): Promise<{ out: RunJson; stored: StoredMeasurement[]; calls: Array<{ seq: number; requestId: string | null; status: string }> }> {
  const store = path.join(scratchDir(`measure-${name}`), 'runs.db');
  const cli = await twoAtATime(() => runCli(['experiment', 'run', name, '--store', store, '--json', '-p', 'inputs=["small"]', '-p', 'calls=1']));
  expect(cli.code, cli.stderr).toBe(0);
  const [out] = JSON.parse(cli.stdout) as RunJson[];
  const db = await openStore(store);
  try {
    const stored: StoredMeasurement[] = [];
    for await (const r of db.experimentRows(out!.runId, { kind: 'function-measurement' })) stored.push(r.row as unknown as StoredMeasurement);
    const calls: Array<{ seq: number; requestId: string | null; status: string }> = [];
    for await (const r of db.records(out!.runId)) calls.push({ seq: r.seq, requestId: r.requestId, status: r.status });
    return { out: out!, stored, calls };
  } finally {
    await db.close();
  }
}

const table = (r: RunJson): Array<Record<string, unknown>> => r.result!.rows.map((row) => Object.fromEntries(r.result!.columns.map((c, i) => [c, row[i]])));

// Concurrent, as is the suite after it: consecutive concurrent suites run together.
describe.concurrent('the platform measures the calls of functions that ask', () => {
  it('no header without FAASBENCH_MEASURE; with it, each call its own peak while Max Memory Used keeps the instance\'s', ({ expect }) => twoAtATime(async () => {
    const platform = await startPlatform();
    try {
      const folder = path.join(REPO, 'functions', 'footprint');
      platform.create({ name: 'plain', runtime: 'nodejs', handler: 'index.handler', memoryMb: 512, timeoutS: 60 }, { folder });
      platform.create({ name: 'measured', runtime: 'nodejs', handler: 'index.handler', memoryMb: 512, timeoutS: 60, environment: { FAASBENCH_MEASURE: 'true' } }, { folder });
      const plain = await invokeHttp(platform, 'plain', { allocateMb: 1 });
      expect([plain.status, plain.headers['x-faasbench-measurement']]).toEqual([200, undefined]);
      const big = await invokeHttp(platform, 'measured', { allocateMb: 100, writeMb: 10 });
      const small = await invokeHttp(platform, 'measured', { allocateMb: 1 });
      const [bigM, smallM] = [big, small].map((r) => JSON.parse(r.headers['x-faasbench-measurement']!) as FunctionMeasurement);
      expect(bigM!.memory.peakBytes).toBeGreaterThanOrEqual(100 * MB);
      expect(bigM!.io!.writtenBytes).toBeGreaterThanOrEqual(10 * MB);
      // The second call's peak is its own (the 100 MB block was collected in between or not, it
      // allocated 1 MB), and the REPORT's Max Memory Used still covers the first call's.
      expect(smallM!.io!.writtenBytes).toBeLessThan(MB);
      expect(Number(small.headers['x-faasbench-max-memory-mb'])).toBeGreaterThanOrEqual(100);
      expect(Number(small.headers['x-faasbench-max-memory-mb'])).toBeGreaterThanOrEqual(Number(big.headers['x-faasbench-max-memory-mb']));
      expect([bigM!.shared, bigM!.counters.reason, smallM!.counters.reason]).toEqual([false, 'not-requested', 'not-requested']);
    } finally {
      await platform.stop();
    }
  }), 240_000);
});

describe.concurrent('in-function measurements', () => {
  it('disk-io: each call of a function that writes 10 MB and allocates 100 MB has at least those in its record, under its seq', async ({ expect }) => {
    const { out, stored, calls } = await runExperiment(expect, 'disk-io');
    expect(out).toMatchObject({ status: 'completed', error: null });
    // The warm-up and the measured call, both answered, each with its measurement.
    expect(calls.map((c) => [c.seq, c.status])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
    ]);
    expect(stored.map((s) => [s.seq, s.requestId, s.fn, s.input, s.tag, s.status, s.missing])).toEqual(calls.map((c, i) => [c.seq, c.requestId, 'footprint', 'small', i === 0 ? 'warmup' : 'small', 'ok', null]));
    for (const { measurement: m } of stored) {
      expect(m!.io!.writtenBytes).toBeGreaterThanOrEqual(10 * MB);
      expect(m!.io!.readBytes).toBeGreaterThanOrEqual(10 * MB);
      expect(m!.memory.peakBytes).toBeGreaterThanOrEqual(100 * MB);
      expect(m!.memory.samples.length).toBeGreaterThan(0);
      expect(m!.memory.samples.length).toBeLessThanOrEqual(128);
      expect(m!.cpu.userMs + m!.cpu.systemMs).toBeGreaterThan(0);
      expect(m!.counters).toEqual({ kind: 'none', reason: 'not-requested', detail: null, values: {} });
    }
    const [row] = table(out);
    expect([row!.benchmark, row!['calls measured'], row!.missing]).toEqual(['footprint small', 1, null]);
    expect(row!['written MB p50'] as number).toBeGreaterThanOrEqual(10);
  }, 240_000);

  it('memory: the peak of the call is at least the 100 MB it allocated, with its series in the result', async ({ expect }) => {
    const { out, stored } = await runExperiment(expect, 'memory');
    expect(out).toMatchObject({ status: 'completed', error: null });
    expect(stored).toHaveLength(2);
    for (const { measurement: m } of stored) expect(m!.memory.peakBytes).toBeGreaterThanOrEqual(100 * MB);
    const [row] = table(out);
    expect(row!['peak MB p50'] as number).toBeGreaterThanOrEqual(100);
    expect(row!.source).toBe('cgroup-v1-memory');
  }, 240_000);

  it('counters: present, hardware or software, and when software the reason is hardware-unsupported', async ({ expect }) => {
    const { out, stored } = await runExperiment(expect, 'counters');
    expect(out).toMatchObject({ status: 'completed', error: null });
    expect(stored).toHaveLength(2);
    for (const { measurement: m } of stored) {
      const { kind, reason, values } = m!.counters;
      // This machine has perf (scripts/provision-test-deps.sh): counters are read, of one kind or the other.
      expect([['hardware', null], ['software', 'hardware-unsupported']]).toContainEqual([kind, reason]);
      expect(values['task-clock']).toBeGreaterThan(0);
      expect(values['page-faults']).toBeGreaterThanOrEqual((100 * MB) / (2 * MB));
      if (kind === 'hardware') expect(values.cycles).toBeGreaterThan(0);
    }
    const [row] = table(out);
    expect([row!.counters, row!.reason]).toEqual([stored[1]!.measurement!.counters.kind, stored[1]!.measurement!.counters.reason]);
  }, 240_000);
});
