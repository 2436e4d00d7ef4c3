/**
 * One load run, wired end to end: provider (starting the local platform in a child process when no
 * URL is given), deployment, payload, plan (pattern, shard), store (run row, batched records), the invoker,
 * live progress and Ctrl-C. Everything here is wiring; behaviour lives in the folders it calls.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { FunctionPackage, FunctionSettingsInput } from '../core/function-package.ts';
import { shardOf, type LoadPlan } from '../core/load-plan.ts';
import type { Provider } from '../core/provider.ts';
import { createProvider, type ProviderOptions } from '../providers/index.ts';
import type { RunStore } from '../store/run-store.ts';
import { resolveInput } from '../workload/function-inputs.ts';
import type { Threshold } from '../analysis/thresholds.ts';
import { patternNamed, planPattern } from '../workload/registry.ts';
import { executePlan, type PlanRunResult } from './plan-execution.ts';
import { heartbeatIntervalMs } from './option-parsers.ts';
import { startPlatformProcess } from './platform-process.ts';
import { loadRunStore } from './store-path.ts';
import { platformSpanArgs } from './span-options.ts';
import type { Collectors } from '../spans/collectors.ts';
import { transferable } from '../invoker-threads/shard-payloads.ts';
import type { ShardThreads } from '../invoker-threads/shard-threads.ts';
import type { WorkerCount } from '../invoker-threads/worker-count.ts';
import { chooseWorkers, sayWorkers, workerThreads } from './run-workers.ts';

export interface LoadRunSpec {
  readonly fn: string;
  /** The function's folder: where named inputs come from, and what is deployed unless `deploy` is false. */
  readonly pkg: FunctionPackage | null;
  /** Default true: deploy `pkg` before the run. */
  readonly deploy?: boolean;
  readonly deployOverrides: Partial<FunctionSettingsInput>;
  readonly provider: string;
  readonly providerOptions: ProviderOptions;
  readonly pattern: { readonly name: string; readonly options: Readonly<Record<string, string>> };
  readonly payload: { readonly input: string } | { readonly event: unknown };
  readonly seed: number;
  readonly store: string | undefined;
  /** The run's label (`--label`), if any. */
  readonly label?: string | undefined;
  /** Bucket root for generated inputs when the provider is not the in-process platform. */
  readonly storageUrl: string | undefined;
  readonly shard: { readonly index: number; readonly total: number } | undefined;
  /** Shared by all shards of one run; shard 0 creates and finishes it. */
  readonly runId: string | undefined;
  /** Epoch ms at which offset 0 falls; shards on several hosts agree on it. */
  readonly startAtMs: number | undefined;
  readonly maxInFlight: number;
  readonly showProgress: boolean;
  readonly thresholds?: readonly Threshold[];
  /** Collectors for the calls' spans, and the local platform's. */
  readonly spans?: Collectors | undefined;
  /** Worker threads that send the plan (`--workers`); undefined: the default (run-workers.ts). */
  readonly workers?: number | undefined;
}

export type LoadRunResult = PlanRunResult;

export async function runLoad(spec: LoadRunSpec): Promise<LoadRunResult> {
  // Every input is checked before anything is started or created: a refused command leaves no store file behind.
  const plan = planFor(spec);
  const heartbeatMs = heartbeatIntervalMs();
  checkInput(spec);
  if (spec.shard !== undefined && spec.shard.index > 0 && !spec.runId) throw new FaasbenchError('InvalidParameterValue', '--shard i/n with i > 0 joins a run: give the same --run-id as shard 0', { reason: 'usage' });
  const workers = chooseWorkers({ requested: spec.workers, provider: spec.provider, providerOptions: spec.providerOptions, plan, spans: spec.spans !== undefined, maxInFlight: spec.maxInFlight });
  const platform = spec.provider === 'local' && spec.providerOptions.url === undefined ? await startPlatformProcess(platformSpanArgs(spec.spans)) : null;
  const owned: Array<{ close(): Promise<void> }> = [];
  try {
    const providerOptions = platform ? { ...spec.providerOptions, url: platform.url } : spec.providerOptions;
    const provider = await createProvider(spec.provider, providerOptions);
    owned.push(provider);
    const store = loadRunStore(spec.store, spec.label);
    owned.push(store);
    if (spec.deploy !== false && spec.pkg) await provider.deploy(spec.pkg, spec.deployOverrides);
    const payload = Buffer.from(JSON.stringify(await eventOf(spec, platform?.storageUrl ?? spec.storageUrl)));
    const threads = await startWorkers(spec, plan, workers, providerOptions, payload);
    if (threads) owned.push(threads);
    return await measure(spec, { plan, heartbeatMs }, provider, store, payload, threads);
  } finally {
    for (const resource of owned.reverse()) await resource.close();
    await platform?.stop();
  }
}

/** A named input the package does not have, known without generating anything. */
function checkInput(spec: LoadRunSpec): void {
  if ('event' in spec.payload) return;
  if (!spec.pkg) throw new FaasbenchError('InvalidParameterValue', `--input ${spec.payload.input} needs the function's folder (it names inputs); give --payload instead`);
  const { inputs, inputGenerator } = spec.pkg.manifest;
  if (!inputGenerator && !(spec.payload.input in inputs)) {
    throw new FaasbenchError('InvalidParameterValue', `function ${spec.pkg.manifest.name} has no input "${spec.payload.input}" (it has: ${Object.keys(inputs).join(', ') || 'none'})`);
  }
}

async function eventOf(spec: LoadRunSpec, storageUrl: string | undefined): Promise<unknown> {
  if ('event' in spec.payload) return spec.payload.event;
  if (!spec.pkg) throw new FaasbenchError('InvalidParameterValue', `--input ${spec.payload.input} needs the function's folder (it names inputs); give --payload instead`);
  return resolveInput(spec.pkg, spec.payload.input, { seed: spec.seed, storageUrl: storageUrl ?? process.env.FAASBENCH_STORAGE_URL ?? '' });
}

/** The pattern's options as planned: --seed fills in a seed the pattern takes and was not given. */
function patternOptions(spec: LoadRunSpec): Readonly<Record<string, string>> {
  const takesSeed = patternNamed(spec.pattern.name).optionNames.includes('seed');
  return takesSeed && spec.pattern.options.seed === undefined ? { ...spec.pattern.options, seed: String(spec.seed) } : spec.pattern.options;
}

function planFor(spec: LoadRunSpec): LoadPlan {
  const plan = planPattern(spec.pattern.name, patternOptions(spec), { fn: spec.fn, payload: { event: null } });
  if (!spec.shard) return plan;
  try {
    return shardOf(plan, spec.shard.index, spec.shard.total);
  } catch (err) {
    // A sequential plan cannot be split: bad input, said as such.
    throw new FaasbenchError('InvalidParameterValue', `--shard ${(err as Error).message.replace(/^shard /, '')}`);
  }
}

/** The worker threads, ready, when more than one sends the plan (each builds the pattern's plan again). */
async function startWorkers(spec: LoadRunSpec, plan: LoadPlan, workers: WorkerCount, providerOptions: ProviderOptions, payload: Buffer): Promise<ShardThreads | null> {
  sayWorkers(workers, plan, spec.showProgress);
  return workerThreads(workers, {
    source: { kind: 'pattern', name: spec.pattern.name, options: patternOptions(spec), fn: spec.fn },
    processShard: spec.shard,
    provider: { name: spec.provider, options: providerOptions },
    payloads: { kind: 'one', body: transferable(payload) },
    maxInFlight: spec.maxInFlight,
  });
}

async function measure(spec: LoadRunSpec, { plan, heartbeatMs }: { plan: LoadPlan; heartbeatMs: number }, provider: Provider, store: RunStore, payload: Buffer, threads: ShardThreads | null): Promise<LoadRunResult> {
  return executePlan({
    provider,
    store,
    plan,
    payloadOf: () => payload,
    run: { kind: 'invoke', name: spec.fn, provider: spec.provider, params: { pattern: spec.pattern.name, options: spec.pattern.options, payload: spec.payload, shard: spec.shard ?? null, maxInFlight: spec.maxInFlight }, seed: spec.seed },
    shard: spec.shard,
    runId: spec.runId,
    startAtMs: spec.startAtMs,
    maxInFlight: spec.maxInFlight,
    showProgress: spec.showProgress,
    heartbeatMs,
    ...(spec.thresholds ? { thresholds: spec.thresholds } : {}),
    spans: spec.spans,
    ...(threads ? { runPlan: threads.run } : {}),
  });
}
