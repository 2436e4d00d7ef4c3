// Spans out, end to end: the invoker's client spans and the local platform's own spans reach an
// OTLP/HTTP receiver (protobuf, OTLP's default) and a Zipkin receiver started here, one client span
// per call, the platform's spans under each, and a collector that is down neither fails nor slows a run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../../src/core/invocation-record.ts';
import type { Provider } from '../../src/core/provider.ts';
import { runPlan } from '../../src/invoker/invoker.ts';
import { useLoopbackProvider } from '../../src/invoker/testing/loopback-provider.ts';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { createLocalProvider } from '../../src/providers/local.ts';
import { ClientSpans } from '../../src/spans/client-spans.ts';
import { spanExportTo } from '../../src/spans/collectors.ts';
import { planPattern } from '../../src/workload/registry.ts';
import { call, nodeFunction, startPlatform } from '../support/platform.ts';
import { otlpSpans, startReceiver, zipkinSpans, type OtlpSpan, type Receiver } from './receivers.ts';

const FN = 'traced';
const OTLP_PATH = '/v1/traces';
const ZIPKIN_PATH = '/api/v2/spans';
const KIND = { internal: 1, server: 2, client: 3 } as const;
const TRIGGER_CALLER = { traceId: '5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed', spanId: '0123456789abcdef' };

describe('spans of calls to the local platform', () => {
  let otlp: Receiver;
  let zipkin: Receiver;
  let platform: LocalPlatform;
  let provider: Provider;
  const records: InvocationRecord[] = [];

  beforeAll(async () => {
    otlp = await startReceiver();
    zipkin = await startReceiver();
    const collectors = { otlp: otlp.url + OTLP_PATH, zipkin: zipkin.url + ZIPKIN_PATH };
    platform = await startPlatform({ spans: collectors });
    // One instance at most, queueing beyond it: a burst of 3 gives one cold start and two waits.
    platform.deployFolder(nodeFunction(FN, 'await new Promise((r) => setTimeout(r, 150)); return { ok: true };', { maxInstances: 1, onLimit: 'queue', cpuModel: 'none' }));
    provider = await createLocalProvider({ platform });
    const exporter = spanExportTo(collectors, 'faasbench')!;
    const tracer = new ClientSpans(exporter, true, 'local');
    const sink = { write: (r: InvocationRecord) => void records.push(r) };
    const payloadOf = (): Buffer => Buffer.from('{}');
    for (const [pattern, count] of [['concurrent', '3'], ['sequential', '2']] as const) {
      const plan = planPattern(pattern, { count }, { fn: FN, payload: { event: {} } });
      await runPlan({ runId: 'spans', plan, provider, payloadOf, sink, spans: tracer });
    }
    await exporter.close();
    await provider.close();
    // Any client's call through the HTTP trigger, its context in B3 only.
    const reply = await call(platform, 'POST', `/fn/${FN}/`, '{}', { 'x-b3-traceid': TRIGGER_CALLER.traceId, 'x-b3-spanid': TRIGGER_CALLER.spanId, 'x-b3-sampled': '1' });
    expect(reply.status).toBe(200);
    // Stopping sends the platform's last spans.
    await platform.stop();
    // Five calls, a cold start and a 150 ms queue, on a machine other tests keep busy.
  }, 120_000);

  afterAll(async () => {
    await otlp.close();
    await zipkin.close();
  });

  it('ran every call', () => {
    expect(records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(records.filter((r) => r.cold === true)).toHaveLength(1);
  });

  it('sends exactly one client span per call over OTLP, with the record as attributes', () => {
    // Protobuf unless told otherwise, decoded with OpenTelemetry's generated ExportTraceServiceRequest.
    expect(otlp.bodies.length).toBeGreaterThan(0);
    expect(otlp.bodies.every((b) => b.path === OTLP_PATH && b.encoding === 'protobuf' && b.contentType === 'application/x-protobuf')).toBe(true);
    const clients = otlpSpans(otlp).filter((s) => s.service === 'faasbench');
    expect(clients).toHaveLength(5);
    expect(clients.every((s) => s.kind === KIND.client && s.parentSpanId === undefined && !s.error)).toBe(true);
    expect(new Set(clients.map((s) => s.traceId)).size).toBe(5);
    for (const record of records) {
      const [span] = clients.filter((s) => s.attributes['faasbench.seq'] === record.seq && s.attributes['faasbench.run_id'] === 'spans' && s.attributes['faas.invocation_id'] === record.requestId);
      expect(span, `seq ${record.seq}`).toBeDefined();
      expect(span!.attributes).toMatchObject({
        'faas.invoked_name': FN,
        'faas.invoked_provider': 'local',
        'faas.coldstart': record.cold,
        'faas.instance': record.instanceId,
        'faasbench.status': 'ok',
        'faasbench.latency_ms': record.latencyMs,
        'faasbench.lateness_ms': (record.sentUs! - record.plannedUs) / 1000,
        'http.response.status_code': 200,
      });
      // The span is the call: from send to answer.
      expect(Number(span!.endNs - span!.startNs) / 1e6).toBeCloseTo(record.latencyMs!, 2);
    }
  });

  it("puts the platform's spans under each client span: invoke for every call, init for the cold one, queue wait for the two that waited", () => {
    const spans = otlpSpans(otlp);
    const clients = spans.filter((s) => s.service === 'faasbench');
    const platformSpans = spans.filter((s) => s.service === 'faasbench-platform' && s.traceId !== TRIGGER_CALLER.traceId);
    // The burst's two queued calls wait 150 ms; any other warm call waits a span's worth (1 ms) only
    // on a loaded machine, and then its run says so: a queue wait span for each run that says it.
    const waited = platformSpans.filter((s) => s.name === `invoke ${FN}` && !s.attributes['faas.coldstart'] && Number(s.attributes['faasbench.queue_ms']) >= 1).length;
    expect(waited).toBeGreaterThanOrEqual(2);
    expect(platformSpans).toHaveLength(5 + 1 + waited);
    const byParent = new Map<string, OtlpSpan[]>();
    for (const s of platformSpans) byParent.set(s.parentSpanId!, [...(byParent.get(s.parentSpanId!) ?? []), s]);
    expect(new Set(byParent.keys())).toEqual(new Set(clients.map((c) => c.spanId)));
    const names: string[] = [];
    for (const client of clients) {
      const children = byParent.get(client.spanId)!;
      expect(children.every((c) => c.traceId === client.traceId)).toBe(true);
      // Inside the call as the client saw it (one host, one clock).
      expect(children.every((c) => c.startNs >= client.startNs && c.endNs <= client.endNs)).toBe(true);
      const run = children.filter((c) => c.name === `invoke ${FN}`);
      expect(run).toHaveLength(1);
      expect(run[0]!.kind).toBe(KIND.server);
      expect(run[0]!.attributes).toMatchObject({ 'faas.name': FN, 'faas.invocation_id': client.attributes['faas.invocation_id'], 'faas.instance': client.attributes['faas.instance'], 'faas.coldstart': client.attributes['faas.coldstart'] });
      expect(run[0]!.attributes['faasbench.duration_ms']).toBeGreaterThanOrEqual(150);
      names.push(...children.filter((c) => c !== run[0]).map((c) => `${c.name}${c.attributes['faas.coldstart'] ? ' (cold)' : ''}`));
    }
    expect(names.sort()).toEqual(['init (cold)', ...Array<string>(waited).fill('queue wait')]);
    const waits = platformSpans.filter((s) => s.name === 'queue wait');
    // The burst's two waited for at least one 150 ms call before them.
    expect(waits.filter((w) => Number(w.endNs - w.startNs) >= 140e6)).toHaveLength(2);
  });

  it('sends the same spans to Zipkin as valid v2 JSON, with the same ids and tags as strings', () => {
    expect(zipkin.bodies.every((b) => b.path === ZIPKIN_PATH && b.contentType === 'application/json')).toBe(true);
    const spans = zipkinSpans(zipkin).filter((s) => s.traceId !== TRIGGER_CALLER.traceId);
    // The same spans as over OTLP (counted there: 5 clients, 5 runs, 1 init and the queue waits).
    expect(spans).toHaveLength(otlpSpans(otlp).filter((s) => s.traceId !== TRIGGER_CALLER.traceId).length);
    expect(spans.length).toBeGreaterThanOrEqual(5 + 8);
    const clients = spans.filter((s) => s.kind === 'CLIENT');
    expect(clients).toHaveLength(5);
    expect(clients.every((s) => s.localEndpoint.serviceName === 'faasbench' && s.parentId === undefined && s.tags['faas.invoked_name'] === FN && s.tags['faasbench.status'] === 'ok')).toBe(true);
    const servers = spans.filter((s) => s.kind === 'SERVER');
    expect(servers).toHaveLength(5);
    const clientIds = new Map(clients.map((c) => [c.id, c.traceId]));
    expect(spans.filter((s) => s.kind !== 'CLIENT').every((s) => s.localEndpoint.serviceName === 'faasbench-platform' && clientIds.get(s.parentId!) === s.traceId)).toBe(true);
    const otlpIds = new Set(otlpSpans(otlp).map((s) => `${s.traceId}/${s.spanId}`));
    expect(spans.every((s) => otlpIds.has(`${s.traceId}/${s.id}`))).toBe(true);
  });

  it("puts the platform's span of a call through the HTTP trigger carrying only B3 under the caller's span", () => {
    const spans = otlpSpans(otlp).filter((s) => s.traceId === TRIGGER_CALLER.traceId);
    expect(spans.map((s) => [s.name, s.parentSpanId, s.kind])).toEqual([[`invoke ${FN}`, TRIGGER_CALLER.spanId, KIND.server]]);
  });
});

describe('a collector that is down', () => {
  const provider = useLoopbackProvider(8);

  it('fails no call and is said once per collector', async () => {
    const said: string[] = [];
    // Nothing listens on port 9 on loopback (discard, never served here): connections are refused.
    const exporter = spanExportTo({ otlp: 'http://127.0.0.1:9/v1/traces', zipkin: 'http://127.0.0.1:9/api/v2/spans' }, 'faasbench', (m) => said.push(m))!;
    const records: InvocationRecord[] = [];
    const plan = planPattern('constant', { rate: '200', duration: '1s' }, { fn: '/ok', payload: { event: {} } });
    await runPlan({ runId: 'down', plan, provider, payloadOf: () => Buffer.from('{}'), sink: { write: (r) => void records.push(r) }, spans: new ClientSpans(exporter, true, 'loopback') });
    const closing = Date.now();
    await exporter.close();
    expect(records).toHaveLength(200);
    expect(records.every((r) => r.status === 'ok')).toBe(true);
    expect(said).toHaveLength(2);
    expect(said.some((m) => m.includes('OTLP collector http://127.0.0.1:9/v1/traces'))).toBe(true);
    expect(said.some((m) => m.includes('Zipkin collector http://127.0.0.1:9/api/v2/spans'))).toBe(true);
    expect(Date.now() - closing).toBeLessThan(12_000);
  });
});
