/**
 * AWS X-Ray's trace header (`X-Amzn-Trace-Id`, Lambda-Runtime-Trace-Id) as a W3C context and back.
 * AWS maps the two ids one to one: a W3C trace id's 32 hex digits are an X-Ray Root's 8 (epoch
 * seconds) and 24 (random), `Root=1-<8>-<24>`; the span id is the Parent as it is. So a Lambda
 * with X-Ray active joins the trace a `traceparent` started, and the reverse.
 */
import type { SpanContext } from './trace-context.ts';

const ROOT = /(?:^|;)\s*Root=1-([0-9a-f]{8})-([0-9a-f]{24})\s*(?:;|$)/;
const PARENT = /(?:^|;)\s*Parent=([0-9a-f]{16})\s*(?:;|$)/;
const NOT_SAMPLED = /(?:^|;)\s*Sampled=0\s*(?:;|$)/;

/** The X-Ray Root of a W3C trace id: `1-<first 8 hex>-<last 24 hex>`. */
export function xrayRoot(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** The header for a span of a recorded trace: its trace as Root, the span as Parent, sampled. */
export function xrayTraceHeader(context: SpanContext): string {
  return `Root=${xrayRoot(context.traceId)};Parent=${context.spanId};Sampled=1`;
}

/**
 * The caller's span from its X-Ray header: Root and Parent both well formed, and not `Sampled=0`.
 * An unsampled header is a caller that records nothing (the local platform gives every untraced
 * call's function one, which the SDK passes on in nested calls): spans under it would be orphans.
 */
export function xraySpanContext(header: string | undefined): SpanContext | undefined {
  if (header === undefined || NOT_SAMPLED.test(header)) return undefined;
  const root = ROOT.exec(header);
  const parent = PARENT.exec(header);
  if (!root || !parent) return undefined;
  const traceId = root[1]! + root[2]!;
  // All zeros is no id in W3C: such a header is as good as none.
  return /^0+$/.test(traceId) || /^0+$/.test(parent[1]!) ? undefined : { traceId, spanId: parent[1]! };
}
