// One pass for a run's page gives exactly what the analysis and the report give when each reads
// the run on its own, from one read of the records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../analysis/run-analysis.ts';
import { readRunData } from '../report/run-data.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { makeRecords } from '../store/testing/records.ts';
import { RUN } from '../store/testing/run-meta.ts';
import { readRunDetail } from './run-detail.ts';

describe('readRunDetail', () => {
  let store: Store;
  let runId: string;
  let pages = 0;
  beforeAll(async () => {
    store = await openStore(':memory:');
    runId = await store.createRun(RUN);
    await store.appendRecords(makeRecords(runId, 0, 2_500));
    await store.finishRun(runId, 'completed');
  });
  afterAll(async () => {
    await store?.close();
  });

  it('equals analyzeRun and readRunData, reading the records once', async () => {
    // Counts the record reads; whole records() must not be read at all.
    const counting = new Proxy(store, {
      get(target, key) {
        if (key === 'records') throw new Error('the one pass must not read whole records');
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== 'function') return value;
        if (key === 'recordPages') pages += 1;
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    const run = (await store.getRun(runId))!;
    const detail = await readRunDetail(counting, run);
    expect(pages).toBe(1);
    expect(detail.analysis).toEqual(await analyzeRun(store, runId));
    expect(detail.data).toEqual(await readRunData(store, runId));
    expect(detail.data.records).toBe(2_500);
  });
});
