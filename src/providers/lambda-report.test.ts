import { describe, expect, it } from 'vitest';
import { reportLine } from '../platform/lambda-log.ts';
import { parseReport } from './lambda-report.ts';

const ID = '6f1e2c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

describe('parseReport', () => {
  it('reads a cold REPORT line as AWS prints it', () => {
    const log = `INIT_START Runtime Version: nodejs:20.v40\nSTART RequestId: ${ID} Version: $LATEST\nhello\nEND RequestId: ${ID}\nREPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1769 MB\tMax Memory Used: 71 MB\tInit Duration: 180.05 ms\t\n`;
    expect(parseReport(log)).toEqual({ requestId: ID, instanceId: null, cold: true, initMs: 180.05, durationMs: 12.34, billedMs: 13, memoryMb: 1769, maxMemoryMb: 71 });
  });

  it('reads a warm line, and a failed one, from the local platform\'s own writer', () => {
    const warm = reportLine({ requestId: ID, durationMs: 0.456, billedMs: 1, memoryMb: 128, maxMemoryMb: 40 });
    expect(parseReport(warm)).toEqual({ requestId: ID, instanceId: null, cold: false, initMs: null, durationMs: 0.46, billedMs: 1, memoryMb: 128, maxMemoryMb: 40 });
    const failed = reportLine({ requestId: ID, durationMs: 3000, billedMs: 3000, memoryMb: 128, maxMemoryMb: 41, initMs: 99.5, failure: { status: 'timeout' } });
    expect(parseReport(failed)).toMatchObject({ cold: true, initMs: 99.5, durationMs: 3000 });
  });

  it('takes the last REPORT of a log and returns null when there is none', () => {
    const two = `${reportLine({ requestId: 'a', durationMs: 1, billedMs: 1, memoryMb: 128, maxMemoryMb: 1 })}${reportLine({ requestId: 'b', durationMs: 2, billedMs: 2, memoryMb: 128, maxMemoryMb: 2 })}`;
    expect(parseReport(two)?.requestId).toBe('b');
    expect(parseReport('START RequestId: x Version: $LATEST\n')).toBeNull();
    expect(parseReport('')).toBeNull();
  });
});
