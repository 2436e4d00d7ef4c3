// compareRuns on two in-memory runs, and the proportion intervals against Newcombe's published tables.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrng } from '../core/prng.ts';
import { isFaasbenchError } from '../core/errors.ts';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import { openStore, type Store } from '../store/index.ts';
import { RUN } from '../store/testing/run-meta.ts';
import { bootstrapDifference } from './bootstrap.ts';
import { collectRun } from './run-analysis.ts';
import { compareRuns, normalQuantile, proportionDifference, wilson } from './compare.ts';

const round4 = (x: { lo: number; hi: number }): [number, number] => [Math.round(x.lo * 1e4) / 1e4, Math.round(x.hi * 1e4) / 1e4];

describe('proportion intervals', () => {
  it('Wilson intervals match Newcombe (1998a), Table I', () => {
    expect(round4(wilson(81, 263))).toEqual([0.2553, 0.3662]);
    expect(round4(wilson(15, 148))).toEqual([0.0624, 0.1605]);
    expect(round4(wilson(0, 20))).toEqual([0, 0.1611]);
    expect(round4(wilson(1, 29))).toEqual([0.0061, 0.1718]);
  });

  it('differences match Newcombe (1998b), Table II, method 10', () => {
    // 56/70 - 48/80 = 0.2: 0.0524 to 0.3339; 6/7 - 2/7: 0.0582 to 0.8062 (here as a - b, negated).
    expect(round4(proportionDifference(48, 80, 56, 70)!)).toEqual([0.0524, 0.3339]);
    expect(round4(proportionDifference(6, 7, 2, 7)!)).toEqual([-0.8062, -0.0582]);
    expect(proportionDifference(0, 10, 0, 20)).toMatchObject({ estimate: 0, significant: false });
    expect(proportionDifference(0, 0, 1, 2)).toBeNull();
  });

  it('normalQuantile gives the usual z values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
  });
});

describe('compareRuns', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  /** A run of `n` ok calls of `fn` with latencies base + U(0, 1) ms, the first `cold` of them cold. */
  async function run(fn: string, n: number, baseMs: number, cold: number, seed: number): Promise<string> {
    const runId = await store.createRun(RUN);
    const prng = createPrng(seed, 'compare');
    const records = Array.from({ length: n }, (_, seq): InvocationRecord => {
      const plannedUs = 1_800_000_000_000_000 + seq * 1000;
      return { ...NO_FACTS, runId, seq, fn, phase: 'measure', tag: null, plannedUs, sentUs: plannedUs, receivedUs: plannedUs + 1, latencyMs: baseMs + prng.next(), status: 'ok', httpStatus: 200, errorClass: null, cold: seq < cold };
    });
    await store.appendRecords(records);
    await store.flush();
    return runId;
  }

  it('flags a shifted median and p99 and a changed cold rate as significant, with the bootstrap CI of the difference', async () => {
    const a = await run('f', 400, 1, 4, 1);
    const b = await run('f', 400, 1.5, 80, 2);
    const cmp = await compareRuns(store, a, b, { resamples: 400, seed: 3 });
    expect(cmp.functions.map((f) => f.fn)).toEqual(['*', 'f']);
    const f = cmp.functions[1]!;
    expect(f.median).toMatchObject({ p: 50, significant: true });
    // A 0.5 ms shift; each median's standard error is about 0.025 ms at n = 400.
    expect(f.median!.estimate).toBeGreaterThan(0.4);
    expect(f.median!.estimate).toBeLessThan(0.6);
    expect(f.median!.lo).toBeGreaterThan(0.3);
    expect(f.p99).toMatchObject({ p: 99, significant: true });
    expect(f.coldRate).toMatchObject({ a: 0.01, b: 0.2, significant: true });
    expect(f.failureRate).toMatchObject({ a: 0, b: 0, significant: false });
    // The interval is exactly bootstrapDifference over the two reservoirs, centred on the exact figures.
    const ca = await collectRun(store, a);
    const cb = await collectRun(store, b);
    const fa = ca.analysis.functions[0]!.latencyMs!;
    const fb = cb.analysis.functions[0]!.latencyMs!;
    const direct = bootstrapDifference({ ...ca.samples.get('f')!, estimates: [fa.p50, fa.p99] }, { ...cb.samples.get('f')!, estimates: [fb.p50, fb.p99] }, [50, 99], { seed: 3, key: 'compare:f', resamples: 400 })!;
    expect([f.median, f.p99]).toEqual(direct.differences);
    expect(f.verdicts).toEqual({ median: 'slower', p99: 'slower', coldRate: 'higher', failureRate: 'no significant change' });
    // One function in both runs and no other: the run-wide row would repeat it.
    expect(cmp.shown).toEqual(['f']);
    expect(cmp.results).toBeNull();
  });

  it('does not flag two runs drawn from the same distribution', async () => {
    const cmp = await compareRuns(store, await run('f', 300, 1, 3, 4), await run('f', 300, 1, 3, 5), { resamples: 400 });
    const f = cmp.functions[1]!;
    expect([f.median!.significant, f.p99!.significant, f.coldRate!.significant]).toEqual([false, false, false]);
    expect(f.median!.lo).toBeLessThan(0);
    expect(f.median!.hi).toBeGreaterThan(0);
  });

  it('lists functions in one run only, and leaves intervals out when calls are too few', async () => {
    const cmp = await compareRuns(store, await run('f', 50, 1, 1, 1), await run('g', 5, 1, 1, 2), { resamples: 100 });
    expect([cmp.onlyInA, cmp.onlyInB]).toEqual([['f'], ['g']]);
    expect(cmp.functions.map((f) => f.fn)).toEqual(['*']);
    expect(cmp.shown).toEqual(['*']);
    expect(cmp.functions[0]!.verdicts).toMatchObject({ median: null, p99: null });
    // 50 and 5 ok calls: fewer than 10 on one side: no latency interval at all.
    expect([cmp.functions[0]!.median, cmp.functions[0]!.p99]).toEqual([null, null]);
  });

  it('two experiment runs: their stored result tables compared, the last result row of each', async () => {
    const a = await run('f', 5, 1, 1, 1);
    const b = await run('f', 5, 1, 1, 2);
    await store.addRecord(a, 'result', { columns: ['memory MB', 'avg billed ms'], rows: [[128, 10]] });
    await store.addRecord(a, 'result', { columns: ['memory MB', 'avg billed ms'], rows: [[128, 20]] });
    await store.addRecord(b, 'size', { memoryMb: 128 });
    await store.addRecord(b, 'result', { columns: ['memory MB', 'avg billed ms'], rows: [[128, 15]] });
    const cmp = await compareRuns(store, a, b, { resamples: 100 });
    expect(cmp.results).toEqual({
      tables: [{ name: 'result', title: 'result', keyColumns: ['memory MB'], rows: [{ key: [128], cells: [{ column: 'avg billed ms', a: 20, b: 15, change: -5, percent: -25 }] }], onlyInA: [], onlyInB: [], columnsOnlyInA: [], columnsOnlyInB: [] }],
      tablesOnlyInA: [],
      tablesOnlyInB: [],
    });
  });

  it('names an unknown run', async () => {
    const a = await run('f', 5, 1, 1, 1);
    await expect(compareRuns(store, a, 'missing-run')).rejects.toSatisfy((err: unknown) => isFaasbenchError(err, 'ResourceNotFound') && (err as Error).message.includes('missing-run'));
  });
});
