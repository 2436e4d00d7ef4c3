/**
 * Runs one plan against a provider and keeps every record: the run row (shard 0 creates and
 * finishes it), records through the store's record sink (written in a thread of its own, kept
 * through a store failure, in a journal if need be), live progress, and Ctrl-C (stop sending, await calls in flight,
 * mark the run interrupted). Shared by `invoke` and `trace replay`, which differ only in the plan
 * and the payloads they hand over. The run row is written through the sink's writer thread too:
 * this thread opens no connection (store/run-store.ts) unless that thread fails or a shard waits
 * for its run.
 */
import { readFileSync } from 'node:fs';
import { isFaasbenchError, FaasbenchError } from '../core/errors.ts';
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';
import type { Provider } from '../core/provider.ts';
import type { RunSummary } from '../analysis/run-summary.ts';
import { evaluateThresholds, RunSubjects, type Threshold, type ThresholdResult } from '../analysis/thresholds.ts';
import { runPlan, type RunOutcome, type RunPlanOptions } from '../invoker/invoker.ts';
import { Progress } from '../invoker/progress.ts';
// Not store/index.ts: that would load the store's drivers on the sending thread.
import { startHeartbeat } from '../store/heartbeat.ts';
import { RecordsWaitingError, type SinkOutcome } from '../store/record-sink.ts';
import type { RunStore } from '../store/run-store.ts';
import { newRunId } from '../store/run-id.ts';
import { finishFailed } from '../store/store-failure.ts';
import type { JsonValue, RunMeta } from '../store/store.ts';
import { openRecordSink, type RunRowWrites } from '../store/threaded-sink.ts';
import { hostFacts } from './host-facts.ts';
import { ProgressClock, startProgress } from './progress-line.ts';
import { awaitRun } from './run-wait.ts';
import { clientSpansFor } from './span-options.ts';
import type { Collectors } from '../spans/collectors.ts';

const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/**
 * Records, and provisional rows of calls still unanswered, reach the store at least this often: a
 * kill -9 leaves every call sent more than a second before it recorded or known as sent.
 */
const SINK_FLUSH_MS = 200;
/** A dashboard reads a running run's progress (counts, elapsed, ETA) from the store: it is at most this stale. */
const STORED_PROGRESS_MS = 1000;

export interface PlanRun {
  readonly provider: Provider;
  readonly store: RunStore;
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
  /** How often this writer refreshes the run's heartbeat (every shard does: any one alive keeps the run alive). */
  readonly heartbeatMs: number;
  /** Checked against the final summary; none: the result's `thresholds` is null. */
  readonly thresholds?: readonly Threshold[];
  /** Where each call's client span goes (--otlp, --zipkin); none: no spans, no trace headers. */
  readonly spans?: Collectors | undefined;
  /** What sends the plan: runPlan on this thread by default, or its shards in worker threads (--workers). */
  readonly runPlan?: (options: RunPlanOptions) => Promise<RunOutcome>;
}

export interface PlanRunResult {
  readonly runId: string;
  readonly status: 'completed' | 'interrupted';
  readonly summary: RunSummary;
  /** The payload of the last answer, for a person who invoked once to read. */
  readonly lastPayload: Buffer | null;
  /** Each threshold given, checked against `summary`; null when none was given. */
  readonly thresholds: ThresholdResult[] | null;
}

export async function executePlan(spec: PlanRun): Promise<PlanRunResult> {
  const { plan, provider, store } = spec;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const opened = await openRun(spec, controller.signal).catch((err: unknown) => {
    process.removeListener('SIGINT', onSigint);
    throw err;
  });
  if (opened === null) {
    // Ctrl-C while a shard waited for its run: nothing was sent.
    process.removeListener('SIGINT', onSigint);
    const { summary, thresholds } = conclude(new RunSubjects(spec.thresholds ?? []), spec.thresholds);
    return { runId: spec.runId!, status: 'interrupted', summary, lastPayload: null, thresholds };
  }
  const { runId, run } = opened;
  // The summary, and one per function a threshold names: the figures thresholds are checked against are the printed ones.
  const subjects = new RunSubjects(spec.thresholds ?? []);
  const sink = openRecordSink(store, {
    runId,
    run,
    flushIntervalMs: SINK_FLUSH_MS,
    onRecord: (record) => subjects.add(record),
    onNotice: (message) => console.error(`faasbench: ${message}`),
    // Memory full with no journal place: stop sending; the end (exit 4) says what could not be kept.
    onOverflow: () => controller.abort(),
  });
  // The run row's writes go through the sink's writer: on this thread they could wait for its
  // commits, and would need the drivers and a connection of this thread's own.
  const runRows = sink.runRows ?? store;
  const ownsRun = spec.shard === undefined || spec.shard.index === 0;
  if (ownsRun) {
    await runRows.createRun(run).catch(async (err: unknown) => {
      process.removeListener('SIGINT', onSigint);
      await sink.close();
      throw err;
    });
  }
  const heartbeat = startHeartbeat(runRows, runId, spec.heartbeatMs);
  const progress = new Progress(plan.count);
  const clock = new ProgressClock(plan, spec.startAtMs);
  const stopProgress = startProgress(() => ({ ...progress.snapshot(), recordsWaiting: sink.backlog }), spec.showProgress, clock);
  // Shard 0 alone: shards writing one run's progress row would overwrite each other's counts.
  const storeProgress = (): Promise<void> => {
    const snapshot = progress.snapshot();
    return runRows.updateProgress(runId, toJson({ ...snapshot, ...clock.timing(snapshot) })).catch(() => undefined);
  };
  const progressTimer = ownsRun ? setInterval(() => void storeProgress(), STORED_PROGRESS_MS) : undefined;
  let status: 'completed' | 'interrupted' = 'interrupted';
  let lastPayload: Buffer | null = null;
  let leftOut: SinkOutcome | null = null;
  let final: { summary: RunSummary; thresholds: ThresholdResult[] | null };
  const spans = clientSpansFor(spec.spans, spec.run.provider);
  try {
    // The writer thread starts (and connects) before offset 0, not during the run's first second.
    await sink.ready();
    const outcome = await (spec.runPlan ?? runPlan)({
      runId,
      plan,
      provider,
      payloadOf: spec.payloadOf,
      sink,
      maxInFlight: spec.maxInFlight,
      signal: controller.signal,
      progress,
      onAnswer: (_call, result) => (lastPayload = result.payload),
      ...(spans ? { spans: spans.tracer } : {}),
      ...(spec.startAtMs !== undefined ? { startUs: spec.startAtMs * 1000 } : {}),
    });
    status = outcome.status;
  } finally {
    process.removeListener('SIGINT', onSigint);
    stopProgress();
    await spans?.close();
    clearInterval(progressTimer);
    // Every record was written by the time runPlan returned: the summary is final, and taken once
    // (each take walks every latency the run kept).
    final = conclude(subjects, spec.thresholds);
    try {
      // What the store did not take is in a journal, with how the run ended for `store recover`.
      // The heartbeat goes on while the sink drains: a run still writing is not abandoned.
      const kept = await sink.drain(ownsRun ? { status, summary: toJson(final.summary) } : undefined).finally(() => heartbeat.stop());
      leftOut = kept.waiting > 0 ? kept : null;
      if (ownsRun && leftOut === null) {
        await storeProgress();
        await finish(runRows, store.location, runId, status, final.summary);
      }
    } finally {
      await sink.close();
    }
  }
  if (leftOut !== null) throw new RecordsWaitingError(leftOut, store.location, runId);
  return { runId, status, summary: final.summary, lastPayload, thresholds: final.thresholds };
}

/** The summary, and the thresholds checked against it (null when none was given). */
function conclude(subjects: RunSubjects, thresholds: readonly Threshold[] | undefined): { summary: RunSummary; thresholds: ThresholdResult[] | null } {
  const taken = subjects.subjects();
  return { summary: taken.all.summary, thresholds: thresholds?.length ? evaluateThresholds(thresholds, taken) : null };
}

/**
 * The run: named by shard 0, which creates it through the sink once the sink is open; awaited by
 * the others (run-wait.ts), on a connection of this thread's; null when Ctrl-C ended the wait. Its
 * details go to the sink, whose journal must say what the run is even when the store fails from
 * the start.
 */
async function openRun(spec: PlanRun, signal: AbortSignal): Promise<{ runId: string; run: RunMeta } | null> {
  const joining = spec.shard !== undefined && spec.shard.index > 0;
  if (joining) {
    if (!spec.runId) throw new FaasbenchError('InvalidParameterValue', '--shard i/n with i > 0 joins a run: give the same --run-id as shard 0', { reason: 'usage' });
    const found = await awaitRun({ store: await spec.store.open(), runId: spec.runId, signal, say: (message) => console.error(message) });
    return found === null ? null : { runId: spec.runId, run: found };
  }
  const run: RunMeta & { id: string } = {
    id: spec.runId || newRunId(),
    kind: spec.run.kind,
    name: spec.run.name,
    provider: spec.run.provider,
    params: toJson(spec.run.params),
    seed: spec.run.seed,
    host: hostFacts(),
    toolVersion: TOOL_VERSION,
  };
  return { runId: run.id, run };
}

async function finish(rows: Pick<RunRowWrites, 'finishRun'>, location: string, runId: string, status: 'completed' | 'interrupted', summary: RunSummary): Promise<void> {
  try {
    await rows.finishRun(runId, status, toJson(summary));
  } catch (err) {
    if (!isFaasbenchError(err, 'ResourceConflict')) throw finishFailed(location, runId, status, err);
  }
}

/** Plain data for a JSON column: what JSON.stringify keeps of it. */
function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
