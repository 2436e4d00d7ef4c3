/**
 * Spans to an OTLP/HTTP collector through OpenTelemetry's own exporter (JSON encoding, the
 * exporter's default over HTTP). Spans are handed over as finished ReadableSpans built from
 * faasbench's records, so no tracer, context manager or clock of the SDK runs during a call.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord, SpanSender } from './span-record.ts';

const KINDS = { client: SpanKind.CLIENT, server: SpanKind.SERVER, internal: SpanKind.INTERNAL } as const;
const SCOPE = { name: 'faasbench' };

export function otlpSender(url: string, serviceName: string): SpanSender {
  const exporter = new OTLPTraceExporter({ url, timeoutMillis: 10_000 });
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  return {
    send: (spans) =>
      new Promise((resolve, reject) => {
        exporter.export(
          spans.map((s) => readableSpan(s, resource)),
          (result) => (result.error || result.code !== 0 ? reject(new Error(`OTLP collector ${url}: ${result.error?.message ?? 'export failed'}`)) : resolve()),
        );
      }),
    close: () => exporter.shutdown(),
  };
}

function readableSpan(span: SpanRecord, resource: Resource): ReadableSpan {
  const context = { traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  return {
    name: span.name,
    kind: KINDS[span.kind],
    spanContext: () => context,
    ...(span.parentSpanId ? { parentSpanContext: { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true } } : {}),
    startTime: hrTime(span.startUs),
    endTime: hrTime(span.endUs),
    duration: hrTime(span.endUs - span.startUs),
    status: { code: span.error ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    attributes: span.attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Epoch µs as OpenTelemetry's [seconds, nanoseconds]. */
function hrTime(us: number): HrTime {
  const whole = Math.floor(us);
  const seconds = Math.floor(whole / 1e6);
  return [seconds, (whole - seconds * 1e6) * 1000 + Math.round((us - whole) * 1000)];
}
