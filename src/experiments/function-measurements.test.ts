// The memory, disk-io and counters results from fixed measurements: medians by the one percentile
// definition (the lower middle of two), MB to one decimal, the failed call's reason kept, and the
// stored header's text read back into a measurement (or refused when it is not one).
import { describe, expect, it } from 'vitest';
import { resultOf as countersResult } from './builtin/counters.ts';
import { resultOf as diskIoResult } from './builtin/disk-io.ts';
import { resultOf as memoryResult } from './builtin/memory.ts';
import { measured, measurementFixture } from './function-measurements.fixture.ts';
import { keepMeasurement, parseMeasurement, takeMeasurement } from '../providers/local-measurements.ts';

const p = { functions: ['footprint'], inputs: ['test', 'small'], calls: 2 };

describe('in-function measurement results', () => {
  it('memory: peak p50 and max, start and end, source, and why a call has none', () => {
    const result = memoryResult(measurementFixture(), p);
    expect(result.rows).toEqual([
      ['footprint test', 'footprint', 'test', 2, 20, 24, 7, 8, 'cgroup-v1-memory', null],
      ['footprint small', 'footprint', 'small', 1, 120, 120, 7, 8, 'cgroup-v1-memory', 'call failed: Runtime.OutOfMemory'],
    ]);
    // The last measured call's series, at its interval.
    expect(result.tables?.[0]?.rows).toEqual([
      ['footprint test', 0, 7],
      ['footprint test', 10, 24],
      ['footprint test', 20, 8],
      ['footprint small', 0, 7],
      ['footprint small', 10, 120],
      ['footprint small', 20, 8],
    ]);
  });

  it('disk-io: bytes by read/write calls, by the storage layer, and at the block device (none on v1)', () => {
    const result = diskIoResult(measurementFixture(), p);
    expect(result.rows).toEqual([
      ['footprint test', 'footprint', 'test', 2, 4, 4, 0, 0, null, null, null],
      ['footprint small', 'footprint', 'small', 1, 16, 16, 0, 0, null, null, 'call failed: Runtime.OutOfMemory'],
    ]);
    expect(result.notes?.at(-1)).toMatch(/^block: not measured \(on cgroup v1/);
  });

  it('counters: kind and reason, CPU time, each event median; hardware events absent are gaps', () => {
    const result = countersResult(measurementFixture(), p);
    expect(result.rows).toEqual([
      ['footprint test', 'footprint', 'test', 2, 'software', 'hardware-unsupported', 200, 20, 40, 30, 5120, null, null, null, null],
      ['footprint small', 'footprint', 'small', 1, 'software', 'hardware-unsupported', 1200, 20, 240, 30, 30720, null, null, null, 'call failed: Runtime.OutOfMemory'],
    ]);
  });
});

describe('measurements as the local provider receives them', () => {
  it('parses the header it keeps, once per request id', () => {
    const m = measured(120, 16);
    keepMeasurement('req-1', { 'x-faasbench-measurement': JSON.stringify(m) });
    expect(takeMeasurement('req-1')).toEqual(m);
    expect(takeMeasurement('req-1')).toBeNull();
    expect(takeMeasurement(null)).toBeNull();
  });

  it('refuses text that is not a measurement', () => {
    expect(parseMeasurement('{nope')).toBeNull();
    expect(parseMeasurement(JSON.stringify({ ...measured(1, 1), counters: { kind: 'none', reason: 'maybe', detail: null, values: {} } }))).toBeNull();
    expect(parseMeasurement(undefined)).toBeNull();
  });
});
