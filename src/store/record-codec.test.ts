import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { decodeBatch, RecordBatchWriter, SLOTS_PER_ROW } from './record-codec.ts';
import { makeRecords } from './testing/records.ts';

/** Every field at once: nulls everywhere they may be, and text no ASCII table holds. */
const ALL_NULL: InvocationRecord = {
  runId: 'rün-✓', seq: 7, fn: '函数', phase: 'measure', tag: null, plannedUs: 1_784_000_000_000_000.5, sentUs: null, receivedUs: null, latencyMs: null,
  status: 'dropped', httpStatus: null, errorClass: null, requestId: null, instanceId: null, cold: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null,
};
const NONE_NULL: InvocationRecord = {
  runId: 'run', seq: 2 ** 40, fn: 'noop', phase: 'warmup', tag: '', plannedUs: 1_784_000_000_000_001.5, sentUs: 1_784_000_000_000_002.75, receivedUs: 1_784_000_000_012_345.25,
  latencyMs: 12.342_375, status: 'ok', httpStatus: 200, errorClass: 'tab\there "quoted", ünïcödé 🚀', requestId: 'req\0with nul', instanceId: 'i-0', cold: false,
  initMs: 0, durationMs: -0, billedMs: 1e-300, memoryMb: 128, maxMemoryMb: Number.MAX_VALUE,
};

describe('record codec', () => {
  it('round-trips every field exactly, nulls, false, -0 and non-ASCII text included', () => {
    const records = [ALL_NULL, NONE_NULL, { ...NONE_NULL, cold: true, seq: 0 }, ...makeRecords('codec-run', 0, 60)];
    const writer = new RecordBatchWriter(100);
    for (const record of records) expect(writer.add(record)).toBe(true);
    const decoded = decodeBatch(writer.take());
    expect(decoded).toEqual(records);
    expect(Object.is(decoded[1]!.durationMs, -0)).toBe(true);
    expect(decoded.map((r) => Object.keys(r).sort())).toEqual(records.map((r) => Object.keys(r).sort()));
  });

  it('refuses a row past its capacity, and starts empty after take()', () => {
    const writer = new RecordBatchWriter(2);
    const [a, b, c] = makeRecords('r', 0, 3);
    expect([writer.add(a!), writer.add(b!)]).toEqual([true, true]);
    expect(writer.full).toBe(true);
    expect(writer.add(c!)).toBe(false);
    const first = writer.take();
    expect(first.count).toBe(2);
    expect(writer.count).toBe(0);
    expect(writer.add(c!)).toBe(true);
    expect(decodeBatch(writer.take())).toEqual([c]);
    expect(decodeBatch(first)).toEqual([a, b]);
  });

  it('keeps each distinct string once per batch', () => {
    const writer = new RecordBatchWriter(50);
    for (let seq = 0; seq < 50; seq++) writer.add({ ...ALL_NULL, seq });
    const batch = writer.take();
    // runId, fn, phase, status: four strings for fifty rows.
    expect(new Uint32Array(batch.textEnds)).toHaveLength(4);
    expect(batch.rows.byteLength).toBe(50 * SLOTS_PER_ROW * 8);
  });

  it('writes a call in flight as its provisional record', () => {
    const writer = new RecordBatchWriter(2);
    writer.addSent('run-1', { call: { seq: 4, fn: 'noop', phase: 'measure', tag: 'naïve' }, plannedUs: 10.5, sentUs: 11.25, recorded: false });
    writer.addSent('run-1', { call: { seq: 5, fn: 'noop', phase: 'warmup' }, plannedUs: 12, sentUs: 13, recorded: false });
    const [tagged, plain] = decodeBatch(writer.take());
    const outcome = { receivedUs: null, latencyMs: null, status: 'unknown', httpStatus: null, errorClass: null, requestId: null, instanceId: null, cold: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null };
    expect(tagged).toEqual({ runId: 'run-1', seq: 4, fn: 'noop', phase: 'measure', tag: 'naïve', plannedUs: 10.5, sentUs: 11.25, ...outcome });
    expect(plain).toEqual({ runId: 'run-1', seq: 5, fn: 'noop', phase: 'warmup', tag: null, plannedUs: 12, sentUs: 13, ...outcome });
  });

  it('reuses a row buffer handed back', () => {
    const writer = new RecordBatchWriter(3);
    writer.add(ALL_NULL);
    const first = writer.take();
    writer.giveBack(first.rows);
    writer.add(NONE_NULL);
    const second = writer.take();
    expect(second.rows).toBe(first.rows);
    expect(decodeBatch(second)).toEqual([NONE_NULL]);
  });
});
