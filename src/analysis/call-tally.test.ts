import { describe, expect, it } from 'vitest';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import { CallTally, isTimed, tallyCalls } from './call-tally.ts';

const T0 = 1_800_000_000_000_000;

function rec(seq: number, fields: Partial<InvocationRecord> = {}): InvocationRecord {
  const plannedUs = T0 + seq * 1000;
  return { ...NO_FACTS, runId: 'r', seq, fn: 'f', phase: 'measure', tag: null, plannedUs, sentUs: plannedUs + 500, receivedUs: plannedUs + 2500, status: 'ok', httpStatus: 200, errorClass: null, latencyMs: 2, ...fields };
}

const RECORDS = [
  rec(0, { phase: 'warmup', latencyMs: 900 }),
  rec(1, { latencyMs: 3 }),
  rec(2, { latencyMs: 1 }),
  rec(3, { status: 'function-error', errorClass: 'Error', latencyMs: 700 }),
  rec(4, { status: 'dropped', errorClass: 'InFlightLimit', sentUs: null, receivedUs: null, latencyMs: null }),
];

describe('CallTally', () => {
  it('times measured ok calls only, and counts the rest', () => {
    expect(RECORDS.filter(isTimed).map((r) => r.seq)).toEqual([1, 2]);
    const tally = tallyCalls(RECORDS);
    expect(tally.counts()).toEqual({ calls: 4, warmupCalls: 1, byStatus: { ok: 2, 'function-error': 1, dropped: 1 }, errorClasses: { Error: 1, InFlightLimit: 1 }, ok: 2, failed: 2 });
    expect(tally.latencyMs()).toMatchObject({ count: 2, min: 1, p50: 1, max: 3 });
    // Lateness of the 3 measured calls that were sent, 0.5 ms each.
    expect(tally.latenessMs()).toMatchObject({ count: 3, min: 0.5, max: 0.5 });
  });

  it('keeps the same counts without the values it is told not to keep, and refuses to read them', () => {
    const full = tallyCalls(RECORDS);
    const lean = new CallTally({ keep: { latency: false, lateness: false } });
    for (const r of RECORDS) lean.add(r);
    expect(lean.counts()).toEqual(full.counts());
    expect(() => lean.latencyMs()).toThrow('CallTally.latency: not kept (keep.latency: false)');
    expect(() => lean.lateness).toThrow('CallTally.lateness: not kept (keep.lateness: false)');
    const latencyOnly = new CallTally({ keep: { lateness: false } });
    for (const r of RECORDS) latencyOnly.add(r);
    expect(latencyOnly.latencyMs()).toEqual(full.latencyMs());
  });
});
