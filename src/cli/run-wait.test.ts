import { describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { openStore, type Store } from '../store/index.ts';
import { RUN } from '../store/testing/run-meta.ts';
import { awaitRun } from './run-wait.ts';

describe('awaitRun: a joining shard waits for shard 0 to create its run', () => {
  it('returns once the run exists, having said once that it waits', async () => {
    const store = await openStore(':memory:');
    try {
      const said: string[] = [];
      const waiting = awaitRun({ store, runId: 'r-late', signal: new AbortController().signal, say: (m) => said.push(m), timeoutMs: 20_000 });
      setTimeout(() => void store.createRun({ ...RUN, id: 'r-late' }), 300);
      expect(await waiting).toMatchObject({ id: 'r-late', name: RUN.name });
      expect(said).toEqual(['waiting for shard 0 to create run r-late (0 s so far; Ctrl-C to stop)']);
    } finally {
      await store.close();
    }
  });

  it('polls on through a store that fails (saying so once) and returns once the run exists', async () => {
    const store = await openStore(':memory:');
    try {
      await store.createRun({ ...RUN, id: 'r-flaky' });
      // The real store, whose first three reads fail as a restarting server's would.
      let reads = 0;
      const getRun = (id: string) => (++reads <= 3 ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : store.getRun(id));
      const flaky = new Proxy(store, { get: (target, key) => (key === 'getRun' ? getRun : (Reflect.get(target, key, target) as unknown)) }) as Store;
      const said: string[] = [];
      expect(await awaitRun({ store: flaky, runId: 'r-flaky', signal: new AbortController().signal, say: (m) => said.push(m), timeoutMs: 60_000 })).toMatchObject({ id: 'r-flaky' });
      expect(reads).toBe(4);
      expect(said).toEqual([
        'the store :memory: failed while waiting for run r-flaky (connect ECONNREFUSED 127.0.0.1:5432): still waiting',
        'waiting for shard 0 to create run r-flaky (0 s so far; Ctrl-C to stop)',
      ]);
    } finally {
      await store.close();
    }
  });

  it('gives up after its bound with a message saying what to do, and stops at once when aborted', async () => {
    const store = await openStore(':memory:');
    try {
      const err = await awaitRun({ store, runId: 'r-never', signal: new AbortController().signal, say: () => undefined, timeoutMs: 200 }).catch((e: unknown) => e);
      expect(isFaasbenchError(err, 'ResourceNotFound')).toBe(true);
      expect((err as Error).message).toMatch(/^no run r-never in the store after waiting 0 s for shard 0 to create it: start shard 0 with --run-id r-never and the same --store$/);
      const controller = new AbortController();
      const aborted = awaitRun({ store, runId: 'r-never', signal: controller.signal, say: () => undefined, timeoutMs: 60_000 });
      setTimeout(() => controller.abort(), 100);
      expect(await aborted).toBeNull();
    } finally {
      await store.close();
    }
  });
});
