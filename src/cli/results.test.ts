// `faasbench results`: the stored result of an experiment run read back from a real SQLite store,
// printed as `experiment run` prints it, and each reason a run has none said plainly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../experiments/define.ts';
import { openStore, type JsonValue, type Store } from '../store/index.ts';
import { RUN } from '../store/testing/run-meta.ts';
import { resultCsv, resultText } from './result-print.ts';
import { storedResult } from './results.ts';

const RESULT: ExperimentResult = {
  columns: ['burst', 'instances', 'p50 ms', 'note'],
  rows: [
    [1, 1, 501.234, 'first'],
    [2, 2, null, 'with, comma and "quotes"'],
  ],
  notes: ['one instance per concurrent call up to 2'],
  summary: { linear: true },
  tables: [{ name: 'long', title: 'the long form', columns: ['burst', 'what', 'count'], rows: [[1, 'instances', 1]] }],
  charts: [{ title: 'scaling', mark: 'line', x: { column: 'burst' }, y: { column: 'instances' } }],
};

const EXPERIMENT = { ...RUN, kind: 'experiment', name: 'concurrency-scaling' };

describe('results', () => {
  let store: Store;
  const runs: Record<string, string> = {};
  beforeAll(async () => {
    store = await openStore(path.join(mkdtempSync(path.join(tmpdir(), 'faasbench-results-')), 'runs.db'));
    runs.done = await store.createRun(EXPERIMENT);
    await store.addRecord(runs.done, 'result', RESULT as unknown as JsonValue);
    await store.finishRun(runs.done, 'completed');
    runs.failed = await store.createRun(EXPERIMENT);
    await store.finishRun(runs.failed, 'failed', { result: null, error: { message: 'deploy failed: no such function', stack: null } });
    runs.running = await store.createRun(EXPERIMENT);
    runs.invoke = await store.createRun(RUN);
  });
  afterAll(() => store.close());

  it('reads back the stored result unchanged', async () => {
    expect(await storedResult(store, runs.done!)).toEqual(RESULT);
  });

  it('says why a run has no result: unknown, not an experiment, failed, still running', async () => {
    await expect(storedResult(store, 'nope')).rejects.toThrow('no run nope in the store (see faasbench runs)');
    await expect(storedResult(store, runs.invoke!)).rejects.toThrow(`run ${runs.invoke} is an invoke run of noop, not an experiment: it has no result table (see faasbench analyze ${runs.invoke})`);
    await expect(storedResult(store, runs.failed!)).rejects.toThrow(`experiment run ${runs.failed} (concurrency-scaling) has no result: it failed (deploy failed: no such function)`);
    await expect(storedResult(store, runs.running!)).rejects.toThrow(`experiment run ${runs.running} (concurrency-scaling) has no result yet: it is still running`);
  });

  it('prints the main table, each further table under its title, then the notes', () => {
    expect(resultText(RESULT).split('\n')).toEqual([
      '┌───────┬───────────┬────────┬──────────────────────────┐',
      '│ burst │ instances │ p50 ms │ note                     │',
      '├───────┼───────────┼────────┼──────────────────────────┤',
      '│ 1     │ 1         │ 501.2  │ first                    │',
      '├───────┼───────────┼────────┼──────────────────────────┤',
      '│ 2     │ 2         │ -      │ with, comma and "quotes" │',
      '└───────┴───────────┴────────┴──────────────────────────┘',
      'the long form',
      '┌───────┬───────────┬───────┐',
      '│ burst │ what      │ count │',
      '├───────┼───────────┼───────┤',
      '│ 1     │ instances │ 1     │',
      '└───────┴───────────┴───────┘',
      'one instance per concurrent call up to 2',
    ]);
  });

  it('writes CSV of the main table or a named one, at full precision', () => {
    expect(resultCsv(RESULT)).toBe('burst,instances,p50 ms,note\n1,1,501.234,first\n2,2,,"with, comma and ""quotes"""\n');
    expect(resultCsv(RESULT, 'long')).toBe('burst,what,count\n1,instances,1\n');
    expect(() => resultCsv(RESULT, 'nope')).toThrow('--table nope: the result has the tables long');
  });
});
