// The end-of-run summary: warm-ups left out and said, latency over ok calls only, failures counted
// by status and class, and the same figures analyze gives from the same records.
import { describe, expect, it } from 'vitest';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import { CallTally } from './call-tally.ts';
import { SummaryBuilder } from './run-summary.ts';

const T0 = 1_800_000_000_000_000;

function rec(seq: number, fields: Partial<InvocationRecord>): InvocationRecord {
  const plannedUs = T0 + seq * 1000;
  return { ...NO_FACTS, runId: 'r', seq, fn: 'f', phase: 'measure', tag: null, plannedUs, sentUs: plannedUs + 250, receivedUs: plannedUs + 1250, latencyMs: 1, status: 'ok', httpStatus: 200, errorClass: null, ...fields };
}

const summaryOf = (records: readonly InvocationRecord[]): ReturnType<SummaryBuilder['summary']> => {
  const b = new SummaryBuilder();
  for (const r of records) b.add(r);
  return b.summary();
};

describe('SummaryBuilder', () => {
  it('leaves warm-up calls out of every figure and counts them apart', () => {
    const s = summaryOf([
      rec(0, { phase: 'warmup', latencyMs: 500, cold: true, instanceId: 'i1' }),
      rec(1, { phase: 'warmup', latencyMs: 400, status: 'function-error', errorClass: 'Error' }),
      rec(2, { latencyMs: 2, cold: false, instanceId: 'i1' }),
      rec(3, { latencyMs: 3, cold: false, instanceId: 'i1' }),
    ]);
    expect(s).toMatchObject({ total: 2, warmupCalls: 2, byStatus: { ok: 2 }, errorClasses: {}, ok: 2, failed: 0, cold: 0, warm: 2, instances: 1 });
    expect(s.latencyMs).toEqual({ count: 2, min: 2, p50: 2, p90: 3, p99: 3, p999: 3, max: 3, mean: 2.5, precision: 'exact' });
    expect(s.latenessMs).toMatchObject({ count: 2, p50: 0.25, max: 0.25 });
  });

  it('times ok calls only and counts every other status, unknown included', () => {
    const s = summaryOf([
      rec(0, { latencyMs: 10 }),
      rec(1, { status: 'function-error', errorClass: 'Error', latencyMs: 900 }),
      rec(2, { status: 'throttled', errorClass: 'TooManyRequestsException', latencyMs: 0.5 }),
      rec(3, { status: 'dropped', sentUs: null, receivedUs: null, latencyMs: null }),
      rec(4, { status: 'unknown', receivedUs: null, latencyMs: null }),
    ]);
    expect(s).toMatchObject({ total: 5, ok: 1, failed: 4, byStatus: { ok: 1, 'function-error': 1, throttled: 1, dropped: 1, unknown: 1 }, errorClasses: { Error: 1, TooManyRequestsException: 1 } });
    expect(s.latencyMs).toMatchObject({ count: 1, p50: 10, p99: 10, max: 10 });
    // Sent calls only: the dropped one never went out.
    expect(s.latenessMs!.count).toBe(4);
  });

  it('has null figures when no call answered, never 0', () => {
    const s = summaryOf([rec(0, { status: 'transport-error', errorClass: 'ECONNREFUSED', latencyMs: null })]);
    expect(s).toMatchObject({ total: 1, ok: 0, failed: 1, latencyMs: null });
    expect(summaryOf([])).toMatchObject({ total: 0, warmupCalls: 0, latencyMs: null, latenessMs: null });
  });

  it('gives the tally analyze and the report use: the same numbers', () => {
    const records = Array.from({ length: 1000 }, (_, i) => rec(i, { latencyMs: i + 1 }));
    const tally = new CallTally();
    for (const r of records) tally.add(r);
    const s = summaryOf(records);
    expect(s.latencyMs).toEqual(tally.latencyMs());
    expect(s.latencyMs).toMatchObject({ p50: 500, p99: 990, p999: 999, max: 1000 });
    expect({ calls: s.total, ok: s.ok, failed: s.failed, byStatus: s.byStatus }).toEqual({ calls: 1000, ok: 1000, failed: 0, byStatus: { ok: 1000 } });
  });
});
