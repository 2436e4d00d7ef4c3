// The send loop and the run's preparation against a real HTTP endpoint on loopback that counts
// what it sees: which calls arrive, when, and over how many connections. Counts only, never speeds.
import { beforeEach, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { planOf, type LoadPlan } from '../core/load-plan.ts';
import { expectedInFlight } from './expected-in-flight.ts';
import { readHead } from './plan-head.ts';
import { runPlan } from './invoker.ts';
import { useCountingLoopback } from './testing/loopback-provider.ts';

const { provider, counts } = useCountingLoopback(64);
beforeEach(() => counts.reset());

function constant(fn: string, count: number, spacingUs: number): LoadPlan {
  return planOf({ functions: [fn], count, durationUs: (count - 1) * spacingUs }, function* () {
    for (let seq = 0; seq < count; seq++) yield { seq, offsetUs: seq * spacingUs, fn, payload: { event: {} }, phase: 'measure' };
  });
}

function collect(): { records: InvocationRecord[]; sink: { write(r: InvocationRecord): void } } {
  const records: InvocationRecord[] = [];
  return { records, sink: { write: (r) => void records.push(r) } };
}

const payloadOf = (): Buffer => Buffer.from('{}');
const seqs = (records: readonly InvocationRecord[]): number[] => records.map((r) => r.seq).sort((a, b) => a - b);

describe('the send loop', () => {
  it('records every seq of 2 s at 1,000/s exactly once, each sent at or after its planned time', async () => {
    const { records, sink } = collect();
    // No bound a stalled machine could reach: every call is sent, so every record is an answer.
    const outcome = await runPlan({ runId: 's1', plan: constant('/', 2_000, 1_000), provider, payloadOf, sink, maxInFlight: 1_000_000 });
    expect(outcome).toMatchObject({ status: 'completed', progress: { sent: 2_000, done: 2_000, dropped: 0, inFlight: 0 } });
    expect(seqs(records)).toEqual([...Array(2_000).keys()]);
    expect(records.filter((r) => r.status === 'ok' && r.sentUs! >= r.plannedUs && r.receivedUs! >= r.sentUs!)).toHaveLength(2_000);
    expect(counts.invokes).toBe(2_000);
    expect(counts.arrivalsUs).toHaveLength(2_000);
  }, 30_000);

  it('records exactly the calls beyond maxInFlight as dropped: the first 5 go, seqs 5-19 are dropped', async () => {
    const { records, sink } = collect();
    const outcome = await runPlan({ runId: 's2', plan: constant('/?delay=300', 20, 0), provider, payloadOf, sink, maxInFlight: 5 });
    expect(outcome.progress).toMatchObject({ sent: 5, done: 5, dropped: 15 });
    const dropped = records.filter((r) => r.status === 'dropped');
    expect(seqs(dropped)).toEqual([...Array(15).keys()].map((i) => i + 5));
    expect(dropped.every((r) => r.errorClass === 'InFlightLimit' && r.sentUs === null)).toBe(true);
    expect(seqs(records.filter((r) => r.status === 'ok'))).toEqual([0, 1, 2, 3, 4]);
    expect(counts.invokes).toBe(5);
  });

  it('runs a closed loop one call at a time, in seq order, each after the previous answer plus the gap', async () => {
    const { records, sink } = collect();
    const base = constant('/?delay=20', 6, 0);
    await runPlan({ runId: 's4', plan: { ...base, closedLoop: { gapUs: 5_000 } }, provider, payloadOf, sink });
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(counts.peakInFlight).toBe(1);
    for (let i = 1; i < records.length; i++) expect(records[i]!.sentUs!).toBeGreaterThanOrEqual(records[i - 1]!.receivedUs! + 5_000);
    // One call in flight is what a closed loop prepares for.
    expect(counts.prepared.map((p) => p.expectedInFlight)).toEqual([1]);
  });
});

describe('before offset 0', () => {
  it('has the provider open the connections the plan expects, and invokes nothing before the start', async () => {
    const { records, sink } = collect();
    const plan = constant('/', 500, 1_000);
    await runPlan({ runId: 'p1', plan, provider, payloadOf, sink, maxInFlight: 1_000_000 });
    const startUs = Math.min(...records.map((r) => r.plannedUs));
    expect(counts.prepared).toHaveLength(1);
    expect(counts.prepared[0]).toMatchObject({ fns: ['/'], expectedInFlight: expectedInFlight(plan, readHead(plan, 10_000).head, 1_000_000) });
    expect(counts.prepared[0]!.atUs).toBeLessThan(startUs);
    // The warm-up of the send path never reaches the provider: one invoke and one request per planned call.
    expect(counts.invokes).toBe(500);
    expect(counts.arrivalsUs).toHaveLength(500);
    expect(counts.arrivalsUs.filter((t) => t < startUs)).toEqual([]);
    expect(counts.connectionsAtFirstRequest).toBeGreaterThanOrEqual(expectedInFlight(plan, readHead(plan, 10_000).head, 1_000_000));
  }, 30_000);

  it('leaves a start the caller fixed where it is, with the connections still opened before it', async () => {
    const { records, sink } = collect();
    const startUs = Date.now() * 1000 + 300_000;
    await runPlan({ runId: 'p2', plan: constant('/', 10, 1_000), provider, payloadOf, sink, startUs });
    expect(records.map((r) => r.plannedUs - startUs).sort((a, b) => a - b)).toEqual([...Array(10).keys()].map((i) => i * 1_000));
    expect(counts.prepared[0]!.atUs).toBeLessThan(startUs);
    expect(counts.arrivalsUs.filter((t) => t < startUs)).toEqual([]);
  });
});
