/**
 * The local platform's own spans for an invocation whose caller sent a trace context: the wait for
 * an instance slot (for an Event call, its time in the async queue), the instance's init on a cold
 * start, and the handler's run, each a child of the caller's span. Built from the invocation's
 * timings when its batch leaves.
 */
import { definedAttributes, type SpanRecord } from './span-record.ts';
import type { SpanExport } from './span-export.ts';
import { newSpanId, type SpanContext } from './trace-context.ts';

/** One invocation as the platform measured it; times in epoch µs, durations in ms. */
export interface InvocationTimings {
  readonly fn: string;
  readonly requestId: string;
  readonly instanceId: string;
  readonly cold: boolean;
  /** When the platform took the call and when its result was ready. */
  readonly startUs: number;
  readonly endUs: number;
  readonly queueMs: number;
  readonly initMs: number | undefined;
  readonly durationMs: number;
  /** The function's errorType when it failed. */
  readonly errorType: string | undefined;
  /** The invoke span's id when it was drawn before the run: the function was told it as its parent. */
  readonly invokeSpanId?: string | undefined;
  /** An Event call's attempt, and since when it waited in the async queue (acceptance, or the last attempt's end). */
  readonly event?: { readonly attempt: number; readonly queuedSinceUs: number } | undefined;
}

/**
 * Below this a warm call did not wait for a slot: placing it on a free instance takes microseconds,
 * and a span for that would only be noise under every call.
 */
const QUEUE_SPAN_MIN_MS = 1;

export class PlatformSpans {
  constructor(private readonly exporter: SpanExport) {}

  invoked(caller: SpanContext, timings: InvocationTimings): void {
    this.exporter.add(() => platformSpans(caller, timings));
  }

  close(): Promise<void> {
    return this.exporter.close();
  }
}

export function platformSpans(caller: SpanContext, t: InvocationTimings): SpanRecord[] {
  const child = (name: string, kind: SpanRecord['kind'], startUs: number, endUs: number, error: boolean): SpanRecord => ({
    traceId: caller.traceId,
    spanId: newSpanId(),
    parentSpanId: caller.spanId,
    name,
    kind,
    startUs,
    endUs: Math.max(startUs, endUs),
    error,
    attributes: definedAttributes({ 'faas.name': t.fn, 'faas.invocation_id': t.requestId, 'faas.instance': t.instanceId, 'faas.coldstart': t.cold, 'error.type': error ? t.errorType : undefined, 'faasbench.attempt': t.event?.attempt }),
  });
  const spans: SpanRecord[] = [];
  const queuedUntilUs = t.startUs + t.queueMs * 1000;
  // A cold call's queueMs includes starting its process (1-2 ms here, measured): that wait is part
  // of its init span, which starts when the platform took the call.
  const slotFreeUs = t.cold ? t.startUs : queuedUntilUs;
  // An Event call always waited in its queue, however briefly: that wait is what Event means.
  if (t.event) spans.push(child('queue wait', 'internal', t.event.queuedSinceUs, slotFreeUs, false));
  else if (!t.cold && t.queueMs >= QUEUE_SPAN_MIN_MS) spans.push(child('queue wait', 'internal', t.startUs, queuedUntilUs, false));
  if (t.cold && t.initMs !== undefined) spans.push(child('init', 'internal', t.startUs, queuedUntilUs + t.initMs * 1000, false));
  const run = child(`invoke ${t.fn}`, 'server', Math.max(t.startUs, t.endUs - t.durationMs * 1000), t.endUs, t.errorType !== undefined);
  const runFacts = definedAttributes({ 'faasbench.duration_ms': t.durationMs, 'faasbench.init_ms': t.initMs, 'faasbench.queue_ms': t.queueMs });
  spans.push({ ...run, spanId: t.invokeSpanId ?? run.spanId, attributes: { ...run.attributes, ...runFacts } });
  return spans;
}
