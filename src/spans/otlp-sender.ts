/**
 * Spans to an OTLP/HTTP collector through OpenTelemetry's own exporters: protobuf by default (what
 * OTLP/HTTP specifies first and every collector accepts), or JSON. Spans are handed over as finished
 * ReadableSpans built from faasbench's records, so no tracer, context manager or clock of the SDK
 * runs during a call. The exporter loads with the first batch: a command without --otlp never
 * loads one, and a command with it loads only the encoding it sends.
 */
import type { HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord, SpanSender } from './span-record.ts';

/** OTLP/HTTP's two encodings: application/x-protobuf and application/json. */
export const OTLP_ENCODINGS = ['protobuf', 'json'] as const;
export type OtlpEncoding = (typeof OTLP_ENCODINGS)[number];

/** OpenTelemetry's SpanKind, SpanStatusCode and TraceFlags values (stable in its API). */
const KINDS = { internal: 0, server: 1, client: 2 } as const;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;
const SAMPLED = 1;
const SCOPE = { name: 'faasbench' };

interface Loaded {
  export(spans: ReadableSpan[]): Promise<void>;
  shutdown(): Promise<void>;
  readonly resource: Resource;
}

export function otlpSender(url: string, serviceName: string, encoding: OtlpEncoding = 'protobuf'): SpanSender {
  let loading: Promise<Loaded> | undefined;
  const load = (): Promise<Loaded> => (loading ??= loadExporter(url, serviceName, encoding));
  return {
    async send(spans) {
      const exporter = await load();
      await exporter.export(spans.map((s) => readableSpan(s, exporter.resource)));
    },
    close: async () => {
      if (loading) await (await loading).shutdown();
    },
  };
}

async function loadExporter(url: string, serviceName: string, encoding: OtlpEncoding): Promise<Loaded> {
  const [{ OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([exporterModule(encoding), import('@opentelemetry/resources')]);
  const exporter = new OTLPTraceExporter({ url, timeoutMillis: 10_000 });
  return {
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    export: (spans) =>
      new Promise((resolve, reject) =>
        exporter.export(spans, (result) => (result.error || result.code !== 0 ? reject(new Error(`OTLP collector ${url}: ${result.error?.message ?? 'export failed'}`)) : resolve())),
      ),
    shutdown: () => exporter.shutdown(),
  };
}

/** Both packages' OTLPTraceExporter take the same config and export the same way; only the body differs. */
function exporterModule(encoding: OtlpEncoding): Promise<typeof import('@opentelemetry/exporter-trace-otlp-proto')> {
  return encoding === 'json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto');
}

function readableSpan(span: SpanRecord, resource: Resource): ReadableSpan {
  const context = { traceId: span.traceId, spanId: span.spanId, traceFlags: SAMPLED };
  return {
    name: span.name,
    kind: KINDS[span.kind],
    spanContext: () => context,
    ...(span.parentSpanId ? { parentSpanContext: { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: SAMPLED, isRemote: true } } : {}),
    startTime: hrTime(span.startUs),
    endTime: hrTime(span.endUs),
    duration: hrTime(span.endUs - span.startUs),
    status: { code: span.error ? STATUS_ERROR : STATUS_UNSET },
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
