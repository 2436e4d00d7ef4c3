/**
 * The stepwise lifecycle, as the Serverless Benchmarker runs a benchmark: prepare (deploy), invoke
 * (a load, as often as wanted), cleanup, each its own run in the store, as commands hours or days
 * apart or all three in one (`experiment test`). One lifecycle id links the runs (in each run's
 * params). The open lifecycle (its id, provider, and what its steps deployed) is kept in the
 * experiment's kv under LIFECYCLE_KEY: prepare opens it, cleanup removes what its steps deployed
 * and ends it, since a function deployed by one command must outlive that command.
 */
import { randomBytes } from 'node:crypto';
import { FaasbenchError } from '../core/errors.ts';
import type { JsonValue, Store } from '../store/index.ts';
import type { BenchSession } from './bench.ts';
import type { Experiment, StepWorkload } from './define.ts';
import { removeFunctions, runStored, type ExperimentRunResult, type ExperimentRunSpec } from './runner.ts';

export const LIFECYCLE_STEPS = ['prepare', 'invoke', 'cleanup'] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

/** The experiment's kv key of its open lifecycle; a module's own keys are any others. */
export const LIFECYCLE_KEY = 'faasbench.lifecycle';

export interface LifecycleState {
  readonly id: string;
  /** The provider prepare deployed to: the later steps must reach the same one. */
  readonly provider: string;
  /** The prepare step's run. */
  readonly preparedIn: string;
  /** What the lifecycle's steps deployed: its cleanup removes them. */
  readonly deployed: readonly string[];
}

/** One step's run, with the lifecycle it belongs to. */
export interface StepOutcome {
  readonly step: LifecycleStep;
  readonly lifecycleId: string;
  readonly outcome: ExperimentRunResult;
}

/** A new lifecycle's id: random, since two lifecycles of one seed are still two. */
export function newLifecycleId(): string {
  return `lc-${randomBytes(6).toString('hex')}`;
}

/** The experiment's open lifecycle in `store`, or null when none is (no prepare, or cleanup ended it). */
export async function openLifecycle(store: Store, experiment: string): Promise<LifecycleState | null> {
  const value = await store.kvGet(experiment, LIFECYCLE_KEY);
  return value === undefined ? null : stateOf(value, `${store.location}: kv ${experiment}/${LIFECYCLE_KEY}`);
}

function stateOf(value: JsonValue, where: string): LifecycleState {
  const v = value as Partial<Record<keyof LifecycleState, unknown>> | null;
  const ok = typeof v?.id === 'string' && typeof v.provider === 'string' && typeof v.preparedIn === 'string' && Array.isArray(v.deployed) && v.deployed.every((d) => typeof d === 'string');
  if (!ok) throw new FaasbenchError('InvalidParameterValue', `${where}: expected { id, provider, preparedIn, deployed: [names] }, got ${JSON.stringify(value)}`);
  return v as LifecycleState;
}

/** A module run as `experiment invoke` without an invoke hook: refused, naming the module and the hook. */
export function checkInvokeHook(experiment: Experiment, source: string): void {
  if (experiment.invoke) return;
  throw new FaasbenchError('InvalidParameterValue', `${source}: experiment "${experiment.name}" has no invoke hook: export invoke(bench, params, workload) beside run for experiment invoke`);
}

/**
 * Refuses a step the open lifecycle does not allow (a usage error, before anything starts):
 * prepare while one is open (its deployments would be lost track of), invoke or cleanup with none
 * open, or on another provider than prepare's.
 */
export function checkStep(step: LifecycleStep | 'test', experiment: string, state: LifecycleState | null, provider: string, where: string): void {
  if (step === 'prepare' || step === 'test') {
    if (state === null) return;
    throw usage(`experiment "${experiment}" has lifecycle ${state.id} open in ${where} (prepared by run ${state.preparedIn} on ${state.provider}): end it with experiment cleanup first`);
  }
  if (state === null) throw usage(`experiment "${experiment}" has no lifecycle open in ${where}: run experiment prepare first (cleanup ends a lifecycle)`);
  if (state.provider !== provider) throw usage(`lifecycle ${state.id} of experiment "${experiment}" was prepared on ${state.provider} (run ${state.preparedIn}); its ${step} must run there too, not on ${provider}`);
}

function usage(message: string): FaasbenchError {
  return new FaasbenchError('PreconditionFailed', message, { reason: 'usage' });
}

/** The prepare step: opens lifecycle `id` in kv, then runs the module's prepare. */
export function runPrepare(spec: ExperimentRunSpec, id: string): Promise<ExperimentRunResult> {
  return runStored(spec, {
    params: { lifecycle: { id, step: 'prepare' } },
    main: async (bench) => {
      const state: LifecycleState = { id, provider: spec.provider.name, preparedIn: bench.runId, deployed: [] };
      await bench.kv.set(LIFECYCLE_KEY, toJson(state));
      await spec.experiment.prepare?.(bench, spec.params);
      return null;
    },
    end: (bench) => keepDeployed(bench, id),
  });
}

/** The invoke step of an open lifecycle: the module's invoke hook with the workload. */
export function runInvoke(spec: ExperimentRunSpec, state: LifecycleState, workload: StepWorkload): Promise<ExperimentRunResult> {
  const { experiment } = spec;
  return runStored(spec, {
    params: { lifecycle: { id: state.id, step: 'invoke' }, workload: { pattern: workload.pattern, options: workload.options } },
    main: async (bench) => {
      if (!experiment.invoke) throw new Error(`experiment "${experiment.name}" has no invoke hook`);
      return (await experiment.invoke(bench, spec.params, workload)) ?? null;
    },
    end: (bench) => keepDeployed(bench, state.id),
  });
}

/**
 * The cleanup step: the module's cleanup, then removal of what the lifecycle's steps deployed;
 * it ends the lifecycle even when the hook fails (the run says so), so a broken cleanup never
 * blocks the next prepare.
 */
export function runCleanup(spec: ExperimentRunSpec, state: LifecycleState): Promise<ExperimentRunResult> {
  return runStored(spec, {
    params: { lifecycle: { id: state.id, step: 'cleanup' } },
    main: async (bench) => {
      await spec.experiment.cleanup?.(bench, spec.params);
      return null;
    },
    end: async (bench) => {
      try {
        await removeFunctions(spec, new Set([...state.deployed, ...bench.deployed.keys()]));
        await bench.kv.delete(LIFECYCLE_KEY);
        return null;
      } catch (err) {
        return asError(err);
      }
    },
  });
}

/**
 * `experiment test`: prepare, invoke and cleanup under one lifecycle id, three runs. Invoke runs
 * only after a completed prepare; cleanup always runs, as a whole run's cleanup does.
 */
export async function runAllSteps(spec: ExperimentRunSpec, workload: StepWorkload, onStep?: (step: LifecycleStep) => void): Promise<StepOutcome[]> {
  const lifecycleId = newLifecycleId();
  onStep?.('prepare');
  const prepared = await runPrepare(spec, lifecycleId);
  const outcomes: StepOutcome[] = [{ step: 'prepare', lifecycleId, outcome: prepared }];
  // prepare keeps what it deployed in kv as it ends; when the store did not take even that, nothing is known deployed.
  const state = (await openLifecycle(spec.store, spec.experiment.name).catch(() => null)) ?? { id: lifecycleId, provider: spec.provider.name, preparedIn: prepared.runId, deployed: [] };
  if (prepared.status === 'completed') {
    onStep?.('invoke');
    outcomes.push({ step: 'invoke', lifecycleId, outcome: await runInvoke(spec, state, workload) });
  } else {
    spec.log(`invoke skipped: prepare (run ${prepared.runId}) ${prepared.status}`);
  }
  onStep?.('cleanup');
  outcomes.push({ step: 'cleanup', lifecycleId, outcome: await runCleanup(spec, state) });
  return outcomes;
}

/** Adds what this step deployed to the lifecycle's list, for its cleanup; returns a failure rather than throwing. */
async function keepDeployed(bench: BenchSession, id: string): Promise<Error | null> {
  if (bench.deployed.size === 0) return null;
  try {
    const stored = await bench.kv.get(LIFECYCLE_KEY);
    const state = stored === undefined ? null : stateOf(stored, `kv ${LIFECYCLE_KEY}`);
    if (state?.id !== id) return new Error(`lifecycle ${id} is no longer open: ${[...bench.deployed.keys()].join(', ')} stay deployed`);
    await bench.kv.set(LIFECYCLE_KEY, toJson({ ...state, deployed: [...new Set([...state.deployed, ...bench.deployed.keys()])] }));
    return null;
  } catch (err) {
    return asError(err);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function toJson(value: LifecycleState): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
