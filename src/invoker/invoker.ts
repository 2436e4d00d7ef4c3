/**
 * The open-loop invoker: each planned invocation goes out at its planned time whatever happened
 * to earlier ones (no coordinated omission), on an absolute schedule that cannot drift; only a
 * plan marked closedLoop (`sequential`) waits for each answer, as it asks to. It records
 * planned, sent and received times for every call; when the in-flight bound is reached a call is
 * recorded as dropped rather than delayed, so overload shows instead of bending the schedule.
 *
 * invoker/ owns timing and dispatch. It reads plans and writes records through interfaces; it
 * never imports a concrete provider, the store or the CLI.
 */
import { epochMicros } from '../core/clock.ts';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';
import type { InvokeResult, Provider } from '../core/provider.ts';
import type { CallTrace, CallTracer } from '../spans/client-spans.ts';
import { Progress, type ProgressSnapshot } from './progress.ts';
import { waitUntil } from './wait-until.ts';

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
  /** Epoch µs of offset 0; shards on several hosts share it. Default: 20 ms from now. */
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
}

export interface RunOutcome {
  readonly status: 'completed' | 'interrupted';
  readonly progress: ProgressSnapshot;
}

/** A call sent: the invoker's entry for it while in flight. */
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
  const startUs = options.startUs ?? epochMicros() + 20_000;
  const inFlight = new Map<Promise<void>, Sent>();
  const record = recorder(options.runId, sink, progress, options.spans);
  const unwatch = sink.watchSends?.(() => inFlight.values());

  let previous: Promise<void> | undefined;
  // A plan that throws (a payload that cannot be built) still leaves its calls in flight recorded.
  let threw = false;
  try {
    for (const call of plan) {
      let plannedUs = startUs + call.offsetUs;
      if (plan.closedLoop && previous) {
        await previous;
        plannedUs = Math.max(plannedUs, epochMicros() + plan.closedLoop.gapUs);
      }
      await waitUntil(plannedUs, signal);
      if (signal?.aborted) break;
      if (inFlight.size >= maxInFlight) {
        record.dropped(call, plannedUs);
        continue;
      }
      const payload = options.payloadOf(call);
      const trace = options.spans?.begin();
      const sent: Sent = { call, plannedUs, sentUs: epochMicros(), trace, recorded: false };
      const pending: Promise<void> = provider.invoke(call.fn, payload, trace).then(
        (result) => {
          record.answered(sent, result);
          options.onAnswer?.(call, result);
        },
        (err: unknown) => record.answered(sent, invokerFailure(err)),
      );
      progress.markSent(sent.sentUs - plannedUs);
      inFlight.set(pending, sent);
      void pending.finally(() => inFlight.delete(pending));
      previous = pending;
    }
  } catch (err) {
    threw = true;
    throw err;
  } finally {
    await drain(inFlight, options.drainTimeoutMs ?? (signal?.aborted || threw ? 10_000 : 900_000));
    for (const sent of inFlight.values()) record.unanswered(sent);
    unwatch?.();
  }
  return { status: signal?.aborted ? 'interrupted' : 'completed', progress: progress.snapshot() };
}

async function drain(inFlight: Map<Promise<void>, Sent>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.allSettled([...inFlight.keys()]), deadline]);
  clearTimeout(timer);
}

/** A provider must not reject; if one does, the call still gets a record that says so. */
function invokerFailure(err: unknown): InvokeResult {
  return { status: 'transport-error', httpStatus: null, payload: Buffer.alloc(0), errorClass: `ProviderFailure: ${(err as Error)?.message ?? String(err)}`, facts: NO_FACTS };
}

function recorder(runId: string, sink: RecordSink, progress: Progress, spans: CallTracer | undefined) {
  // The span only queues the record: it is built and exported later, off this path.
  const write = (sent: Sent, record: InvocationRecord): void => {
    sink.write(record);
    if (sent.trace) spans?.end(record, sent.trace);
  };
  const base = (call: PlannedInvocation, plannedUs: number) => ({ runId, seq: call.seq, fn: call.fn, phase: call.phase, tag: call.tag ?? null, plannedUs });
  return {
    dropped(call: PlannedInvocation, plannedUs: number): void {
      sink.write({ ...base(call, plannedUs), ...NO_FACTS, sentUs: null, receivedUs: null, latencyMs: null, status: 'dropped', httpStatus: null, errorClass: 'InFlightLimit' });
      progress.markDone('dropped');
    },
    answered(sent: Sent, result: InvokeResult): void {
      if (sent.recorded) return;
      sent.recorded = true;
      const receivedUs = epochMicros();
      write(sent, {
        ...base(sent.call, sent.plannedUs),
        ...result.facts,
        sentUs: sent.sentUs,
        receivedUs,
        latencyMs: (receivedUs - sent.sentUs) / 1000,
        status: result.status,
        httpStatus: result.httpStatus,
        errorClass: result.errorClass,
      });
      progress.markDone(result.status);
    },
    /** Still in flight when the drain bound passed: sent, never answered. */
    unanswered(sent: Sent): void {
      if (sent.recorded) return;
      sent.recorded = true;
      write(sent, { ...base(sent.call, sent.plannedUs), ...NO_FACTS, sentUs: sent.sentUs, receivedUs: null, latencyMs: null, status: 'transport-error', httpStatus: null, errorClass: 'Unanswered' });
      progress.markDone('transport-error');
    },
  };
}
