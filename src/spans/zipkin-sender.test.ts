// The Zipkin mapping of a span: integer µs, string tags, a kind only where Zipkin has one.
import { describe, expect, it } from 'vitest';
import { zipkinSpan } from './zipkin-sender.ts';

describe('zipkinSpan', () => {
  const span = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, name: 'invoke hello', kind: 'client' as const, startUs: 1_780_000_000_000_000.25, endUs: 1_780_000_000_001_500.75, error: true, attributes: { 'faas.coldstart': true, 'faasbench.latency_ms': 1.5, 'error.type': 'Runtime.ExitError' } };

  it('rounds times to integer µs and turns attributes into string tags, a failure into the error tag', () => {
    expect(zipkinSpan(span, 'faasbench')).toEqual({
      traceId: 'a'.repeat(32),
      id: 'b'.repeat(16),
      name: 'invoke hello',
      kind: 'CLIENT',
      timestamp: 1_780_000_000_000_000,
      duration: 1501,
      localEndpoint: { serviceName: 'faasbench' },
      tags: { 'faas.coldstart': 'true', 'faasbench.latency_ms': '1.5', 'error.type': 'Runtime.ExitError', error: 'Runtime.ExitError' },
    });
  });

  it('gives an internal span no kind, and a zero-length span 1 µs', () => {
    const internal = zipkinSpan({ ...span, kind: 'internal', parentSpanId: 'c'.repeat(16), endUs: span.startUs, error: false }, 'faasbench-platform');
    expect(internal.kind).toBeUndefined();
    expect(internal.parentId).toBe('c'.repeat(16));
    expect(internal.duration).toBe(1);
    expect(internal.tags.error).toBeUndefined();
  });
});
