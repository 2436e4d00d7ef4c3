/**
 * Fixed in-function measurements for the memory, disk-io and counters results' tests: two inputs
 * of one benchmark, the second with a call that failed and so has none.
 */
import type { FunctionMeasurement } from '../platform/measurement.ts';
import type { BenchmarkCalls } from './function-measurements.ts';

const MB = 1024 * 1024;

export function measured(peakMb: number, writtenMb: number, over: Partial<FunctionMeasurement> = {}): FunctionMeasurement {
  return {
    cpu: { source: 'proc-stat', userMs: 10 * peakMb, systemMs: 20 },
    io: { readBytes: writtenMb * MB + 766, writtenBytes: writtenMb * MB + 279, storageReadBytes: 0, storageWrittenBytes: 0 },
    blockIo: null,
    memory: { source: 'cgroup-v1-memory', peakBytes: peakMb * MB, startBytes: 7 * MB, endBytes: 8 * MB, intervalMs: 10, samples: [7 * MB, peakMb * MB, 8 * MB] },
    counters: { kind: 'software', reason: 'hardware-unsupported', detail: null, values: { 'task-clock': peakMb * 2, 'context-switches': 30, 'page-faults': peakMb * 256 } },
    shared: false,
    ...over,
  };
}

export function measurementFixture(): BenchmarkCalls[] {
  return [
    { fn: 'footprint', input: 'test', calls: [{ seq: 1, measurement: measured(20, 4), missing: null }, { seq: 2, measurement: measured(24, 4), missing: null }] },
    { fn: 'footprint', input: 'small', calls: [{ seq: 3, measurement: measured(120, 16), missing: null }, { seq: 4, measurement: null, missing: 'call failed: Runtime.OutOfMemory' }] },
  ];
}
