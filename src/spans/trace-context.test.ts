// Trace-context headers: what a call carries and what the platform reads back.
import { describe, expect, it } from 'vitest';
import { callerSpanContext, newSpanContext, propagationHeaders } from './trace-context.ts';

describe('trace context', () => {
  it('draws distinct, well-formed ids, past one draw of the pool', () => {
    const contexts = Array.from({ length: 1500 }, () => newSpanContext());
    expect(contexts.every((c) => /^[0-9a-f]{32}$/.test(c.traceId) && /^[0-9a-f]{16}$/.test(c.spanId))).toBe(true);
    expect(new Set(contexts.map((c) => c.traceId)).size).toBe(1500);
  });

  it('sends traceparent, and B3 beside it for Zipkin', () => {
    const context = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    expect(propagationHeaders(context, false)).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(propagationHeaders(context, true)).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
      'x-b3-spanid': '00f067aa0ba902b7',
      'x-b3-sampled': '1',
    });
  });

  it('reads the caller from traceparent, then b3, then X-B3-*; a 64-bit B3 trace id is padded', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(callerSpanContext({ traceparent: `00-${traceId}-00f067aa0ba902b7-01`, b3: `${traceId}-1111111111111111-1` })).toEqual({ traceId, spanId: '00f067aa0ba902b7' });
    expect(callerSpanContext({ b3: `${traceId}-1111111111111111-1` })).toEqual({ traceId, spanId: '1111111111111111' });
    expect(callerSpanContext({ 'x-b3-traceid': 'a3ce929d0e0e4736', 'x-b3-spanid': '2222222222222222' })).toEqual({ traceId: '0000000000000000a3ce929d0e0e4736', spanId: '2222222222222222' });
  });

  it('ignores malformed and all-zero contexts', () => {
    expect(callerSpanContext({})).toBeUndefined();
    expect(callerSpanContext({ traceparent: '00-xyz-00f067aa0ba902b7-01' })).toBeUndefined();
    expect(callerSpanContext({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(callerSpanContext({ 'x-b3-traceid': 'a3ce929d0e0e4736' })).toBeUndefined();
  });
});
