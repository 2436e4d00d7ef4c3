/**
 * W3C Trace Context and Zipkin B3 headers: new ids for a call, the headers that carry them to the
 * function, and the caller's context read back from an incoming request (AWS X-Ray's header too).
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { xraySpanContext } from './xray-trace.ts';

export interface SpanContext {
  /** 32 hex digits. */
  readonly traceId: string;
  /** 16 hex digits. */
  readonly spanId: string;
}

/** Ids for this many calls are drawn at once: one getrandom per 512 calls instead of one per call. */
const IDS_PER_DRAW = 512;
const ID_BYTES = 24;
const pool = Buffer.alloc(IDS_PER_DRAW * ID_BYTES);
let next = IDS_PER_DRAW;

/** A new trace with its root span's id. An all-zero id is invalid in both formats: drawn again. */
export function newSpanContext(): SpanContext {
  if (next === IDS_PER_DRAW) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next++ * ID_BYTES;
  const traceId = pool.toString('hex', at, at + 16);
  const spanId = pool.toString('hex', at + 16, at + ID_BYTES);
  return traceId === ZERO_TRACE || spanId === ZERO_SPAN ? newSpanContext() : { traceId, spanId };
}

/** A new span id within a known trace. */
export function newSpanId(): string {
  return newSpanContext().spanId;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The headers a call carries: `traceparent` always (sampled), Zipkin's B3 headers when asked. */
export function propagationHeaders(context: SpanContext, b3: boolean): Record<string, string> {
  const traceparent = `00-${context.traceId}-${context.spanId}-01`;
  if (!b3) return { traceparent };
  return { traceparent, 'x-b3-traceid': context.traceId, 'x-b3-spanid': context.spanId, 'x-b3-sampled': '1' };
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const B3_SINGLE = /^([0-9a-f]{16}|[0-9a-f]{32})-([0-9a-f]{16})(?:-|$)/;
const HEX_TRACE = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const HEX_SPAN = /^[0-9a-f]{16}$/;

/**
 * The caller's span, from `traceparent`, else B3 (`b3` single header, else `X-B3-TraceId` and
 * `X-B3-SpanId`), else `X-Amzn-Trace-Id` (Root and Parent, xray-trace.ts); undefined when none is
 * well formed. A 64-bit B3 trace id is padded to 128 bits on the left, as the W3C and B3
 * specifications agree.
 */
export function callerSpanContext(headers: IncomingHttpHeaders): SpanContext | undefined {
  const parent = TRACEPARENT.exec(first(headers.traceparent) ?? '');
  if (parent && parent[1] !== ZERO_TRACE && parent[2] !== ZERO_SPAN) return { traceId: parent[1]!, spanId: parent[2]! };
  const single = B3_SINGLE.exec(first(headers.b3) ?? '');
  if (single) return { traceId: single[1]!.padStart(32, '0'), spanId: single[2]! };
  const traceId = first(headers['x-b3-traceid']);
  const spanId = first(headers['x-b3-spanid']);
  if (traceId && spanId && HEX_TRACE.test(traceId) && HEX_SPAN.test(spanId)) return { traceId: traceId.padStart(32, '0'), spanId };
  return xraySpanContext(first(headers['x-amzn-trace-id']));
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
