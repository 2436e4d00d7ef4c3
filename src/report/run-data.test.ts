// readRunData over a real (in-memory SQLite) store: figures per function and for the run, chart
// inputs, the bounds on what a large run keeps, and the experiment-specific charts it finds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { openStore } from '../store/open.ts';
import type { RunMeta, Store } from '../store/store.ts';
import { readRunData, runCharts } from './run-data.ts';

const T0 = 1_784_000_000_000_000;
const RUN: RunMeta = { kind: 'invoke', name: 'f', provider: 'local', toolVersion: '0.1.0-test' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-run-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: Store;
beforeEach(async () => {
  store = await openStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

/** Call `seq`, planned 100 ms apart, sent 50 µs late, answered after `latencyMs`. */
function call(runId: string, seq: number, over: Partial<InvocationRecord> = {}): InvocationRecord {
  const plannedUs = T0 + seq * 100_000;
  const latencyMs = over.latencyMs === undefined ? 10 : over.latencyMs;
  const sentUs = over.sentUs === undefined ? plannedUs + 50 : over.sentUs;
  return {
    runId,
    seq,
    fn: 'a',
    phase: 'measure',
    tag: null,
    plannedUs,
    sentUs,
    receivedUs: latencyMs === null || sentUs === null ? null : sentUs + latencyMs * 1000,
    latencyMs,
    status: 'ok',
    httpStatus: 200,
    errorClass: null,
    requestId: null,
    instanceId: 'a1',
    cold: false,
    initMs: null,
    durationMs: null,
    billedMs: null,
    memoryMb: 128,
    maxMemoryMb: null,
    ...over,
  };
}

async function runWith(meta: RunMeta, build: (id: string) => InvocationRecord[]): Promise<string> {
  const id = await store.createRun(meta);
  await store.appendRecords(build(id));
  await store.flush();
  return id;
}

describe('readRunData', () => {
  it('gives per-function and whole-run figures of measure-phase calls, and the chart inputs', async () => {
    const id = await runWith(RUN, (r) => [
      call(r, 0, { phase: 'warmup', latencyMs: 900, cold: true }),
      ...[10, 20, 30, 40, 50].map((latencyMs, i) => call(r, i + 1, { latencyMs, cold: i === 0 })),
      call(r, 6, { status: 'throttled', httpStatus: 429, errorClass: 'TooManyRequestsException', latencyMs: 2, instanceId: null, cold: null }),
      call(r, 7, { fn: 'b', latencyMs: 7, instanceId: null, cold: null }),
      call(r, 8, { fn: 'b', latencyMs: 5, instanceId: null, cold: null, sentUs: T0 + 800_000 - 10 }),
      call(r, 9, { fn: 'b', status: 'dropped', sentUs: null, latencyMs: null, instanceId: null, cold: null }),
    ]);
    const data = await readRunData(store, id);
    expect(data.records).toBe(10);
    expect(data.byStatus).toEqual({ ok: 8, throttled: 1, dropped: 1 });
    expect(data.functions).toEqual([
      {
        fn: 'a',
        calls: 6,
        warmupCalls: 1,
        byStatus: { ok: 5, throttled: 1 },
        ok: 5,
        failed: 1,
        errorClasses: { TooManyRequestsException: 1 },
        cold: 1,
        warm: 4,
        latencyMs: { count: 5, min: 10, p50: 30, p90: 50, p99: 50, p999: 50, max: 50, mean: 30, precision: 'exact' },
      },
      { fn: 'b', calls: 3, warmupCalls: 0, byStatus: { ok: 2, dropped: 1 }, ok: 2, failed: 1, errorClasses: {}, cold: 0, warm: 0, latencyMs: { count: 2, min: 5, p50: 5, p90: 7, p99: 7, p999: 7, max: 7, mean: 6, precision: 'exact' } },
    ]);
    expect(data.total).toMatchObject({ fn: '*', calls: 9, warmupCalls: 1, byStatus: { ok: 7, throttled: 1, dropped: 1 }, latencyMs: { count: 7, min: 5, p50: 20, max: 50, precision: 'exact' } });

    expect(data.cdf.calls).toEqual({ a: 5, b: 2 });
    expect(data.cdf.points.filter((p) => p.fn === 'b')).toEqual([
      { fn: 'b', latencyMs: 5, fraction: 0 },
      { fn: 'b', latencyMs: 5, fraction: 0.5 },
      { fn: 'b', latencyMs: 7, fraction: 1 },
    ]);
    expect(data.cdf.method).toBe('exact: every call counted');
    // Time 0 is the warm-up call's send; cold starts come last.
    expect(data.overTime.points.map((p) => [p.fn, p.tS, p.latencyMs, p.cold])).toEqual([
      ['a', 0.2, 20, false],
      ['a', 0.3, 30, false],
      ['a', 0.4, 40, false],
      ['a', 0.5, 50, false],
      ['b', 0.7, 7, null],
      ['b', 0.79994, 5, null],
      ['a', 0.1, 10, true],
    ]);
    expect(data.overTime.sampling).toEqual({ cold: { total: 1, stride: 1 }, other: { total: 6, stride: 1 } });
    // a1 lives from the warm-up's send (time 0) to its answer 900 ms later: 900 ms over at most 200 buckets is 5 ms each.
    expect(data.instances).toMatchObject({ startUs: T0 + 50, bucketMs: 5, count: 1 });
    expect(data.instances!.functions).toHaveLength(1);
    expect(data.instances!.functions[0]!.live).toEqual(new Array(181).fill(1));
    expect(data.lateness).toMatchObject({ total: 8, belowFloor: 1 });
    expect(data.lateness.bins.reduce((s, b) => s + b.count, 0)).toBe(8);
    expect(data.dropped).toBe(1);
    expect(data.notes).toEqual(['1 warm-up call left out of the latency figures and charts (they count in the instances chart).']);
    expect(runCharts(data).map((c) => c.name)).toEqual(['latency-cdf', 'latency-over-time', 'instances-over-time', 'lateness']);
  });

  it('gives exact nearest-rank percentiles of a larger run, and a CDF at evenly spaced ranks', async () => {
    const id = await runWith(RUN, (r) => Array.from({ length: 1000 }, (_, i) => call(r, i, { latencyMs: 1 + i / 10 })));
    const data = await readRunData(store, id);
    const latency = data.functions[0]!.latencyMs!;
    // Nearest rank: the 500th of 1.0, 1.1, ... is 50.9; the 999th 100.8.
    expect(latency).toMatchObject({ count: 1000, min: 1, p50: 50.9, p999: 100.8, max: 100.9, precision: 'exact' });
    expect(latency.mean).toBeCloseTo(50.95, 9);
    expect(data.cdf.method).toBe('exact: every call counted');
    expect(data.cdf.points.at(-1)).toEqual({ fn: 'a', latencyMs: 100.9, fraction: 1 });
  });

  it('keeps every k-th call for the scatter, k a power of two, whatever the run size', async () => {
    const id = await runWith(RUN, (r) => Array.from({ length: 100 }, (_, i) => call(r, i)));
    const data = await readRunData(store, id, { maxPoints: 8 });
    expect(data.overTime.sampling.other).toEqual({ total: 100, stride: 16 });
    expect(data.overTime.points.map((p) => p.tS)).toEqual([0, 1.6, 3.2, 4.8, 6.4, 8, 9.6]);
    expect(data.functions[0]!.latencyMs!.count).toBe(100);
  });

  it("finds a memory sweep's sizes and recommendation in its experiment rows", async () => {
    const id = await runWith({ ...RUN, kind: 'experiment', name: 'memory-sweep' }, (r) => [call(r, 0)]);
    await store.addRecord(id, 'size', { memoryMb: 128, averageBilledMs: 400, medianDurationMs: 398, costUsd: 8.6e-7, ok: 5 });
    await store.addRecord(id, 'size', { memoryMb: 256, averageBilledMs: 190, medianDurationMs: 189, costUsd: 8.1e-7, ok: 5 });
    await store.addRecord(id, 'size', { memoryMb: 512, averageBilledMs: null, costUsd: null, ok: 0 });
    await store.addRecord(id, 'size', { memoryMb: 1024, ioMBps: [12] });
    await store.addRecord(id, 'result', { columns: [], rows: [], summary: { strategy: 'cost', recommendation: { memoryMb: 256, durationMs: 190, costUsd: 8.1e-7 }, pricedAs: 'aws-lambda/x86_64' } });
    const data = await readRunData(store, id);
    expect(data.memorySweep).toEqual({
      rows: [
        { memoryMb: 128, durationMs: 400, costUsd: 8.6e-7 },
        { memoryMb: 256, durationMs: 190, costUsd: 8.1e-7 },
      ],
      options: { durationLabel: 'average billed duration (ms)', recommended: { memoryMb: 256, by: 'cost' }, note: 'cost priced as aws-lambda/x86_64, request price included' },
    });
    expect(runCharts(data)[0]!.name).toBe('memory-sweep');
  });

  it("draws an experiment's declared charts first, and its steps' calls as one series per tag", async () => {
    const id = await runWith({ ...RUN, kind: 'experiment', name: 'concurrency-scaling' }, (r) => [
      call(r, 0, { tag: 'burst-2', latencyMs: 30, cold: true, instanceId: 'x' }),
      call(r, 1, { tag: 'burst-2', latencyMs: 31, cold: true, instanceId: 'y' }),
      call(r, 2, { tag: 'burst-1', latencyMs: 5, instanceId: 'x' }),
    ]);
    const chart = { title: 'scaling', mark: 'line', x: { column: 'burst' }, y: { column: 'instances' } };
    await store.addRecord(id, 'result', { columns: ['burst', 'instances'], rows: [[1, 1], [2, 2]], notes: ['n'], charts: [chart] });
    const data = await readRunData(store, id);
    expect(data.result).toEqual({ columns: ['burst', 'instances'], rows: [[1, 1], [2, 2]], notes: ['n'], tables: [], charts: [chart] });
    expect(data.series).toEqual({ title: 'step (call tag)', order: ['burst-2', 'burst-1'] });
    expect(data.cdf.calls).toEqual({ 'burst-2': 2, 'burst-1': 1 });
    expect(data.steps).toEqual([
      { step: 'burst-2', calls: 2, instances: 2, cold: 2 },
      { step: 'burst-1', calls: 1, instances: 1, cold: 0 },
    ]);
    expect(data.overTime.points.map((p) => p.fn)).toEqual(['burst-1', 'burst-2', 'burst-2']);
    expect(runCharts(data).map((c) => [c.name, c.group])).toEqual([
      ['result-1-scaling', 'result'],
      ['latency-cdf', 'calls'],
      ['latency-over-time', 'calls'],
      ['instances-per-step', 'calls'],
      ['lateness', 'calls'],
    ]);
  });

  it("reads a trace replay's mapping from the path in its params, and says so when it is gone", async () => {
    const file = path.join(dir, 'mapping.json');
    const entry = { key: { owner: 'o', app: 'a', fn: 'f' }, trigger: 'http', traceDurationP75Ms: 10, traceMemoryP75Mb: 120, proxy: '110.dynamic-html:test', proxyDurationP75Ms: 12, proxyMemoryP75Mb: 100, durationError: 0.2, memoryError: 0.17, distance: 0.3 };
    writeFileSync(file, JSON.stringify({ version: 1, method: 'nearest', maxError: null, entries: [entry] }));
    const replay = await runWith({ ...RUN, kind: 'trace-replay', params: { mapping: file } }, (r) => [call(r, 0)]);
    const data = await readRunData(store, replay);
    expect(data.mapping).toEqual({ file, entries: [entry] });
    expect(runCharts(data).slice(-3).map((c) => c.name)).toEqual(['trace-duration-histogram', 'trace-memory-histogram', 'trace-memory-duration']);

    const gone = path.join(dir, 'gone.json');
    const experiment = await runWith({ ...RUN, kind: 'experiment', name: 'trace-replay', params: { experiment: 'trace-replay', values: { mapping: gone } } }, (r) => [call(r, 0)]);
    const without = await readRunData(store, experiment);
    expect(without.mapping).toBeNull();
    expect(without.notes).toEqual([`The replay's mapping could not be read, so its trace-vs-proxy charts are left out: ${gone}: cannot read the mapping (ENOENT); write one with faasbench trace map`]);
  });

  it('has no charts for a run without records, and names an unknown run', async () => {
    const id = await store.createRun(RUN);
    const data = await readRunData(store, id);
    expect([data.records, data.functions, data.total, data.instances, runCharts(data)]).toEqual([0, [], null, null, []]);
    const err = await readRunData(store, 'nope').catch((e: unknown) => e);
    expect(isFaasbenchError(err, 'ResourceNotFound')).toBe(true);
    expect((err as Error).message).toBe('no run nope in the store (see faasbench runs)');
  });
});
