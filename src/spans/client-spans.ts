/**
 * The client span of each call the invoker sends: ids and propagation headers at send time (all
 * the send path pays), the span itself built from the call's record when its batch leaves.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';
import { definedAttributes, type SpanRecord } from './span-record.ts';
import type { SpanExport } from './span-export.ts';
import { newSpanContext, propagationHeaders, type SpanContext } from './trace-context.ts';

/** What a call carries while in flight; `traceHeaders` goes to the provider as it is. */
export interface CallTrace extends SpanContext {
  readonly traceHeaders: Readonly<Record<string, string>>;
}

/** What the invoker sees: begin at send, end with the call's record. */
export interface CallTracer {
  begin(): CallTrace;
  end(record: InvocationRecord, trace: CallTrace): void;
}

export class ClientSpans implements CallTracer {
  constructor(
    private readonly exporter: SpanExport,
    /** Zipkin's B3 headers beside traceparent. */
    private readonly b3: boolean,
    /** The provider's registry name, an attribute of every span. */
    private readonly provider: string,
  ) {}

  begin(): CallTrace {
    const context = newSpanContext();
    return { ...context, traceHeaders: propagationHeaders(context, this.b3) };
  }

  end(record: InvocationRecord, trace: CallTrace): void {
    this.exporter.add(() => [clientSpan(record, trace, this.provider)]);
  }
}

/** A call's span: from send to answer (or to when it was given up), the record's facts as attributes. */
export function clientSpan(record: InvocationRecord, trace: SpanContext, provider: string): SpanRecord {
  const startUs = record.sentUs ?? record.plannedUs;
  return {
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: null,
    name: `invoke ${record.fn}`,
    kind: 'client',
    startUs,
    endUs: record.receivedUs ?? startUs,
    error: record.status !== 'ok',
    attributes: definedAttributes({
      'faas.invoked_name': record.fn,
      'faas.invoked_provider': provider,
      'faas.coldstart': record.cold,
      'faas.invocation_id': record.requestId,
      'faas.instance': record.instanceId,
      'http.response.status_code': record.httpStatus,
      'error.type': record.errorClass,
      'faasbench.run_id': record.runId,
      'faasbench.seq': record.seq,
      'faasbench.phase': record.phase,
      'faasbench.tag': record.tag,
      'faasbench.status': record.status,
      'faasbench.latency_ms': record.latencyMs,
      'faasbench.lateness_ms': record.sentUs === null ? null : (record.sentUs - record.plannedUs) / 1000,
      'faasbench.init_ms': record.initMs,
      'faasbench.duration_ms': record.durationMs,
      'faasbench.billed_ms': record.billedMs,
      'faasbench.max_memory_mb': record.maxMemoryMb,
    }),
  };
}
