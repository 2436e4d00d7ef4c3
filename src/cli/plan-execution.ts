/**
 * Runs one plan against a provider and keeps every record: the run row (shard 0 creates and
 * finishes it), batched records, live progress, and Ctrl-C (stop sending, await calls in flight,
 * mark the run interrupted). Shared by `invoke` and `trace replay`, which differ only in the plan
 * and the payloads they hand over.
 */
import { readFileSync } from 'node:fs';
import { isFaasbenchError, FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';
import type { Provider } from '../core/provider.ts';
import { SummaryBuilder, type RunSummary } from '../analysis/latency-summary.ts';
import { runPlan, type RecordSink } from '../invoker/invoker.ts';
import { Progress } from '../invoker/progress.ts';
import { settleHeap } from '../invoker/settle-heap.ts';
import type { JsonValue, Store } from '../store/index.ts';
import { hostFacts } from './host-facts.ts';
import { startProgress } from './progress-line.ts';

const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** Records reach the store at least this often, so a kill -9 loses under a second of them. */
const SINK_FLUSH_MS = 200;
/** A dashboard reads a running run's progress from the store: it is at most this stale. */
const STORED_PROGRESS_MS = 1000;

export interface PlanRun {
  readonly provider: Provider;
  readonly store: Store;
  readonly plan: LoadPlan;
  readonly payloadOf: (call: PlannedInvocation) => Buffer;
  /** What the run row says about the run. */
  readonly run: { readonly kind: string; readonly name: string; readonly provider: string; readonly params: unknown; readonly seed: number };
  readonly shard: { readonly index: number; readonly total: number } | undefined;
  /** Shared by all shards of one run; shard 0 creates and finishes it. */
  readonly runId: string | undefined;
  /** Epoch ms at which offset 0 falls; shards on several hosts agree on it. */
  readonly startAtMs: number | undefined;
  readonly maxInFlight: number;
  readonly showProgress: boolean;
}

export interface PlanRunResult {
  readonly runId: string;
  readonly status: 'completed' | 'interrupted';
  readonly summary: RunSummary;
  /** The payload of the last answer, for a person who invoked once to read. */
  readonly lastPayload: Buffer | null;
}

export async function executePlan(spec: PlanRun): Promise<PlanRunResult> {
  const { plan, provider, store } = spec;
  const runId = await openRun(spec);
  const summary = new SummaryBuilder();
  const sink = new BatchingSink(store, summary);
  const progress = new Progress(plan.count);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const stopProgress = startProgress(() => progress.snapshot(), spec.showProgress);
  const ownsRun = spec.shard === undefined || spec.shard.index === 0;
  // Shard 0 alone: shards writing one run's progress row would overwrite each other's counts.
  const storeProgress = (): Promise<void> => store.updateProgress(runId, toJson(progress.snapshot())).catch(() => undefined);
  const progressTimer = ownsRun ? setInterval(() => void storeProgress(), STORED_PROGRESS_MS) : undefined;
  let status: 'completed' | 'interrupted' = 'interrupted';
  let lastPayload: Buffer | null = null;
  try {
    settleHeap();
    const outcome = await runPlan({
      runId,
      plan,
      provider,
      payloadOf: spec.payloadOf,
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
    clearInterval(progressTimer);
    await sink.close();
    if (ownsRun) {
      await storeProgress();
      await finish(store, runId, status, summary.summary());
    }
  }
  return { runId, status, summary: summary.summary(), lastPayload };
}

async function openRun(spec: PlanRun): Promise<string> {
  const joining = spec.shard !== undefined && spec.shard.index > 0;
  if (joining) {
    if (!spec.runId) throw new FaasbenchError('InvalidParameterValue', '--shard i/n with i > 0 joins a run: give the same --run-id as shard 0');
    return spec.runId;
  }
  return spec.store.createRun({
    ...(spec.runId ? { id: spec.runId } : {}),
    kind: spec.run.kind,
    name: spec.run.name,
    provider: spec.run.provider,
    params: toJson(spec.run.params),
    seed: spec.run.seed,
    host: hostFacts(),
    toolVersion: TOOL_VERSION,
  });
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
