/**
 * One load run, wired end to end: provider (starting the local platform in a child process when no
 * URL is given), deployment, payload, plan (pattern, shard), store (run row, batched records), the invoker,
 * live progress and Ctrl-C. Everything here is wiring; behaviour lives in the folders it calls.
 */
import { readFileSync } from 'node:fs';
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import type { FunctionPackage, FunctionSettingsInput } from '../core/function-package.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { shardOf, type LoadPlan } from '../core/load-plan.ts';
import type { Provider } from '../core/provider.ts';
import { SummaryBuilder, type RunSummary } from '../analysis/latency-summary.ts';
import { runPlan, type RecordSink } from '../invoker/invoker.ts';
import { Progress } from '../invoker/progress.ts';
import { createProvider, type ProviderOptions } from '../providers/index.ts';
import { openStore, type JsonValue, type Store } from '../store/index.ts';
import { resolveInput } from '../workload/function-inputs.ts';
import { patternNamed, planPattern } from '../workload/registry.ts';
import { hostFacts } from './host-facts.ts';
import { startPlatformProcess } from './platform-process.ts';
import { startProgress } from './progress-line.ts';

const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** Records reach the store at least this often, so a kill -9 loses under a second of them. */
const SINK_FLUSH_MS = 200;

export interface LoadRunSpec {
  readonly fn: string;
  /** Deployed before the run when given. */
  readonly pkg: FunctionPackage | null;
  readonly deployOverrides: Partial<FunctionSettingsInput>;
  readonly provider: string;
  readonly providerOptions: ProviderOptions;
  readonly pattern: { readonly name: string; readonly options: Readonly<Record<string, string>> };
  readonly payload: { readonly input: string } | { readonly event: unknown };
  readonly seed: number;
  readonly store: string | undefined;
  /** Bucket root for generated inputs when the provider is not the in-process platform. */
  readonly storageUrl: string | undefined;
  readonly shard: { readonly index: number; readonly total: number } | undefined;
  /** Shared by all shards of one run; shard 0 creates and finishes it. */
  readonly runId: string | undefined;
  /** Epoch ms at which offset 0 falls; shards on several hosts agree on it. */
  readonly startAtMs: number | undefined;
  readonly maxInFlight: number;
  readonly showProgress: boolean;
}

export interface LoadRunResult {
  readonly runId: string;
  readonly status: 'completed' | 'interrupted';
  readonly summary: RunSummary;
  /** The payload of the last answer, for a person who invoked once to read. */
  readonly lastPayload: Buffer | null;
}

export async function runLoad(spec: LoadRunSpec): Promise<LoadRunResult> {
  const platform = spec.provider === 'local' && spec.providerOptions.url === undefined ? await startPlatformProcess() : null;
  const owned: Array<{ close(): Promise<void> }> = [];
  try {
    const provider = await createProvider(spec.provider, platform ? { ...spec.providerOptions, url: platform.url } : spec.providerOptions);
    owned.push(provider);
    const store = await openStore(spec.store);
    owned.push(store);
    if (spec.pkg) await provider.deploy(spec.pkg, spec.deployOverrides);
    const event = await eventOf(spec, platform?.storageUrl ?? spec.storageUrl);
    return await measure(spec, provider, store, Buffer.from(JSON.stringify(event)));
  } finally {
    for (const resource of owned.reverse()) await resource.close();
    await platform?.stop();
  }
}

async function eventOf(spec: LoadRunSpec, storageUrl: string | undefined): Promise<unknown> {
  if ('event' in spec.payload) return spec.payload.event;
  if (!spec.pkg) throw new FaasbenchError('InvalidParameterValue', `--input ${spec.payload.input} needs the function's folder (it names inputs); give --payload instead`);
  return resolveInput(spec.pkg, spec.payload.input, { seed: spec.seed, storageUrl: storageUrl ?? process.env.FAASBENCH_STORAGE_URL ?? '' });
}

function planFor(spec: LoadRunSpec): LoadPlan {
  const takesSeed = patternNamed(spec.pattern.name).optionNames.includes('seed');
  const options = takesSeed && spec.pattern.options.seed === undefined ? { ...spec.pattern.options, seed: String(spec.seed) } : spec.pattern.options;
  const plan = planPattern(spec.pattern.name, options, { fn: spec.fn, payload: { event: null } });
  return spec.shard ? shardOf(plan, spec.shard.index, spec.shard.total) : plan;
}

async function openRun(spec: LoadRunSpec, store: Store): Promise<string> {
  const joining = spec.shard !== undefined && spec.shard.index > 0;
  if (joining) {
    if (!spec.runId) throw new FaasbenchError('InvalidParameterValue', '--shard i/n with i > 0 joins a run: give the same --run-id as shard 0');
    return spec.runId;
  }
  return store.createRun({
    ...(spec.runId ? { id: spec.runId } : {}),
    kind: 'invoke',
    name: spec.fn,
    provider: spec.provider,
    params: toJson({ pattern: spec.pattern.name, options: spec.pattern.options, payload: spec.payload, shard: spec.shard ?? null, maxInFlight: spec.maxInFlight }),
    seed: spec.seed,
    host: hostFacts(),
    toolVersion: TOOL_VERSION,
  });
}

async function measure(spec: LoadRunSpec, provider: Provider, store: Store, payload: Buffer): Promise<LoadRunResult> {
  const plan = planFor(spec);
  const runId = await openRun(spec, store);
  const summary = new SummaryBuilder();
  const sink = new BatchingSink(store, summary);
  const progress = new Progress(plan.count);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const stopProgress = startProgress(() => progress.snapshot(), spec.showProgress);
  let status: 'completed' | 'interrupted' = 'interrupted';
  let lastPayload: Buffer | null = null;
  try {
    const outcome = await runPlan({
      runId,
      plan,
      provider,
      payloadOf: () => payload,
      sink,
      maxInFlight: spec.maxInFlight,
      signal: controller.signal,
      progress,
      onAnswer: (_call, result) => (lastPayload = result.payload),
      ...(spec.startAtMs !== undefined ? { startUs: spec.startAtMs * 1000 } : {}),
    });
    status = outcome.status;
  } finally {
    process.removeListener('SIGINT', onSigint);
    stopProgress();
    await sink.close();
    const ownsRun = spec.shard === undefined || spec.shard.index === 0;
    if (ownsRun) await finish(store, runId, status, summary.summary());
  }
  return { runId, status, summary: summary.summary(), lastPayload };
}

async function finish(store: Store, runId: string, status: 'completed' | 'interrupted', summary: RunSummary): Promise<void> {
  try {
    await store.finishRun(runId, status, toJson(summary));
  } catch (err) {
    if (!isFaasbenchError(err, 'ResourceConflict')) throw err;
  }
}

/** Plain data for a JSON column: what JSON.stringify keeps of it. */
function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/**
 * The invoker writes synchronously; records are handed to the store in batches off the send path,
 * at least every SINK_FLUSH_MS.
 */
class BatchingSink implements RecordSink {
  private batch: InvocationRecord[] = [];
  private readonly timer = setInterval(() => void this.hand(), SINK_FLUSH_MS);
  private failure: unknown;

  constructor(
    private readonly store: Store,
    private readonly summary: SummaryBuilder,
  ) {}

  write(record: InvocationRecord): void {
    this.batch.push(record);
    this.summary.add(record);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.hand();
    await this.store.flush();
    if (this.failure) throw this.failure;
  }

  private async hand(): Promise<void> {
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    await this.store.appendRecords(records).catch((err: unknown) => {
      this.failure ??= err;
    });
  }
}
