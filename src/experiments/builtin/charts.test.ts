// Every built-in's answer charts draw from its own stored rows: each result builder runs on small
// fixed rows (the shapes a run produces, nulls included), and every chart must name a table and
// columns that exist, with numbers where it draws a scale. The result must also survive a JSON
// round trip unchanged, since the views read it back from the store.
import { describe, expect, it } from 'vitest';
import { NO_FACTS, type InvocationRecord } from '../../core/invocation-record.ts';
import { pricingFor } from '../../analysis/pricing.ts';
import type { ExperimentResult } from '../define.ts';
import { BUILTIN_NAMES } from '../registry.ts';
import { resultProblems } from '../result-check.ts';
import coldStart, { group, resultOf as coldStartResult, type ClassifiedCall } from './cold-start.ts';
import scaling, { resultOf as scalingResult, summarise } from './concurrency-scaling.ts';
import cpuShare, { resultOf as cpuShareResult } from './cpu-share.ts';
import eviction, { resultOf as evictionResult } from './eviction-model.ts';
import idle, { resultOf as idleResult } from './idle-timeout.ts';
import overhead, { resultOf as overheadResult, summarise as overheadRow } from './invocation-overhead.ts';
import ioNet, { resultOf as ioNetResult } from './io-net.ts';
import spikes, { resultOf as spikesResult, windowRows } from './load-spikes.ts';
import sweep, { resultOf as sweepResult } from './memory-sweep.ts';
import nested, { resultOf as nestedResult, treeFigures, treeSize, type LabNode } from './nested-chain.ts';
import { resultOf as replayResult } from './trace-replay.ts';
import { resultOf as memoryResult } from './memory.ts';
import { resultOf as diskIoResult } from './disk-io.ts';
import { resultOf as countersResult } from './counters.ts';
import { measurementFixture } from '../function-measurements.fixture.ts';
import replay from './trace-replay.ts';

function record(seq: number, over: Partial<InvocationRecord> = {}): InvocationRecord {
  return { ...NO_FACTS, runId: 'run', seq, fn: 'f', phase: 'measure', tag: null, plannedUs: seq * 1000, sentUs: seq * 1000, receivedUs: seq * 1000 + 5000, latencyMs: 5 + seq, status: 'ok', httpStatus: 200, errorClass: null, durationMs: 3 + seq, billedMs: 4 + seq, ...over };
}

const limit = { kind: 'cgroup-v2', vcpus: 0.5 } as const;

function classified(seq: number, memoryMb: number, call: number, over: Partial<ClassifiedCall> = {}): ClassifiedCall {
  return { seq, runtime: 'measure-node', memoryMb, provisioned: false, repetition: 0, call, instance: `i${memoryMb}`, instId: null, initType: null, cold: call === 0, platformCold: call === 0, phase: 'measure', status: 'ok', latencyMs: call === 0 ? 300 : 10, initMs: call === 0 ? 200 : null, ...over };
}

const leaf = (id: string, start: number, end: number, nested: LabNode[] = []): LabNode => ({ identifier: id, cold: true, start, end, sleep_time: 0.05, nested });

/** Each built-in's result from fixed rows, by name. */
const RESULTS: Record<string, () => ExperimentResult> = {
  'cold-start': () => {
    const p = coldStart.params.parse({ memorySizes: [128, 512], repetitions: 1, warmCalls: 1 });
    const calls = [classified(0, 128, 0), classified(1, 128, 1), classified(2, 512, 0), classified(3, 512, 1, { status: 'function-error', latencyMs: null })];
    return coldStartResult([group('measure-node', 128, calls), group('measure-node', 512, calls)], calls, p, null);
  },
  'concurrency-scaling': () => {
    const p = scaling.params.parse({ maxBurst: 2 });
    const stat = (id: string): unknown => ({ stat: { exist_id: id, new_id: id } });
    const rows = [summarise(1, [record(0)], [stat('a')]), summarise(2, [record(1), record(2, { status: 'throttled', latencyMs: null })], [stat('b'), null])];
    return scalingResult(rows, p, 'aws-lambda');
  },
  'idle-timeout': () => {
    const p = idle.params.parse({});
    const probe = (n: number, gapS: number, survived: boolean, lo: number, hi: number | null) => ({ probe: n, phase: hi === null ? ('coarse' as const) : ('fine' as const), plannedGapS: gapS, gapS, survived, platformSurvived: survived, before: 'a', after: survived ? 'a' : 'b', lo, hi });
    return idleResult({ probes: [probe(1, 1, true, 1, null), probe(2, 2, false, 1, 2), probe(3, 1.5, true, 1.5, 2)], lo: 1.5, hi: 2, inconsistent: false }, p, false);
  },
  'eviction-model': () => {
    const p = eviction.params.parse({ waitsS: [1, 4] });
    const row = (waitS: number, survivors: number) => ({ waitS, started: 4, survivors, fresh: 4 - survivors, other: 0, idleS: waitS + 0.01, endSpreadMs: null });
    return evictionResult([row(1, 4), row(4, 0)], p, false);
  },
  'load-spikes': () => {
    const p = spikes.params.parse({ spikes: 1 });
    const records = [record(0, { tag: 'base-0', cold: true, instanceId: 'a' }), record(1, { tag: 'spike-1', cold: true, instanceId: 'b' }), record(2, { tag: 'spike-1', instanceId: 'a', cold: false })];
    const rows = windowRows(records, [2], 1);
    return spikesResult(rows, 3, 3, 'completed', p, 'local');
  },
  'invocation-overhead': () => {
    const p = overhead.params.parse({});
    const rows = [overheadRow(1024, [{ record: record(0), answerBytes: 1024 }]), overheadRow(7 * 1024 * 1024, [{ record: record(1, { status: 'rejected', errorClass: 'RequestTooLargeException', latencyMs: 2, durationMs: null }), answerBytes: null }])];
    return overheadResult(rows, p);
  },
  'nested-chain': () => {
    const p = nested.params.parse({ depths: [1], fanouts: [1] });
    const tree = leaf('a', 0, 200, [leaf('b', 60, 130)]);
    const row = (call: number) => ({ depth: 1, fanout: 1, call, expectedNodes: treeSize(1, 1), latencyMs: 210, status: 'ok', identifiesInstances: true, ...treeFigures(tree) });
    return nestedResult([row(0), row(1)], [tree, tree], [], p);
  },
  'memory-sweep': () => {
    const p = sweep.params.parse({ sizes: [128, 256] });
    const size = (memoryMb: number, billed: number[]) => ({ memoryMb, cpuLimit: limit, billedMs: billed, ok: billed.length, errors: null, averageBilledMs: billed.length ? billed[0]! : null, medianDurationMs: billed[0] ?? null, costUsd: billed.length ? 1e-6 * billed[0]! : null });
    return sweepResult([size(128, [40, 41]), size(256, [])], p, pricingFor('local'), 'local');
  },
  'cpu-share': () => {
    const p = cpuShare.params.parse({ sizes: [128, 1769] });
    const size = (memoryMb: number, share: number | null) => ({ memoryMb, cpuLimit: limit, expectedShare: Math.min(1, memoryMb / 1769), share, minShare: share, maxShare: share, medianGapMs: null, cpuuN: 1000, cpuMs: share === null ? null : 35 / share, ok: share === null ? 0 : 3, errors: null });
    return cpuShareResult([size(128, 0.07), size(1769, 0.98)], p, 'local');
  },
  'io-net': () => {
    const p = ioNet.params.parse({ sizes: [128, 256] });
    const size = (memoryMb: number, bps: number | null) => ({ memoryMb, ioMBps: [50, 60], bps, meanRttUs: bps && 40, minRttUs: bps && 20, maxRttUs: bps && 90, errors: bps === null ? 'net not measured' : null });
    return ioNetResult([size(128, 1e9), size(256, null)], p, { host: '127.0.0.1', port: 5201, process: null });
  },
  'trace-replay': () => {
    replay.params.parse({});
    const row = (fn: string, replayP50Ms: number | null) => ({ function: fn, proxy: 'synthetic', traceCalls: 10, recorded: 10, ok: 10, cold: 1, traceP50Ms: 120, replayP50Ms });
    return replayResult([row('0a1b2c3d4e5f', 118), row('ffeeddccbbaa', null)], 20, 20);
  },
  memory: () => memoryResult(measurementFixture(), { functions: ['footprint'], inputs: ['test', 'small'], calls: 2 }),
  'disk-io': () => diskIoResult(measurementFixture(), { functions: ['footprint'], inputs: ['test', 'small'], calls: 2 }),
  counters: () => countersResult(measurementFixture(), { functions: ['footprint'], inputs: ['test', 'small'], calls: 2 }),
};

describe("the built-ins' answer charts", () => {
  it('every built-in has a result fixture here', () => {
    expect(Object.keys(RESULTS).sort()).toEqual([...BUILTIN_NAMES].sort());
  });

  for (const name of BUILTIN_NAMES) {
    it(`${name}: declares charts that draw from its own tables`, () => {
      const result = RESULTS[name]!();
      expect(result.charts?.length ?? 0).toBeGreaterThan(0);
      expect(resultProblems(result)).toEqual([]);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    });
  }

  it('concurrency-scaling counts instances by the ids the function reported where the records have none, and says so', () => {
    const result = RESULTS['concurrency-scaling']!();
    expect(result.rows.map((r) => [r[0], r[2]])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(result.summary).toMatchObject({ instanceSource: 'function', peakInstances: 1 });
    expect(result.notes).toContain('instances counted by the ids the function reported itself (aws-lambda reports no instance id)');
  });
});
