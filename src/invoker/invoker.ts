/**
 * The open-loop invoker: each planned invocation goes out at its planned time whatever happened
 * to earlier ones (no coordinated omission), on an absolute schedule that cannot drift; only a
 * plan marked closedLoop (`sequential`) waits for each answer, as it asks to. It records
 * planned, sent and received times for every call; when the in-flight bound is reached a call is
 * recorded as dropped rather than delayed, so overload shows instead of bending the schedule.
 *
 * A run first prepares (warm-up.ts: connections opened, its send path compiled, the heap
 * collected) and only then fixes its offset 0, so the first second is sent as punctually as the
 * tenth; then send-loop.ts sends, in-flight.ts holds the calls in flight and call-records.ts
 * writes each outcome.
 *
 * invoker/ owns timing and dispatch. It reads plans and writes records through interfaces; it
 * never imports a concrete provider, the store or the CLI.
 */
import { epochMicros } from '../core/clock.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';
import { keepOldGenerationNearLive } from '../core/old-generation-growth.ts';
import type { InvokeResult, Provider } from '../core/provider.ts';
import type { CallTrace, CallTracer } from '../spans/client-spans.ts';
import { CallRecords } from './call-records.ts';
import { expectedInFlight, HEAD_CALLS } from './expected-in-flight.ts';
import { readHead } from './plan-head.ts';
import { Progress, type ProgressSnapshot } from './progress.ts';
import { sendLoop } from './send-loop.ts';
import { currentThreadId, lowerOtherThreads } from './thread-priority.ts';
import { isLoad, prepareRun } from './warm-up.ts';

/** Where records go; a store batches behind this. */
export interface RecordSink {
  write(record: InvocationRecord): void;
  /**
   * A sink that journals sends reads the calls in flight when it flushes and stores a provisional
   * record (status 'unknown') for each, which its real record replaces: a kill -9 before the answer
   * still leaves a trace, and the send path does no work for it. Returns the unwatch.
   */
  watchSends?(inFlight: () => Iterable<Sent>): () => void;
}

export interface RunPlanOptions {
  readonly runId: string;
  readonly plan: LoadPlan;
  readonly provider: Provider;
  /** The request body for a planned call; inputs are resolved before the run, never during it. */
  readonly payloadOf: (call: PlannedInvocation) => Buffer;
  readonly sink: RecordSink;
  /** Calls allowed in flight at once; a call due beyond it is recorded as dropped. */
  readonly maxInFlight?: number;
  /**
   * Epoch µs of offset 0; shards on several hosts share it. Default: 20 ms after the run's
   * preparation (connections opened, send path compiled, heap settled: see warm-up.ts). A start
   * given here leaves the preparation only what fits before it.
   */
  readonly startUs?: number;
  /** Aborting stops sending; calls in flight are awaited up to drainTimeoutMs. */
  readonly signal?: AbortSignal;
  /** How long calls in flight are awaited after the last send: default 10 s after an abort, 15 min (Lambda's longest timeout) otherwise. */
  readonly drainTimeoutMs?: number;
  readonly progress?: Progress;
  /** Sees every answer with its payload (records do not keep payloads), e.g. to show the last one. */
  readonly onAnswer?: (call: PlannedInvocation, result: InvokeResult) => void;
  /** A span per call sent: its context goes out with the call, the span is made from the record later. */
  readonly spans?: CallTracer;
  /**
   * For a load, the process's other threads yield the CPU to this one while it sends
   * (thread-priority.ts). Default true; false where a caller that knows every sending thread
   * lowers the rest itself (shard-threads.ts).
   */
  readonly lowerOtherThreads?: boolean;
  /**
   * For a load, V8 collects the old generation near its live size while it runs
   * (old-generation-growth.ts). Default true; false where a caller that runs several sending
   * threads holds it for all of them (shard-threads.ts): the setting is the process's.
   */
  readonly holdOldGeneration?: boolean;
}

export interface RunOutcome {
  readonly status: 'completed' | 'interrupted';
  readonly progress: ProgressSnapshot;
}

/** A call sent: the invoker's entry for it while in flight (a slot of its table, reused after the call's record). */
export interface Sent {
  readonly call: PlannedInvocation;
  readonly plannedUs: number;
  readonly sentUs: number;
  readonly trace?: CallTrace | undefined;
  /** Set by the first record written for the call: a late answer after the drain bound is ignored. */
  recorded: boolean;
}

export async function runPlan(options: RunPlanOptions): Promise<RunOutcome> {
  const { plan, provider, sink, signal } = options;
  const maxInFlight = options.maxInFlight ?? 1000;
  const progress = options.progress ?? new Progress(plan.count);
  // Closed loops need one connection and no look ahead.
  const { head, calls } = readHead(plan, plan.closedLoop ? 0 : HEAD_CALLS);
  // Before prepareRun's full collection, so the limit it leaves follows the setting.
  const releaseOldGeneration = options.holdOldGeneration !== false && isLoad(plan.count) ? keepOldGenerationNearLive() : undefined;
  let restorePriorities: (() => void) | undefined;
  try {
    await prepareRun({ functions: plan.functions, count: plan.count, provider, expectedInFlight: expectedInFlight(plan, head, maxInFlight), startUs: options.startUs, signal });
    const startUs = options.startUs ?? epochMicros() + START_AFTER_PREPARATION_US;
    const records = new CallRecords({ runId: options.runId, sink, progress, spans: options.spans, onAnswer: options.onAnswer });
    restorePriorities = options.lowerOtherThreads !== false && isLoad(plan.count) ? lowerOtherThreads([currentThreadId()]) : undefined;
    await sendLoop({
      plan,
      calls,
      provider,
      payloadOf: options.payloadOf,
      records,
      progress,
      maxInFlight,
      startUs,
      signal,
      drainTimeoutMs: options.drainTimeoutMs,
      spans: options.spans,
      watch: sink.watchSends ? (inFlight) => sink.watchSends!(inFlight) : undefined,
    });
  } finally {
    restorePriorities?.();
    releaseOldGeneration?.();
  }
  return { status: signal?.aborted ? 'interrupted' : 'completed', progress: progress.snapshot() };
}

/** Time for the loop to reach its first call once prepared. */
const START_AFTER_PREPARATION_US = 20_000;
