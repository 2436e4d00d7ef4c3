/**
 * Runs one experiment end to end: the run row (params with their defaults, seed, provider, host,
 * tool version: all a rerun needs), prepare, run, cleanup (always, also after a failure or
 * Ctrl-C), removal of what the run deployed, and the final status: completed, failed (records
 * kept) or interrupted.
 */
import type { FunctionPackage } from '../core/function-package.ts';
import type { Provider } from '../core/provider.ts';
import type { JsonValue, Store } from '../store/index.ts';
import { BenchSession } from './bench.ts';
import type { Experiment, ExperimentResult } from './define.ts';

export interface ExperimentRunSpec {
  readonly experiment: Experiment;
  /** Parsed params, defaults filled in. */
  readonly params: Record<string, unknown>;
  /** How to load the experiment again: a built-in's name or a module's absolute path. */
  readonly source: string;
  readonly provider: Provider;
  readonly store: Store;
  readonly seed: number;
  readonly findPackage: (name: string) => FunctionPackage;
  readonly storageUrl: string;
  readonly host: JsonValue;
  readonly toolVersion: string;
  readonly signal: AbortSignal;
  readonly log: (message: string) => void;
  readonly onProgress?: (done: number, total: number, label?: string) => void;
  /** The run that this one repeats, for `experiment rerun`. */
  readonly rerunOf?: string;
}

export interface ExperimentRunResult {
  readonly runId: string;
  readonly status: 'completed' | 'failed' | 'interrupted';
  readonly result: ExperimentResult | null;
  readonly error: Error | null;
}

export async function runExperiment(spec: ExperimentRunSpec): Promise<ExperimentRunResult> {
  const { experiment, store, params } = spec;
  const runId = await store.createRun({
    kind: 'experiment',
    name: experiment.name,
    provider: spec.provider.name,
    params: toJson({ experiment: spec.source, values: params, ...(spec.rerunOf ? { rerunOf: spec.rerunOf } : {}) }),
    seed: spec.seed,
    host: spec.host,
    toolVersion: spec.toolVersion,
  });
  const bench = new BenchSession({
    runId,
    experiment: experiment.name,
    provider: spec.provider,
    store,
    seed: spec.seed,
    signal: spec.signal,
    findPackage: spec.findPackage,
    storageUrl: spec.storageUrl,
    log: spec.log,
    progress: (done, total, label) => {
      spec.onProgress?.(done, total, label);
      void store.updateProgress(runId, { done, total, label: label ?? null }).catch(() => undefined);
    },
  });
  let result: ExperimentResult | null = null;
  let error: Error | null = null;
  try {
    await experiment.prepare?.(bench, params);
    result = await experiment.run(bench, params);
    await bench.record('result', toJson(result));
  } catch (err) {
    error = err instanceof Error ? err : new Error(String(err));
  } finally {
    error = (await cleanUp(spec, bench, params)) ?? error;
  }
  const status = spec.signal.aborted ? 'interrupted' : error ? 'failed' : 'completed';
  await store.finishRun(runId, status, toJson({ result, error: error ? { message: error.message, stack: error.stack ?? null } : null }));
  return { runId, status, result, error };
}

/** The experiment's cleanup, then removal of what it deployed; returns the first failure. */
async function cleanUp(spec: ExperimentRunSpec, bench: BenchSession, params: Record<string, unknown>): Promise<Error | null> {
  let failure: Error | null = null;
  try {
    await spec.experiment.cleanup?.(bench, params);
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    spec.log(`cleanup failed: ${failure.message}`);
  }
  for (const name of bench.deployed.keys()) {
    await spec.provider.remove(name).catch((err: unknown) => spec.log(`could not remove ${name}: ${(err as Error).message}`));
  }
  return failure;
}

function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}
