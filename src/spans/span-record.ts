/**
 * One finished span as faasbench builds it, before any wire format: ids in lowercase hex, times in
 * epoch µs from core/clock (the same clock the records use), attributes flat. The OTLP and Zipkin
 * senders each turn it into their own shape.
 */
export type SpanKind = 'client' | 'server' | 'internal';

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

export interface SpanRecord {
  /** 32 hex digits. */
  readonly traceId: string;
  /** 16 hex digits. */
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startUs: number;
  readonly endUs: number;
  /** The call or phase failed: OTLP status ERROR, Zipkin tag `error`. */
  readonly error: boolean;
  readonly attributes: SpanAttributes;
}

/** Where spans go: one collector, one wire format. */
export interface SpanSender {
  /** Resolves when the collector took the batch; rejects with why it did not. */
  send(spans: readonly SpanRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Drops null and undefined values: a fact the provider did not report is no attribute, not an empty one. */
export function definedAttributes(values: Readonly<Record<string, string | number | boolean | null | undefined>>): SpanAttributes {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(values)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}
