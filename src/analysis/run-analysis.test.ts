// analyzeRun on a small hand-made run in an in-memory store: every figure checked against values
// counted by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { createPrng } from '../core/prng.ts';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import { openStore, type Store } from '../store/index.ts';
import { RUN } from '../store/testing/run-meta.ts';
import { analyzeRun, collectRun } from './run-analysis.ts';

const T0 = 1_800_000_000_000_000;
// Function a: 20 ok latencies in µs. Sorted: 30 40 50 60 70 80 90 90 90 100 110 120 130 140 180 210 250 300 450 600 (sum 3190).
const A_US = [120, 70, 30, 450, 90, 90, 210, 50, 140, 300, 80, 110, 60, 180, 90, 600, 40, 130, 100, 250];

let store: Store;
beforeEach(async () => {
  store = await openStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

function rec(runId: string, seq: number, fields: Partial<InvocationRecord>): InvocationRecord {
  const plannedUs = T0 + seq * 100_000;
  return { ...NO_FACTS, runId, seq, fn: 'a', phase: 'measure', tag: null, plannedUs, sentUs: plannedUs + 10, receivedUs: plannedUs + 1010, latencyMs: 1, status: 'ok', httpStatus: 200, errorClass: null, ...fields };
}

async function fixtureRun(): Promise<string> {
  const runId = await store.createRun(RUN);
  const records: InvocationRecord[] = [];
  let seq = 0;
  // Two warm-up calls on instance a1 (the first cold): counted apart, they make a1 warm later.
  records.push(rec(runId, seq++, { phase: 'warmup', instanceId: 'a1', cold: true, initMs: 100, latencyMs: 1.5 }));
  records.push(rec(runId, seq++, { phase: 'warmup', instanceId: 'a1', cold: false, latencyMs: 0.5 }));
  A_US.forEach((us, i) => {
    // The 4th measured call (450 µs) is a2's first: cold, with an init of 200 ms.
    const instanceId = i === 3 ? 'a2' : i % 2 === 0 ? 'a1' : i > 3 ? 'a2' : 'a1';
    records.push(rec(runId, seq++, { latencyMs: us / 1000, instanceId, cold: i === 3, initMs: i === 3 ? 200 : null, billedMs: 1, memoryMb: 128, durationMs: us / 2000, maxMemoryMb: 40 + i }));
  });
  records.push(rec(runId, seq++, { status: 'throttled', httpStatus: 429, errorClass: 'TooManyRequestsException', latencyMs: 0.2 }));
  const late = seq++;
  records.push(rec(runId, late, { status: 'throttled', httpStatus: 429, errorClass: 'TooManyRequestsException', latencyMs: 0.2, sentUs: T0 + late * 100_000 + 5010 }));
  records.push(rec(runId, seq++, { status: 'function-error', httpStatus: 200, errorClass: 'Error', latencyMs: 0.9, instanceId: 'a1', cold: false, billedMs: 2, memoryMb: 128 }));
  records.push(rec(runId, seq++, { status: 'dropped', httpStatus: null, sentUs: null, receivedUs: null, latencyMs: null }));
  // Function b: no ground truth; instance ids show one instance, cold on its first call.
  [300, 1, 1.2, 0.9, 1.1, 1, 1.3, 0.8, 1, 1.05].forEach((latencyMs) => records.push(rec(runId, seq++, { fn: 'b', latencyMs, instanceId: 'b1' })));
  await store.appendRecords(records);
  await store.addRecord(runId, 'tree', { depth: 1, tree: { function_name: 'lab', identifier: 'x', cold: true, start: 1000, end: 1100, nested: [{ function_name: 'lab', identifier: 'y', cold: true, start: 1010, end: 1090, nested: [] }] } });
  await store.addRecord(runId, 'note', { text: 'not a tree' });
  await store.flush();
  return runId;
}

/** The brute-force bootstrap median interval (as bootstrap.test.ts), for the figures below. */
function bruteMedianCi(values: readonly number[], seed: number, key: string, B: number): { lo: number; hi: number } {
  const sorted = [...values].sort((x, y) => x - y);
  const prng = createPrng(seed, key);
  const n = sorted.length;
  const stats: number[] = [];
  for (let b = 0; b < B; b++) {
    const r = Array.from({ length: n }, () => sorted[prng.int(0, n - 1)]!).sort((x, y) => x - y);
    stats.push(r[Math.ceil(n / 2) - 1]!);
  }
  stats.sort((x, y) => x - y);
  return { lo: stats[Math.ceil(0.025 * B) - 1]!, hi: stats[Math.ceil(0.975 * B) - 1]! };
}

describe('analyzeRun', () => {
  it('counts calls, errors by class, throttles and drops, measure phase only', async () => {
    const a = (await analyzeRun(store, await fixtureRun(), { resamples: 500 })).functions.find((f) => f.fn === 'a')!;
    expect(a).toMatchObject({ calls: 24, warmupCalls: 2, ok: 20, failed: 4, errors: 1, throttles: 2, dropped: 1, unknown: 0 });
    expect(a.byStatus).toEqual({ ok: 20, throttled: 2, 'function-error': 1, dropped: 1 });
    expect(a.errorClasses).toEqual({ TooManyRequestsException: 2, Error: 1 });
  });

  it('gives exact nearest-rank latency percentiles of ok calls', async () => {
    const a = (await analyzeRun(store, await fixtureRun(), { resamples: 500 })).functions.find((f) => f.fn === 'a')!;
    // Ranks of 20: p50 -> 10th (100 µs), p90 -> 18th (300), p99 and p99.9 -> 20th (600).
    expect(a.latencyMs).toMatchObject({ count: 20, min: 0.03, p50: 0.1, p90: 0.3, p99: 0.6, p999: 0.6, max: 0.6, precision: 'exact' });
    expect(a.latencyMs!.mean).toBeCloseTo(0.1595, 12);
    // Platform durations (half of each latency) and the largest max memory.
    expect(a.durationMs).toMatchObject({ count: 20, p50: 0.05, max: 0.3 });
    expect(a.maxMemoryMb).toBe(59);
  });

  it('bootstraps the median with the given seed; no p99 interval below 100 calls', async () => {
    const a = (await analyzeRun(store, await fixtureRun(), { resamples: 500, seed: 9 })).functions.find((f) => f.fn === 'a')!;
    const expected = bruteMedianCi(A_US.map((us) => us / 1000), 9, 'latency:a', 500);
    expect(a.latencyCi).toEqual({ level: 0.95, resamples: 500, sample: 20, n: 20, p50: expected, p99: null });
    expect(a.latencyCi!.p50!.lo).toBeLessThanOrEqual(0.1);
    expect(a.latencyCi!.p50!.hi).toBeGreaterThanOrEqual(0.1);
  });

  it('takes cold starts from the platform where it says, and infers them where it does not', async () => {
    const analysis = await analyzeRun(store, await fixtureRun(), { resamples: 200 });
    const [a, b] = analysis.functions;
    // a: measured calls with ground truth: 1 cold (450 µs), 20 warm (19 ok + the function error).
    expect(a!.coldStart).toMatchObject({ source: 'platform', cold: 1, warm: 20, unknown: 0, rate: 1 / 21 });
    expect(a!.coldStart.coldLatencyMs).toMatchObject({ count: 1, p50: 0.45 });
    expect(a!.coldStart.warmLatencyMs).toMatchObject({ count: 19, p50: 0.1, max: 0.6 });
    // Init: of measured cold calls only (the warm-up's 100 ms is left out); one value is every percentile.
    expect(a!.coldStart.initMs).toMatchObject({ count: 1, p50: 200, p999: 200, max: 200, precision: 'exact' });
    // b: no ground truth: by instance id, the first of its 10 calls.
    expect(b!.coldStart).toMatchObject({ source: 'inferred', cold: 1, warm: 9, rate: 0.1 });
    expect(b!.coldStart.coldLatencyMs).toMatchObject({ count: 1, p50: 300, precision: 'exact' });
    expect(analysis.total.coldStart).toMatchObject({ source: 'mixed', cold: 2, warm: 29 });
  });

  it('checks the inference against ground truth where there is some', async () => {
    const { inference } = await analyzeRun(store, await fixtureRun(), { resamples: 200 });
    // a: every call with an instance id (2 warm-up + 20 + the function error) has truth; a1's
    // first call and a2's first call are the cold ones: all 23 agree.
    expect(inference.functions[0]!.instanceId).toEqual({ method: 'instance-id', classified: 23, inferredCold: 2, compared: 23, agree: 23, accuracy: 1 });
    expect(inference.functions[1]!.instanceId).toMatchObject({ classified: 10, inferredCold: 1, compared: 0, accuracy: null });
    expect(inference.chosen).toMatchObject({ methods: ['instance-id'], compared: 23, agree: 23, accuracy: 1 });
  });

  it('reports lateness, instances, billing and call trees', async () => {
    const analysis = await analyzeRun(store, await fixtureRun(), { resamples: 200, bucketMs: 1000 });
    const a = analysis.functions[0]!;
    // 23 sent calls: 22 are 10 µs late, one 5,010 µs (p99: rank 23, the top of its 4 µs bucket,
    // 5,008-5,011, capped at the exact max); p90 rank 21 -> 10 µs.
    expect(a.latenessMs).toMatchObject({ count: 23, p50: 0.01, p90: 0.01, p99: 5.01, max: 5.01 });
    expect(a.instances).toEqual({ count: 2, peak: 2 });
    // The test run's provider is priced as Lambda x86_64: 22 ms at 128 MB and 21 requests.
    const gbSeconds = (22 * 128) / 1024 / 1000;
    expect(a.billing).toEqual({ calls: 21, billedMs: 22, gbSeconds, costUsd: gbSeconds * 0.0000166667 + (21 * 0.2) / 1_000_000 });
    expect(analysis.total).toMatchObject({ fn: '*', calls: 34, ok: 30, instances: { count: 3 } });
    expect(analysis.callTrees).toEqual([
      {
        kind: 'tree',
        nodes: 2,
        failed: 0,
        depth: 1,
        coldNodes: 2,
        instances: 2,
        rootMs: 100,
        sumSelfMs: 100,
        criticalPath: [
          { path: '', function: 'lab', identifier: 'x', cold: true, spanMs: 100, exclusiveMs: 20 },
          { path: '0', function: 'lab', identifier: 'y', cold: true, spanMs: 80, exclusiveMs: 80 },
        ],
      },
    ]);
  });

  it('keeps a bounded reservoir for large runs and rescales its interval', async () => {
    const runId = await store.createRun(RUN);
    const prng = createPrng(4, 'big');
    const records = Array.from({ length: 3000 }, (_, seq) => rec(runId, seq, { latencyMs: 1 + prng.next() }));
    await store.appendRecords(records);
    await store.flush();
    const small = await collectRun(store, runId, { maxSample: 500, resamples: 300 });
    const ci = small.analysis.functions[0]!.latencyCi!;
    expect([ci.sample, ci.n]).toEqual([500, 3000]);
    expect(small.samples.get('a')!.sorted.length).toBe(500);
    const p50 = small.analysis.functions[0]!.latencyMs!.p50;
    expect(ci.p50!.lo).toBeLessThan(p50);
    expect(ci.p50!.hi).toBeGreaterThan(p50);
    // Uniform on 1-2 ms, n = 3000: the median's standard error is about 0.0091 ms; the 95% interval about ±0.018.
    expect(ci.p50!.hi - ci.p50!.lo).toBeGreaterThan(0.02);
    expect(ci.p50!.hi - ci.p50!.lo).toBeLessThan(0.06);
  });

  it('says no run for an unknown id, and gives zeros for an empty run', async () => {
    await expect(analyzeRun(store, 'nope')).rejects.toSatisfy((err: unknown) => isFaasbenchError(err, 'ResourceNotFound') && /no run nope/.test((err as Error).message));
    const empty = await analyzeRun(store, await store.createRun(RUN));
    expect(empty.total).toMatchObject({ calls: 0, latencyMs: null, latencyCi: null, coldStart: { source: 'none', rate: null } });
    expect(empty.functions).toEqual([]);
    expect(empty.timeline.buckets).toBe(0);
  });
});
