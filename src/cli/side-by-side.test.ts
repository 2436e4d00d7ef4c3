import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.ts';

describe('sideBySide', () => {
  it('interleaves the providers row by row behind a provider column', () => {
    const local = { columns: ['burst', 'instances', 'p50 ms'], rows: [[1, 1, 12.5], [2, 2, 13]] };
    const lambda = { columns: ['burst', 'instances', 'p50 ms'], rows: [[1, 1, 40], [2, 2, 41.25]] };
    expect(sideBySide([{ provider: 'local', runId: 'a', result: local }, { provider: 'aws-lambda', runId: 'b', result: lambda }])).toEqual({
      columns: ['provider', 'burst', 'instances', 'p50 ms'],
      rows: [
        ['local', 1, 1, 12.5],
        ['aws-lambda', 1, 1, 40],
        ['local', 2, 2, 13],
        ['aws-lambda', 2, 2, 41.25],
      ],
    });
  });

  it('unites differing columns, leaves the missing cells empty and names a run without a result', () => {
    const a = { columns: ['size', 'ms'], rows: [[128, 10], [256, 5]] };
    const b = { columns: ['size', 'cost'], rows: [[128, 0.2]] };
    expect(sideBySide([{ provider: 'local', runId: 'r1', result: a }, { provider: 'openfaas', runId: 'r2', result: b }, { provider: 'aws-lambda', runId: 'r3', result: null }])).toEqual({
      columns: ['provider', 'size', 'ms', 'cost'],
      rows: [
        ['local', 128, 10, null],
        ['openfaas', 128, null, 0.2],
        ['local', 256, 5, null],
      ],
      notes: ['aws-lambda: no result (run r3)'],
    });
  });
});
