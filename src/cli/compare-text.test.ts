// How `compare` reads: fixed comparisons, exact text.
import { describe, expect, it } from 'vitest';
import type { FunctionComparison, RunComparison } from '../analysis/compare.ts';
import { compareResults, resultTables } from '../analysis/result-compare.ts';
import { cellChangeText, comparisonText, latencyChange, resultComparisonText } from './compare-text.ts';

const RUN_A = { id: 'run-a', kind: 'invoke', name: 'hello', provider: 'local', status: 'completed' as const, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null };
const RUN_B = { ...RUN_A, id: 'run-b' };

const hello: FunctionComparison = {
  fn: 'hello',
  a: { calls: 200, ok: 196, p50: 315.57, p99: 401.2, coldRate: 0.01, coldSource: 'platform' },
  b: { calls: 40, ok: 40, p50: 332.56, p99: 380, coldRate: 0.2, coldSource: 'platform' },
  median: { p: 50, estimate: 16.99, lo: 3.1, hi: 30.2, significant: true },
  p99: null,
  coldRate: { a: 0.01, b: 0.2, estimate: 0.19, lo: 0.134, hi: 0.251, significant: true },
  failureRate: { a: 0.02, b: 0, estimate: -0.02, lo: -0.05, hi: 0.068, significant: false },
  verdicts: { median: 'slower', p99: null, coldRate: 'higher', failureRate: 'no significant change' },
};

const calls: RunComparison = { a: RUN_A, b: RUN_B, level: 0.95, resamples: 2000, seed: 1, functions: [{ ...hello, fn: '*' }, hello], onlyInA: [], onlyInB: [], shown: ['hello'], results: null };

describe('comparisonText of two runs of calls', () => {
  it('shows each figure as A → B with the signed change and percent, the CI of the change and a verdict; one block per function', () => {
    expect(comparisonText(calls)).toBe(
      [
        'A: run run-a (invoke hello on local, completed)',
        'B: run run-b (invoke hello on local, completed)',
        "changes are B - A; latency CIs: bootstrap of the difference (2000 resamples, seed 1); rates: Newcombe's score interval; a verdict only when the CI excludes 0",
        '┌──────────┬─────────────────┬────────────────────────────────────┬───────────────────────────────────┬───────────────────────┐',
        '│ function │ figure          │ A → B  change (percent of A)       │ 95% CI of the change              │ verdict               │',
        '├──────────┼─────────────────┼────────────────────────────────────┼───────────────────────────────────┼───────────────────────┤',
        '│ hello    │ calls           │ 200 → 40  -160 (-80.0%)            │                                   │                       │',
        '│          │ p50 latency     │ 315.57 → 332.56  +16.99 ms (+5.4%) │ [+3.10, +30.20] ms                │ slower                │',
        '│          │ p99 latency     │ 401.20 → 380.00  -21.20 ms (-5.3%) │ too few calls (100 a side needed) │ -                     │',
        '│          │ cold-start rate │ 1.0% → 20.0%  +19.0 pts            │ [+13.4, +25.1] pts                │ higher                │',
        '│          │ failure rate    │ 2.0% → 0.0%  -2.0 pts              │ [-5.0, +6.8] pts                  │ no significant change │',
        '└──────────┴─────────────────┴────────────────────────────────────┴───────────────────────────────────┴───────────────────────┘',
      ].join('\n'),
    );
    expect(comparisonText(calls)).not.toMatch(/\d >/);
  });

  it('a side without a figure shows - and no change', () => {
    expect(latencyChange(null, 12)).toBe('- → 12.00');
    expect(latencyChange(10, 10)).toBe('10.00 → 10.00  0.00 ms (0.0%)');
  });
});

const sweepA = { columns: ['memory MB', 'ok calls', 'avg billed ms', 'USD per 1M calls', 'errors'], rows: [[128, 20, 315.57, 0.8612, 0], [256, 20, 160.2, 0.8718, 0], [512, 20, 80.1, 0.8711, 0]], tables: [{ name: 'probes', title: 'Probes', columns: ['gap s', 'cold'], rows: [[1, false], [10, true]] }] };
const sweepB = { columns: ['memory MB', 'ok calls', 'avg billed ms', 'USD per 1M calls', 'errors'], rows: [[128, 20, 332.56, 0.9, 0], [256, 20, 150, 0.82, 1], [1024, 20, 40, 0.9, 0]], tables: [{ name: 'probes', title: 'Probes', columns: ['gap s', 'cold'], rows: [[1, false], [10, false]] }] };

describe('resultComparisonText of two experiment runs', () => {
  it('shows each row of each table by its key, every cell as A → B with the change and percent, numbers to the decimals they print with', () => {
    expect(resultComparisonText(compareResults(resultTables(sweepA)!, resultTables(sweepB)!))).toBe(
      [
        'changes are B - A, in percent of A',
        'result table (rows matched by memory MB)',
        '┌───────────┬──────────────────┬──────────────────────────────────┐',
        '│ memory MB │ column           │ A → B  change (percent of A)     │',
        '├───────────┼──────────────────┼──────────────────────────────────┤',
        '│ 128       │ ok calls         │ 20 → 20  0 (0.0%)                │',
        '│           │ avg billed ms    │ 315.6 → 332.6  +17.0 (+5.4%)     │',
        '│           │ USD per 1M calls │ 0.8612 → 0.9000  +0.0388 (+4.5%) │',
        '│           │ errors           │ 0 → 0  0 (0.0%)                  │',
        '├───────────┼──────────────────┼──────────────────────────────────┤',
        '│ 256       │ ok calls         │ 20 → 20  0 (0.0%)                │',
        '│           │ avg billed ms    │ 160.2 → 150.0  -10.2 (-6.4%)     │',
        '│           │ USD per 1M calls │ 0.8718 → 0.8200  -0.0518 (-5.9%) │',
        '│           │ errors           │ 0 → 1  +1                        │',
        '└───────────┴──────────────────┴──────────────────────────────────┘',
        'rows only in A: memory MB 512',
        'rows only in B: memory MB 1024',
        'Probes (rows matched by gap s)',
        '┌───────┬────────┬──────────────────────────────┐',
        '│ gap s │ column │ A → B  change (percent of A) │',
        '├───────┼────────┼──────────────────────────────┤',
        '│ 1     │ cold   │ false                        │',
        '├───────┼────────┼──────────────────────────────┤',
        '│ 10    │ cold   │ true → false                 │',
        '└───────┴────────┴──────────────────────────────┘',
      ].join('\n'),
    );
  });

  it('keys cold-start rows by runtime, memory and start, and says when no row is in both', () => {
    const a = { columns: ['runtime', 'memory MB', 'start', 'cold p50 ms'], rows: [['nodejs', 128, 'on-demand', 120.5], ['nodejs', 128, 'provisioned', 3.25]] };
    const b = { columns: ['runtime', 'memory MB', 'start', 'cold p50 ms'], rows: [['python', 128, 'on-demand', 99]] };
    expect(resultComparisonText(compareResults(resultTables(a)!, resultTables(b)!))).toBe(
      [
        'changes are B - A, in percent of A',
        'result table (rows matched by runtime, memory MB, start)',
        'no row in both runs',
        'rows only in A: runtime nodejs, memory MB 128, start on-demand; runtime nodejs, memory MB 128, start provisioned',
        'rows only in B: runtime python, memory MB 128, start on-demand',
      ].join('\n'),
    );
  });

  it('a whole comparison of experiment runs shows their results, and their pooled calls only when asked', () => {
    const results = compareResults(resultTables(sweepA)!, resultTables(sweepB)!);
    const experiments: RunComparison = { ...calls, a: { ...RUN_A, kind: 'experiment', name: 'memory-sweep' }, b: { ...RUN_B, kind: 'experiment', name: 'memory-sweep' }, results };
    const text = comparisonText(experiments);
    expect(text.split('\n').slice(0, 3)).toEqual(['A: run run-a (experiment memory-sweep on local, completed)', 'B: run run-b (experiment memory-sweep on local, completed)', 'changes are B - A, in percent of A']);
    expect(text).not.toContain('p50 latency');
    expect(text.split('\n').at(-1)).toBe("the runs' pooled calls, which mix every case of an experiment, are left out: --calls adds them");
    expect(comparisonText(experiments, { calls: true })).toContain('pooled calls of the two runs:\nchanges are B - A; latency CIs');
  });

  it('cells: text shown once when unchanged, null as -', () => {
    expect(cellChangeText('yes', 'yes', null, null)).toBe('yes');
    expect(cellChangeText(null, 3, null, null)).toBe('- → 3');
    expect(cellChangeText(-0.5, 0.25, 0.75, 150)).toBe('-0.5000 → 0.2500  +0.7500 (+150.0%)');
  });
});
