// runLoad's progress and answers: a load of real HTTP calls (the http provider against a plain
// node:http endpoint) into a real SQLite store reports how many calls were answered while it runs,
// not only once it ends, and hands each answer on under its record's seq.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaasbenchError } from '../core/errors.ts';
import { planOf, type PlannedInvocation } from '../core/load-plan.ts';
import { createProvider } from '../providers/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { startHttpTarget, type HttpTarget } from '../../test/support/http-target.ts';
import { BenchSession } from './bench.ts';

/** Calls 1.2 s apart: the load lasts 2.4 s, so ticks of a second fall inside it. */
const CALLS = 3;
const GAP_US = 1_200_000;

describe('BenchSession.runLoad', () => {
  let target: HttpTarget;
  let store: Store;
  beforeAll(async () => {
    target = await startHttpTarget((n) => ({ status: 200, body: JSON.stringify({ n }) }));
    store = await openStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'faasbench-bench-')), 'runs.db'));
  });
  afterAll(async () => {
    await store.close();
    await target.close();
  });

  it('reports the calls answered every second while the load runs, and hands on each answer', async () => {
    const run = { kind: 'experiment', name: 'progress', provider: 'http', toolVersion: 'test' };
    const runId = await store.createRun(run);
    const reports: Array<[number, number, string | undefined]> = [];
    const bench = new BenchSession({
      runId,
      run,
      experiment: 'progress',
      provider: await createProvider('http', { url: target.url }),
      store,
      seed: 1,
      signal: new AbortController().signal,
      findPackage: (name) => {
        throw new FaasbenchError('ResourceNotFound', `no function ${name}`);
      },
      storageUrl: '',
      log: () => undefined,
      progress: (done, total, label) => reports.push([done, total, label]),
    });
    const plan = planOf({ functions: ['f'], count: CALLS, durationUs: (CALLS - 1) * GAP_US }, function* (): Generator<PlannedInvocation> {
      for (let seq = 0; seq < CALLS; seq++) yield { seq, offsetUs: seq * GAP_US, fn: 'f', payload: { event: {} }, phase: 'measure' };
    });
    const answers = new Map<number, unknown>();
    try {
      // A call before the load: the load's seqs follow it, and so do the answers' keys.
      await bench.invoke('f');
      const load = await bench.runLoad(plan, { progressLabel: 'calls answered', onAnswer: (seq, response) => answers.set(seq, response) });
      expect(load.status).toBe('completed');
    } finally {
      await bench.close();
    }
    expect([...answers].sort(([a], [b]) => a - b)).toEqual([
      [1, { n: 2 }],
      [2, { n: 3 }],
      [3, { n: 4 }],
    ]);
    // The first report at the start, the last at the end, at least one tick between them.
    expect(reports[0]).toEqual([0, CALLS, 'calls answered']);
    expect(reports.at(-1)).toEqual([CALLS, CALLS, 'calls answered']);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    const done = reports.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  }, 30_000);
});
