/**
 * Runs one experiment end to end: the run row (params with their defaults, seed, provider, host,
 * tool version: all a rerun needs), prepare, run, cleanup (always, also after a failure or
 * Ctrl-C), removal of what the run deployed, and the final status: completed, failed (records
 * kept) or interrupted. runStored is that run around any work: lifecycle.ts runs each step of the
 * stepwise lifecycle through it.
 */
import type { CallTracer } from '../spans/client-spans.ts';
import type { FunctionPackage } from '../core/function-package.ts';
import type { Provider } from '../core/provider.ts';
import { CallTally, type CallCounts } from '../analysis/call-tally.ts';
import { finishFailed, HEARTBEAT_INTERVAL_MS, RecordsWaitingError, startHeartbeat, type JsonValue, type RunMeta, type Store } from '../store/index.ts';
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
  /** The provider's options as given (secrets left out), stored so a rerun reaches the same provider. */
  readonly providerOptions?: Readonly<Record<string, unknown>>;
  /** How often the run's heartbeat is refreshed (default HEARTBEAT_INTERVAL_MS). */
  readonly heartbeatMs?: number;
  /** A client span per call (--otlp, --zipkin). */
  readonly spans?: CallTracer;
}

export interface ExperimentRunResult {
  readonly runId: string;
  readonly status: 'completed' | 'failed' | 'interrupted';
  readonly result: ExperimentResult | null;
  readonly error: Error | null;
  /** The run's stored calls, counted when it ended (failed ones by class); null when the store could not be read. */
  readonly calls: CallCounts | null;
}

export async function runExperiment(spec: ExperimentRunSpec): Promise<ExperimentRunResult> {
  const { experiment, params } = spec;
  return runStored(spec, {
    main: async (bench) => {
      await experiment.prepare?.(bench, params);
      return experiment.run(bench, params);
    },
    end: (bench) => cleanUp(spec, bench, params),
  });
}

/** What one stored run does with its bench (a whole experiment, or one step of its lifecycle). */
export interface RunWork {
  /** Stored in the run's params beside the experiment and its values (a lifecycle's id and step). */
  readonly params?: Readonly<Record<string, JsonValue>>;
  /** The run's work; a result it returns is stored as the run's result row. */
  main(bench: BenchSession): Promise<ExperimentResult | null>;
  /** Always follows main, after a failure or Ctrl-C too; returns its failure rather than throwing. */
  end(bench: BenchSession): Promise<Error | null>;
}

/** One run in the store around `work`: the run row, heartbeat, bench, and the final status with the calls' counts. */
export async function runStored(spec: ExperimentRunSpec, work: RunWork): Promise<ExperimentRunResult> {
  const { experiment, store, params } = spec;
  const run: RunMeta = {
    kind: 'experiment',
    name: experiment.name,
    provider: spec.provider.name,
    params: toJson({ experiment: spec.source, values: params, ...work.params, ...(spec.rerunOf ? { rerunOf: spec.rerunOf } : {}), ...(spec.providerOptions ? { providerOptions: spec.providerOptions } : {}) }),
    seed: spec.seed,
    host: spec.host,
    toolVersion: spec.toolVersion,
  };
  const runId = await store.createRun(run);
  // Experiments have long quiet stretches (an idle-timeout probe sleeps minutes): the heartbeat, not progress, says the run is alive.
  const heartbeat = startHeartbeat(store, runId, spec.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
  const bench = new BenchSession({
    runId,
    run,
    experiment: experiment.name,
    provider: spec.provider,
    store,
    seed: spec.seed,
    signal: spec.signal,
    findPackage: spec.findPackage,
    storageUrl: spec.storageUrl,
    log: spec.log,
    ...(spec.spans ? { spans: spec.spans } : {}),
    progress: (done, total, label) => {
      spec.onProgress?.(done, total, label);
      void store.updateProgress(runId, { done, total, label: label ?? null }).catch(() => undefined);
    },
  });
  let result: ExperimentResult | null = null;
  let error: Error | null = null;
  /** Why the result row could not be stored; the result is then printed, so it is not lost. */
  let resultUnstored: string | null = null;
  try {
    result = await work.main(bench);
    if (result !== null) resultUnstored = await storeResult(spec, bench, result);
  } catch (err) {
    error = err instanceof Error ? err : new Error(String(err));
  } finally {
    error = (await work.end(bench)) ?? error;
  }
  const status = spec.signal.aborted ? 'interrupted' : error ? 'failed' : 'completed';
  const outcome = { result, error: error ? { message: error.message, stack: error.stack ?? null } : null };
  // The run's one sink: what the store did not take is in a journal, which ends with how the run ended.
  const kept = await bench.close({ status, summary: toJson({ ...outcome, calls: null }) }).finally(() => heartbeat.stop());
  if (kept.waiting > 0) throw new RecordsWaitingError(kept, store.location, runId);
  const calls = await countCalls(store, runId);
  // The calls' counts go with the result, so a stored run that had failed calls never reads as clean.
  try {
    await store.finishRun(runId, status, toJson({ ...outcome, calls }));
  } catch (err) {
    throw finishFailed(store.location, runId, status, err, resultUnstored === null ? undefined : 'every call of the run is stored, but not its result row (printed above)');
  }
  return { runId, status, result, error, calls };
}

/** Stores the result row; when the store fails, prints the result instead and returns why. */
async function storeResult(spec: ExperimentRunSpec, bench: BenchSession, result: ExperimentResult): Promise<string | null> {
  try {
    await bench.record('result', toJson(result));
    return null;
  } catch (err) {
    const why = (err as Error)?.message ?? String(err);
    spec.log(`the store ${spec.store.location} did not take the result row (${why}); the result: ${JSON.stringify(toJson(result))}`);
    return why;
  }
}

/** The run's stored calls, counted (not timed) as every other view counts them. */
async function countCalls(store: Store, runId: string): Promise<CallCounts | null> {
  const tally = new CallTally();
  try {
    for await (const page of store.recordPages(runId, ['phase', 'status', 'errorClass', 'latencyMs', 'plannedUs', 'sentUs'])) for (const r of page) tally.add(r, false);
  } catch {
    return null;
  }
  return tally.counts();
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
  await removeFunctions(spec, bench.deployed.keys());
  return failure;
}

/** Removes deployed functions; one that cannot be removed is said, and the others are still removed. */
export async function removeFunctions(spec: Pick<ExperimentRunSpec, 'provider' | 'log'>, names: Iterable<string>): Promise<void> {
  for (const name of names) {
    await spec.provider.remove(name).catch((err: unknown) => spec.log(`could not remove ${name}: ${(err as Error).message}`));
  }
}

function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}
