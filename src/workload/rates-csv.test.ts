import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { hold } from './rate-curve.ts';
import { parseRatesCsv, readRatesCsv } from './rates-csv.ts';

const MIN = 60e6;

describe('parseRatesCsv', () => {
  it('turns rows into held rates, merging equal neighbours', () => {
    expect(parseRatesCsv('minute,rate\n0,10\n1,10\n2,2.5\n3,0\n', 'r.csv')).toEqual([hold(2 * MIN, 10), hold(MIN, 2.5), hold(MIN, 0)]);
    expect(parseRatesCsv('Second, Rate\r\n0, 3\r\n1, 4\r\n\r\n', 'r.csv')).toEqual([hold(1e6, 3), hold(1e6, 4)]);
  });

  it('reads the per-minute count column as calls per minute', () => {
    expect(parseRatesCsv('InvocationsPerMinute\n4363\n1200\n', 'steady.csv')).toEqual([hold(MIN, 4363 / 60), hold(MIN, 20)]);
  });

  const rejects: Array<[string, string, string]> = [
    ['an empty file', '\n\n', 'r.csv:1: empty file'],
    ['an unknown header', 'time,calls\n0,1\n', 'r.csv:1: expected the header minute,rate or second,rate or InvocationsPerMinute, got "time,calls"'],
    ['a header without rows', 'minute,rate\n', 'r.csv:1: no rows after the header: expected one row per minute'],
    ['a missing column', 'minute,rate\n0,1\n1\n', 'r.csv:3: expected 2 columns, got 1'],
    ['an extra column', 'InvocationsPerMinute\n5,6\n', 'r.csv:2: expected 1 column, got 2'],
    ['a gap in the minutes', 'minute,rate\n0,1\n2,1\n', 'r.csv:3: expected minute 1 (rows count 0, 1, 2, ... without gaps), got "2"'],
    ['rows not starting at 0', 'second,rate\n\n1,1\n', 'r.csv:3: expected second 0'],
    ['a negative rate', 'second,rate\n0,-1\n', 'r.csv:2: expected a rate in calls/s of 0 or more, got "-1"'],
    ['an empty rate', 'second,rate\n0,5\n1,\n', 'r.csv:3: expected a rate in calls/s of 0 or more, got ""'],
    ['a bad count', 'InvocationsPerMinute\n12\nNaN\n', 'r.csv:3: expected a count of calls of 0 or more, got "NaN"'],
  ];
  for (const [what, text, message] of rejects) {
    it(`rejects ${what}, naming the file and line`, () => {
      let thrown: unknown;
      try {
        parseRatesCsv(text, 'r.csv');
      } catch (err) {
        thrown = err;
      }
      expect(isFaasbenchError(thrown, 'InvalidParameterValue')).toBe(true);
      expect((thrown as Error).message).toContain(message);
    });
  }
});

describe('readRatesCsv', () => {
  it('names a file it cannot read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faasbench-rates-'));
    const missing = path.join(dir, 'none.csv');
    try {
      expect(() => readRatesCsv(missing)).toThrow(`${missing}: cannot read the rates file (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
