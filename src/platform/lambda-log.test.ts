import { describe, expect, it } from 'vitest';
import { billedMs, endLine, initReportLine, logTail, reportLine, startLine, timeoutMessage } from './lambda-log.ts';

const ID = '3604209a-e9a3-11e6-939a-754dd98c7be3';

describe('Lambda log lines', () => {
  it('START and END', () => {
    expect(startLine(ID)).toBe(`START RequestId: ${ID} Version: $LATEST\n`);
    expect(endLine(ID)).toBe(`END RequestId: ${ID}\n`);
  });

  it('START names the version that runs', () => {
    expect(startLine(ID, '7')).toBe(`START RequestId: ${ID} Version: 7\n`);
  });

  it('INIT_REPORT after a failed init and after an init timeout', () => {
    expect(initReportLine(150.789, { status: 'error', errorType: 'Runtime.ImportModuleError' })).toBe(
      'INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\n',
    );
    expect(initReportLine(10000.004, { status: 'timeout' })).toBe('INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout\n');
  });

  it('REPORT on a cold start, with a trailing tab as Lambda prints it', () => {
    expect(reportLine({ requestId: ID, durationMs: 12.345, billedMs: 13, memoryMb: 128, maxMemoryMb: 18, initMs: 120.456 })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB\tInit Duration: 120.46 ms\t\n`,
    );
  });

  it('REPORT after a timeout and after a crash', () => {
    const base = { requestId: ID, durationMs: 1000.4, billedMs: 1001, memoryMb: 128, maxMemoryMb: 40 };
    expect(reportLine({ ...base, failure: { status: 'timeout' } })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 1000.40 ms\tBilled Duration: 1001 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: timeout\t\n`,
    );
    expect(reportLine({ ...base, failure: { status: 'error', errorType: 'Runtime.ExitError' } })).toContain('\tStatus: error\tError Type: Runtime.ExitError\t\n');
  });

  it('bills whole milliseconds, rounded up, at least 1', () => {
    expect([0, 0.2, 1, 1.0001, 99.9].map(billedMs)).toEqual([1, 1, 1, 2, 100]);
  });

  it('timeout message has two decimals', () => {
    expect(timeoutMessage(3)).toBe('Task timed out after 3.00 seconds');
  });

  it('the tail keeps the last 4 KB, base64', () => {
    const log = 'a'.repeat(5000) + 'END';
    const tail = Buffer.from(logTail(log), 'base64').toString();
    expect(tail).toHaveLength(4096);
    expect(tail.endsWith('aEND')).toBe(true);
  });
});
