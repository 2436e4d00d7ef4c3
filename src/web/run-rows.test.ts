import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.ts';
import { DashboardApi } from './api.ts';
import { runRow } from './run-rows.ts';

let store: Store;
let api: DashboardApi;
const ids: Record<string, string> = {};

beforeAll(async () => {
  store = await openStore(':memory:');
  api = new DashboardApi(store, () => Date.now());
  const base = { name: 'hello', provider: 'local', toolVersion: 'test' };
  ids.labelled = await store.createRun({ ...base, kind: 'invoke', label: 'baseline', params: { pattern: 'constant', options: { rate: '20', duration: '5s' } } });
  ids.experiment = await store.createRun({ ...base, kind: 'experiment', name: 'cold-start', params: { experiment: 'cold-start', values: { calls: 3 } } });
});

afterAll(async () => {
  await store?.close();
});

describe('the runs list', () => {
  it("carries each run's label and load", async () => {
    const row = runRow((await store.getRun(ids.labelled!))!, Date.now());
    expect(row).toMatchObject({ label: 'baseline', load: 'constant 20/s 5s' });
    expect(runRow((await store.getRun(ids.experiment!))!, Date.now())).toMatchObject({ label: null, load: 'calls=3' });
  });

  it("takes runs --filter's field=value pairs, and refuses an unknown field naming the ones there are", async () => {
    expect((await api.runs('10', ['label=baseline'])).runs.map((r) => r.id)).toEqual([ids.labelled]);
    expect((await api.runs('10', ['kind=experiment', 'status=running'])).runs.map((r) => r.id)).toEqual([ids.experiment]);
    expect((await api.runs('10', [])).runs).toHaveLength(2);
    await expect(api.runs('10', ['colour=red'])).rejects.toThrow('filter "colour=red": no field "colour"; the fields are kind, name, provider, status, label');
  });
});
