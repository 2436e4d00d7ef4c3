// concurrency-scaling and load-spikes as a user runs them: the real CLI by experiment name, the
// real local platform in its own process, a real SQLite store, and the platform's ground truth
// (instance ids, cold flags, throttles) checked call by call against what the tables say.
// Each run is a CLI process with a platform of its own: the two concurrency-scaling runs go side
// by side (two cores, never more). load-spikes runs alone: its schedule gives a spike's cold starts
// one second before the next call, which another run's cold starts could stretch them past.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import { burstSizes } from '../src/experiments/builtin/concurrency-scaling.ts';
import { spikePlan, spikeSchedule } from '../src/experiments/builtin/load-spikes.ts';
import { percentile } from '../src/analysis/percentile.ts';
import { sleepingEvent } from '../src/experiments/sleeping-event.ts';
import { openStore } from '../src/store/index.ts';
import { ownCacheHome, REPO, scratchDir } from './support/platform.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

interface RunJson {
  runId: string;
  status: string;
  result: { columns: string[]; rows: Array<Array<string | number | boolean | null>>; notes: string[]; summary: Record<string, unknown> } | null;
  error: string | null;
}

async function experiment(name: string, params: Record<string, unknown>): Promise<{ run: RunJson; records: InvocationRecord[] }> {
  const dir = scratchDir(name);
  const store = path.join(dir, 'runs.db');
  // A platform data directory of its own: platforms started on the default one share its code/
  // folder, and the first to stop removes it under the others (their next cold start fails).
  const env = { ...process.env, ...ownCacheHome(dir) };
  const args = [BIN, 'experiment', 'run', name, '--store', store, '--json', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24, env });
  const [result] = JSON.parse(stdout) as RunJson[];
  const db = await openStore(store);
  try {
    const records: InvocationRecord[] = [];
    for await (const r of db.records(result!.runId)) records.push(r);
    return { run: result!, records };
  } finally {
    await db.close();
  }
}

/** The table as objects by column name. */
const table = (r: RunJson): Array<Record<string, unknown>> => r.result!.rows.map((row) => Object.fromEntries(r.result!.columns.map((c, i) => [c, row[i]])));
const instancesOf = (records: readonly InvocationRecord[]): number => new Set(records.filter((r) => r.status === 'ok').map((r) => r.instanceId)).size;

// Side by side: a slower cold start under the other run's load only makes a burst's calls overlap
// longer, and the counts asserted are of instances, not of time.
describe('experiment concurrency-scaling', () => {
  it.concurrent('a burst of N simultaneous calls starts exactly N instances, for N = 1, 2, 4, 8, 16', async ({ expect }) => {
    const { run: out, records } = await experiment('concurrency-scaling', { maxBurst: 16, sleepMs: 500 });
    expect(out).toMatchObject({ status: 'completed', error: null });
    const rows = table(out);
    expect(rows.map((r) => [r.burst, r.ok, r.instances, r['cold fraction'], r.throttled, r['other errors']])).toEqual([
      [1, 1, 1, 1, 0, 0],
      [2, 2, 2, 1, 0, 0],
      [4, 4, 4, 1, 0, 0],
      [8, 8, 8, 1, 0, 0],
      [16, 16, 16, 1, 0, 0],
    ]);
    // Every call slept 500 ms on its own instance: none can answer sooner.
    for (const r of rows) expect(r['p50 ms']).toBeGreaterThanOrEqual(500);
    // The table against the stored calls: each burst's calls went to as many distinct instances, all cold.
    expect(records).toHaveLength(1 + 2 + 4 + 8 + 16);
    for (const burst of [1, 2, 4, 8, 16]) {
      const calls = records.filter((r) => r.tag === `burst-${burst}`);
      expect(calls).toHaveLength(burst);
      expect(instancesOf(calls)).toBe(burst);
      expect(calls.every((r) => r.cold === true && r.status === 'ok')).toBe(true);
    }
    // Each burst met a fresh deployment: no instance serves two bursts.
    expect(instancesOf(records)).toBe(31);
    expect(out.result!.notes[0]).toBe('one instance per concurrent call up to 16');
  }, CLI_TEST_TIMEOUT_MS);

  it.concurrent('maxInstances 4 with a burst of 8: 4 instances serve, the platform throttles the other 4', async ({ expect }) => {
    const { run: out, records } = await experiment('concurrency-scaling', { maxBurst: 8, maxInstances: 4, sleepMs: 400 });
    expect(out).toMatchObject({ status: 'completed', error: null });
    expect(table(out).map((r) => [r.burst, r.ok, r.instances, r.throttled, r['other errors']])).toEqual([
      [1, 1, 1, 0, 0],
      [2, 2, 2, 0, 0],
      [4, 4, 4, 0, 0],
      [8, 4, 4, 4, 0],
    ]);
    const eight = records.filter((r) => r.tag === 'burst-8');
    expect(eight.filter((r) => r.status === 'throttled').map((r) => [r.httpStatus, r.errorClass])).toEqual(Array(4).fill([429, 'TooManyRequestsException']));
    expect(instancesOf(eight)).toBe(4);
    expect(out.result!.notes[0]).toBe('one instance per concurrent call up to 4; beyond maxInstances=4 the platform throttled the rest');
  }, CLI_TEST_TIMEOUT_MS);
});

describe('experiment load-spikes', () => {
  it('records every planned call, and each growing spike cold-starts exactly the instances it adds', async () => {
    // Base calls at 1, 3, 5 and 7 s; spikes of 2, 4 and 6 calls at 2, 4 and 6 s, a second from any base call.
    const { run: out, records } = await experiment('load-spikes', { baseRate: 0.5, gapS: 2, spikes: 3, firstSpike: 2, spikeStep: 2, workMs: 100 });
    expect(out).toMatchObject({ status: 'completed', error: null });
    expect(records).toHaveLength(4 + 2 + 4 + 6);
    expect(records.every((r) => r.status === 'ok')).toBe(true);
    expect(out.result!.summary).toMatchObject({ planned: 16, recorded: 16 });
    const rows = table(out);
    // The first base call starts one instance; then each spike needs its height minus what is there.
    expect(rows.map((r) => [r.window, r.height, r.calls, r['instances before'], r.needed, r.cold, r.errors])).toEqual([
      ['base', 0, 1, 0, 1, 1, 0],
      ['spike 1', 2, 3, 1, 1, 1, 0],
      ['spike 2', 4, 5, 2, 2, 2, 0],
      ['spike 3', 6, 7, 4, 2, 2, 0],
    ]);
    // Cold starts happen at the spikes, not in the base calls between them.
    expect(records.filter((r) => r.cold).map((r) => r.tag)).toEqual(['base-0', 'spike-1', 'spike-2', 'spike-2', 'spike-3', 'spike-3']);
    expect(instancesOf(records)).toBe(6);
    // A spike's p99 is a cold call: it waited for an instance to start.
    for (const r of rows.slice(1)) expect(r['p99 ms'] as number).toBeGreaterThan(r['p50 ms'] as number);
    expect(out.result!.notes[1]).toBe('3 of 3 spikes cold-started exactly the instances they needed (height minus instances already there)');
  }, 60_000);
});

describe('the plans behind them', () => {
  it('bursts double up to maxBurst and end on it', () => {
    expect(burstSizes(16)).toEqual([1, 2, 4, 8, 16]);
    expect(burstSizes(6)).toEqual([1, 2, 4, 6]);
    expect(burstSizes(1)).toEqual([1]);
  });

  it('growing spikes: base calls mid-interval, spikes on whole gaps, each call tagged with its window', () => {
    const schedule = spikeSchedule({ baseRate: 0.5, gapS: 2, spikes: 3, firstSpike: 2, spikeStep: 2 });
    expect(schedule).toEqual({ heights: [2, 4, 6], spikeAtUs: [2e6, 4e6, 6e6], durationUs: 8e6, baseCalls: 4 });
    const calls = [...spikePlan('f', { x: 1 }, 0.5, schedule)];
    expect(calls.map((c) => [c.seq, c.offsetUs / 1e6, c.tag])).toEqual([
      [0, 1, 'base-0'],
      [1, 2, 'spike-1'],
      [2, 2, 'spike-1'],
      [3, 3, 'base-1'],
      ...[4, 5, 6, 7].map((seq) => [seq, 4, 'spike-2']),
      [8, 5, 'base-2'],
      ...[9, 10, 11, 12, 13, 14].map((seq) => [seq, 6, 'spike-3']),
      [15, 7, 'base-3'],
    ]);
    expect(calls.every((c) => c.fn === 'f' && c.phase === 'measure' && JSON.stringify(c.payload) === '{"event":{"x":1}}')).toBe(true);
    // The default run: 2/s for 20 s and spikes of 4, 8, 12, 16.
    const defaults = spikeSchedule({ baseRate: 2, gapS: 4, spikes: 4, firstSpike: 4, spikeStep: 4 });
    expect([defaults.baseCalls, defaults.heights]).toEqual([40, [4, 8, 12, 16]]);
  });

  it('each sleeping function is asked to wait in its own unit', () => {
    expect(sleepingEvent('measure-node', 300)).toEqual({ cmds: { sleep: 300 } });
    expect(sleepingEvent('lab-py', 300)).toEqual({ sleep: 0.3 });
    expect(sleepingEvent('synthetic', 300)).toEqual({ durationMs: 300, memoryMb: 0 });
    expect(() => sleepingEvent('hello', 300)).toThrow('hello has no known way to sleep');
  });

  it('percentiles are nearest-rank: always a value of the sample', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile(Array.from({ length: 200 }, (_, i) => i + 1), 99)).toBe(198);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });
});
