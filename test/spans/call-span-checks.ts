/**
 * What every command's spans must show, whichever collector got them: one client span per stored
 * record carrying the record's facts, and the platform's invoke span of each call under that
 * call's client span, in its trace. OTLP and Zipkin spans are flattened to one shape first.
 */
import { expect } from 'vitest';
import type { InvocationRecord } from '../../src/core/invocation-record.ts';
import { otlpSpans, zipkinSpans, type Receiver } from './receivers.ts';

export interface FlatSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: 'client' | 'server' | 'internal';
  /** Values as strings: Zipkin's tags are, and the checks compare both collectors alike. */
  readonly attributes: Readonly<Record<string, string>>;
}

const OTLP_KINDS: Record<number, FlatSpan['kind']> = { 1: 'internal', 2: 'server', 3: 'client' };

export function flatOtlp(receiver: Receiver): FlatSpan[] {
  return otlpSpans(receiver).map((s) => ({
    service: s.service,
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    kind: OTLP_KINDS[s.kind]!,
    attributes: Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])),
  }));
}

export function flatZipkin(receiver: Receiver): FlatSpan[] {
  return zipkinSpans(receiver).map((s) => ({
    service: s.localEndpoint.serviceName,
    traceId: s.traceId,
    spanId: s.id,
    parentSpanId: s.parentId,
    name: s.name ?? '',
    kind: s.kind === 'CLIENT' ? 'client' : s.kind === 'SERVER' ? 'server' : 'internal',
    attributes: s.tags,
  }));
}

/** Spans of a run whose calls all reached the local platform and succeeded. */
export function expectCallSpans(spans: readonly FlatSpan[], records: readonly InvocationRecord[], runId: string): void {
  expect(records.length).toBeGreaterThan(0);
  expect(records.every((r) => r.status === 'ok')).toBe(true);
  const clients = spans.filter((s) => s.service === 'faasbench');
  expect(clients).toHaveLength(records.length);
  expect(clients.every((s) => s.kind === 'client' && s.parentSpanId === undefined)).toBe(true);
  expect(new Set(clients.map((s) => s.traceId)).size).toBe(records.length);
  for (const record of records) {
    const mine = clients.filter((s) => s.attributes['faasbench.run_id'] === runId && s.attributes['faasbench.seq'] === String(record.seq));
    expect(mine, `seq ${record.seq}`).toHaveLength(1);
    expect(mine[0]!.name).toBe(`invoke ${record.fn}`);
    expect(mine[0]!.attributes).toMatchObject({
      'faas.invoked_name': record.fn,
      'faas.invoked_provider': 'local',
      'faas.invocation_id': record.requestId,
      'faas.coldstart': String(record.cold),
      'faasbench.status': 'ok',
      'faasbench.latency_ms': String(record.latencyMs),
      'http.response.status_code': '200',
    });
  }
  const invokes = spans.filter((s) => s.service === 'faasbench-platform' && s.name.startsWith('invoke '));
  expect(invokes).toHaveLength(records.length);
  const clientById = new Map(clients.map((c) => [c.spanId, c]));
  for (const invoke of invokes) {
    const parent = clientById.get(invoke.parentSpanId ?? '');
    expect(parent, `parent of ${invoke.spanId}`).toBeDefined();
    expect(invoke.kind).toBe('server');
    expect(invoke.traceId).toBe(parent!.traceId);
    expect(invoke.name).toBe(parent!.name);
    expect(invoke.attributes['faas.invocation_id']).toBe(parent!.attributes['faas.invocation_id']);
  }
  // One invoke span per client span: no call's platform span is missing or doubled.
  expect(new Set(invokes.map((s) => s.parentSpanId)).size).toBe(records.length);
}
