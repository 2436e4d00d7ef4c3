// An experiment whose store fails as it ends: exit 4's error, never a raw driver stack.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { createProvider } from '../providers/index.ts';
import { openStore, StoreFailureError, type Store } from '../store/index.ts';
import { defineExperiment } from './define.ts';
import { runExperiment } from './runner.ts';

const quiet = defineExperiment({
  name: 'quiet',
  description: 'records a row and answers',
  params: z.object({}),
  async run(bench) {
    await bench.record('probe', { ok: true });
    return { columns: ['answer'], rows: [[42]] };
  },
});

async function run(store: Store) {
  return runExperiment({
    experiment: quiet,
    params: {},
    source: 'quiet',
    provider: await createProvider('http', { url: 'http://127.0.0.1:9/' }),
    store,
    seed: 1,
    findPackage: (name) => {
      throw new FaasbenchError('ResourceNotFound', `no function ${name}`);
    },
    storageUrl: '',
    host: null,
    toolVersion: 'test',
    signal: new AbortController().signal,
    log: () => undefined,
  });
}

describe('runExperiment when the store fails at the end', () => {
  it('throws a StoreFailureError naming the run and the status it could not store', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'runner-')), 'runs.db');
    const store = await openStore(file);
    const failing = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'finishRun') return () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    try {
      const error = await run(failing).then(() => null, (err: unknown) => err);
      expect(error).toBeInstanceOf(StoreFailureError);
      const runs = await store.listRuns();
      expect(runs.map((r) => r.name)).toEqual(['quiet']);
      expect((error as Error).message).toBe(
        `the store ${store.location} failed as run ${runs[0]!.id} ended (connect ECONNREFUSED 127.0.0.1:5432): every record of the run is stored, but it could not be marked completed; it will show as abandoned`,
      );
      // The run is still there, unfinished, with its row.
      expect(runs[0]!.status).toBe('running');
    } finally {
      await store.close();
    }
  });

  it('finishes the run normally when the store answers', async () => {
    const store = await openStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'runner-')), 'runs.db'));
    try {
      const result = await run(store);
      expect([result.status, result.error, result.result?.rows]).toEqual(['completed', null, [[42]]]);
      expect((await store.getRun(result.runId))?.status).toBe('completed');
    } finally {
      await store.close();
    }
  });
});
