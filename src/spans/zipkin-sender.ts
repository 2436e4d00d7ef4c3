/**
 * Spans to a Zipkin collector as v2 JSON (`POST /api/v2/spans`, the URL vSwarm's `-zipkin` takes):
 * ids in hex, timestamp and duration in integer µs, tags string to string.
 */
import type { SpanRecord, SpanSender } from './span-record.ts';

export interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name: string;
  readonly kind?: 'CLIENT' | 'SERVER';
  readonly timestamp: number;
  readonly duration: number;
  readonly localEndpoint: { readonly serviceName: string };
  readonly tags: Readonly<Record<string, string>>;
}

export function zipkinSender(url: string, serviceName: string): SpanSender {
  return {
    async send(spans) {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans.map((s) => zipkinSpan(s, serviceName))), signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        throw new Error(`Zipkin collector ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
      }
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`Zipkin collector ${url}: HTTP ${res.status}`);
    },
    close: async () => undefined,
  };
}

/** An internal span has no kind in Zipkin's model; a failure is the `error` tag. */
export function zipkinSpan(span: SpanRecord, serviceName: string): ZipkinSpan {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(span.attributes)) tags[key] = String(value);
  if (span.error) tags.error = String(span.attributes['error.type'] ?? 'true');
  const startUs = Math.round(span.startUs);
  return {
    traceId: span.traceId,
    id: span.spanId,
    ...(span.parentSpanId ? { parentId: span.parentSpanId } : {}),
    name: span.name,
    ...(span.kind === 'internal' ? {} : { kind: span.kind === 'client' ? 'CLIENT' : 'SERVER' }),
    timestamp: startUs,
    // Zipkin reads a duration under 1 µs as absent.
    duration: Math.max(1, Math.round(span.endUs) - startUs),
    localEndpoint: { serviceName },
    tags,
  };
}
