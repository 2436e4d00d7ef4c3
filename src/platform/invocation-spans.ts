/**
 * How one run of a traced call becomes the platform's spans: the span its function runs under is
 * drawn before the run (the runtime's trace header names it), and the spans are made of the
 * result's timings after. Shared by synchronous calls (platform.ts) and Event attempts
 * (event-queue.ts).
 */
import { epochMicros } from '../core/clock.ts';
import type { InvocationTimings, PlatformSpans } from '../spans/platform-spans.ts';
import { newSpanId, type SpanContext } from '../spans/trace-context.ts';
import type { InvocationResult } from './invocation.ts';

/** A traced run under way. */
export interface TracedRun {
  readonly caller: SpanContext;
  /**
   * The function's parent: the platform's invoke span when it exports spans, else the caller's own
   * span, so the function's spans join the caller's trace either way and never hang off a span no
   * collector gets.
   */
  readonly parent: SpanContext;
  /** When the platform took this run, epoch µs. */
  readonly startUs: number;
}

/** Undefined for a call without a caller's context: its function gets a trace of its own. */
export function traceRun(caller: SpanContext | undefined, spans: PlatformSpans | null, startUs = epochMicros()): TracedRun | undefined {
  if (!caller) return undefined;
  return { caller, parent: spans ? { traceId: caller.traceId, spanId: newSpanId() } : caller, startUs };
}

/** The run's spans, to the platform's collectors; nothing when it has none or the call was not traced. */
/** `endUs` is when the result was ready: given by a caller that records the run elsewhere too (its X-Ray segments), so both read one clock. */
export function runSpans(spans: PlatformSpans | null, run: TracedRun | undefined, result: InvocationResult, event?: InvocationTimings['event'], endUs = epochMicros()): void {
  if (!spans || !run) return;
  spans.invoked(run.caller, { ...timingsOf(result, run.startUs, endUs), invokeSpanId: run.parent.spanId, event });
}

/** What the platform's spans of a run are made from. */
export function timingsOf(result: InvocationResult, startUs: number, endUs: number): InvocationTimings {
  const { functionName: fn, requestId, instanceId, cold, queueMs, initMs, durationMs, outcome } = result;
  return { fn, requestId, instanceId, cold, startUs, endUs, queueMs, initMs, durationMs, errorType: outcome.kind === 'function-error' ? outcome.errorType : undefined };
}
