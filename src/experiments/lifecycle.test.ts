// The lifecycle's rules between steps, on a real SQLite store and the http provider (nothing is
// called): which step is refused when, what a failed prepare leaves to cleanup, and that cleanup
// ends the lifecycle even when its hook or a removal fails.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { createProvider } from '../providers/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { defineExperiment, type Experiment } from './define.ts';
import { checkInvokeHook, checkStep, LIFECYCLE_KEY, openLifecycle, runAllSteps, runCleanup, type LifecycleState } from './lifecycle.ts';
import { stepWorkload } from './lifecycle-workload.ts';
import type { ExperimentRunSpec } from './runner.ts';

const OPEN: LifecycleState = { id: 'lc-000000000001', provider: 'aws-lambda', preparedIn: 'run-1', deployed: ['hello'] };

function errorOf(work: () => void): FaasbenchError {
  try {
    work();
  } catch (err) {
    return err as FaasbenchError;
  }
  throw new Error('expected an error');
}

async function withStore(work: (store: Store) => Promise<void>): Promise<void> {
  const store = await openStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'lifecycle-')), 'runs.db'));
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

async function specOf(experiment: Experiment, store: Store, logs: string[]): Promise<ExperimentRunSpec> {
  return {
    experiment,
    params: {},
    source: '/studies/steps.ts',
    provider: await createProvider('http', { url: 'http://127.0.0.1:9/' }),
    store,
    seed: 42,
    findPackage: (name) => {
      throw new FaasbenchError('ResourceNotFound', `no function ${name}`);
    },
    storageUrl: '',
    host: null,
    toolVersion: 'test',
    signal: new AbortController().signal,
    log: (message) => logs.push(message),
  };
}

describe('checkStep', () => {
  it('refuses, as usage errors, a prepare while one is open, a later step with none open, and another provider', () => {
    expect(() => checkStep('prepare', 'steps', null, 'local', 'runs.db')).not.toThrow();
    expect(() => checkStep('invoke', 'steps', OPEN, 'aws-lambda', 'runs.db')).not.toThrow();
    const cases: Array<[Parameters<typeof checkStep>[0], LifecycleState | null, string, string]> = [
      ['prepare', OPEN, 'aws-lambda', 'experiment "steps" has lifecycle lc-000000000001 open in runs.db (prepared by run run-1 on aws-lambda): end it with experiment cleanup first'],
      ['test', OPEN, 'local', 'experiment "steps" has lifecycle lc-000000000001 open in runs.db (prepared by run run-1 on aws-lambda): end it with experiment cleanup first'],
      ['invoke', null, 'local', 'experiment "steps" has no lifecycle open in runs.db: run experiment prepare first (cleanup ends a lifecycle)'],
      ['cleanup', null, 'local', 'experiment "steps" has no lifecycle open in runs.db: run experiment prepare first (cleanup ends a lifecycle)'],
      ['cleanup', OPEN, 'local', 'lifecycle lc-000000000001 of experiment "steps" was prepared on aws-lambda (run run-1); its cleanup must run there too, not on local'],
    ];
    for (const [step, state, provider, message] of cases) {
      const error = errorOf(() => checkStep(step, 'steps', state, provider, 'runs.db'));
      expect([error.code, error.reason, error.message]).toEqual(['PreconditionFailed', 'usage', message]);
    }
  });

  it('names the module and the hook it lacks', () => {
    const onlyRun = defineExperiment({ name: 'only-run', description: '', params: z.object({}), run: async () => ({ columns: [], rows: [] }) });
    const error = errorOf(() => checkInvokeHook(onlyRun, '/studies/only-run.ts'));
    expect([error.code, error.message]).toEqual(['InvalidParameterValue', '/studies/only-run.ts: experiment "only-run" has no invoke hook: export invoke(bench, params, workload) beside run for experiment invoke']);
  });
});

describe('runAllSteps and runCleanup', () => {
  it('skips invoke after a failed prepare, still cleans up, and links the runs by one id', async () => {
    await withStore(async (store) => {
      const invoked: string[] = [];
      const broken = defineExperiment({
        name: 'broken-prepare',
        description: '',
        params: z.object({}),
        prepare: async () => {
          throw new Error('no quota');
        },
        run: async () => ({ columns: [], rows: [] }),
        invoke: async (bench) => void invoked.push(bench.runId),
      });
      const logs: string[] = [];
      const steps = await runAllSteps(await specOf(broken, store, logs), stepWorkload({ name: 'sequential', options: { count: '2' } }, 42));
      expect(steps.map((s) => [s.step, s.outcome.status, s.outcome.error?.message ?? null])).toEqual([
        ['prepare', 'failed', 'no quota'],
        ['cleanup', 'completed', null],
      ]);
      expect(invoked).toEqual([]);
      expect(logs).toEqual([`invoke skipped: prepare (run ${steps[0]!.outcome.runId}) failed`]);
      const id = steps[0]!.lifecycleId;
      const params = await Promise.all(steps.map(async (s) => ((await store.getRun(s.outcome.runId))?.params as { lifecycle: unknown }).lifecycle));
      expect(params).toEqual([{ id, step: 'prepare' }, { id, step: 'cleanup' }]);
      expect(await openLifecycle(store, 'broken-prepare')).toBeNull();
    });
  }, 60_000);

  it('ends the lifecycle when the cleanup hook and a removal fail, and says both', async () => {
    await withStore(async (store) => {
      const failing = defineExperiment({
        name: 'failing-cleanup',
        description: '',
        params: z.object({}),
        run: async () => ({ columns: [], rows: [] }),
        cleanup: async () => {
          throw new Error('bucket busy');
        },
      });
      const state: LifecycleState = { id: 'lc-000000000002', provider: 'http', preparedIn: 'run-2', deployed: ['gone'] };
      await store.kvSet('failing-cleanup', LIFECYCLE_KEY, { ...state, deployed: [...state.deployed] });
      const logs: string[] = [];
      const outcome = await runCleanup(await specOf(failing, store, logs), state);
      expect([outcome.status, outcome.error?.message]).toEqual(['failed', 'bucket busy']);
      expect(logs).toEqual(["could not remove gone: provider http cannot remove: it only invokes URLs; manage the function with its platform's tools or another provider (local, aws-lambda, openfaas)"]);
      expect(await openLifecycle(store, 'failing-cleanup')).toBeNull();
    });
  }, 60_000);

  it('refuses a kv value that is not a lifecycle, naming where it is', async () => {
    await withStore(async (store) => {
      await store.kvSet('odd', LIFECYCLE_KEY, { id: 7 });
      await expect(openLifecycle(store, 'odd')).rejects.toThrow(`${store.location}: kv odd/${LIFECYCLE_KEY}: expected { id, provider, preparedIn, deployed: [names] }, got {"id":7}`);
    });
  });
});
