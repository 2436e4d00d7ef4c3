import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { RecordColumns, recordAt } from './record-columns.ts';

const answered: InvocationRecord = {
  runId: 'r1', seq: 7, fn: 'hello', phase: 'measure', tag: 'abc', plannedUs: 1_780_000_000_000_001.5, sentUs: 1_780_000_000_000_123, receivedUs: 1_780_000_000_004_000, latencyMs: 3.877,
  status: 'ok', httpStatus: 200, errorClass: null, requestId: 'req-1', instanceId: 'i-1', cold: false, initMs: null, durationMs: 1.25, billedMs: 2, memoryMb: 128, maxMemoryMb: 40,
};
const dropped: InvocationRecord = { ...answered, seq: 8, tag: null, sentUs: null, receivedUs: null, latencyMs: null, status: 'dropped', httpStatus: null, errorClass: 'InFlightLimit', requestId: null, instanceId: null, cold: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null };

describe('RecordColumns', () => {
  it('gives back each record as written, nulls included, under the run id of the reader', () => {
    const columns = new RecordColumns();
    columns.add(answered);
    columns.add(dropped);
    const batch = structuredClone(columns.take());
    expect(batch.count).toBe(2);
    expect([0, 1].map((i) => recordAt(batch, i, 'r1'))).toEqual([answered, dropped]);
    expect(recordAt(batch, 0, 'other').runId).toBe('other');
  });

  it('starts an empty batch after each take', () => {
    const columns = new RecordColumns();
    columns.add(answered);
    columns.take();
    expect(columns.count).toBe(0);
    expect(columns.take()).toMatchObject({ count: 0, seq: [] });
  });
});
