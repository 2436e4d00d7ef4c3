// A caller's trace through the Lambda-style paths, end to end: the real AWS SDK client (the
// aws-lambda provider) against the local platform's Lambda API, RequestResponse and Event, a
// function URL, and a caller known only by its X-Amzn-Trace-Id. The platform's spans reach a Zipkin
// receiver under the caller's span, and the function's own trace header names its invoke span.
import { CreateFunctionUrlConfigCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { createAwsLambdaProvider, type AwsLambdaProvider } from '../../src/providers/aws-lambda.ts';
import { sendTraceHeaders } from '../../src/providers/aws-trace-header.ts';
import { ClientSpans, type CallTrace } from '../../src/spans/client-spans.ts';
import { SpanExport } from '../../src/spans/span-export.ts';
import { call, nodeFunction, sleep, startPlatform } from '../support/platform.ts';
import { startReceiver, zipkinSpans, type Receiver, type ZipkinSpan } from './receivers.ts';

const FN = 'ctx';
/** Its trace header as the runtime gave it; a function URL's response shape when called through one. */
const HANDLER = `const trace = process.env._X_AMZN_TRACE_ID; return event.rawPath === undefined ? { trace } : { statusCode: 200, body: JSON.stringify({ trace }) };`;
/** Calls FN as a function's AWS SDK does inside Lambda: its own trace header passed on as X-Amzn-Trace-Id. */
const NESTING = `const res = await fetch(process.env.FAASBENCH_INVOKE_URL + '/2015-03-31/functions/${FN}/invocations', { method: 'POST', body: '{}', headers: { 'x-amzn-trace-id': process.env._X_AMZN_TRACE_ID } }); return { trace: process.env._X_AMZN_TRACE_ID, inner: await res.json() };`;
/** Callers known only by X-Ray's header: one recording its trace, one not. */
const XRAY_SAMPLED = { traceId: '6a1b2c3d4e5f60718293a4b5c6d7e8f9', spanId: '0f1e2d3c4b5a6978' };
const XRAY_UNSAMPLED_ROOT = '1-6a1b2c3d-000000000000000000000001';
/** Bounds the wait for the Event call to have run: its spans leave within 500 ms of its end. */
const EVENT_WAIT_MS = 60_000;

const xray = (c: { traceId: string; spanId: string }): string => `Root=1-${c.traceId.slice(0, 8)}-${c.traceId.slice(8)};Parent=${c.spanId};Sampled=1`;

describe("a caller's trace through the Lambda API, Event calls and function URLs", () => {
  let zipkin: Receiver;
  let platform: LocalPlatform;
  let lambda: AwsLambdaProvider;
  const exporter = new SpanExport({ senders: [] });
  const tracer = new ClientSpans(exporter, true, 'aws-lambda');
  let sync: CallTrace, event: CallTrace, url: CallTrace, nested: CallTrace;
  /** What the function saw as its trace header, per call that answered. */
  const seen: Record<string, string> = {};
  /** The function URL's response header. */
  let urlTraceHeader = '';

  beforeAll(async () => {
    zipkin = await startReceiver();
    platform = await startPlatform({ spans: { zipkin: `${zipkin.url}/api/v2/spans` } });
    platform.deployFolder(nodeFunction(FN, HANDLER, { cpuModel: 'none' }));
    platform.deployFolder(nodeFunction('outer', NESTING, { cpuModel: 'none' }));
    lambda = await createAwsLambdaProvider({ endpoint: platform.url });

    sync = tracer.begin();
    const first = await lambda.invoke(FN, Buffer.from('{}'), sync);
    expect(first.status).toBe('ok');
    seen.sync = (JSON.parse(first.payload.toString('utf8')) as { trace: string }).trace;

    event = tracer.begin();
    const command = new InvokeCommand({ FunctionName: FN, InvocationType: 'Event', Payload: Buffer.from('{}') });
    sendTraceHeaders(command, event.traceHeaders);
    expect((await lambda.invokeClient.send(command)).StatusCode).toBe(202);
    // Stopping the platform would cut a running event short: it must have run first.
    for (let waited = 0; !zipkinSpans(zipkin).some((s) => s.traceId === event.traceId && s.kind === 'SERVER'); waited += 100) {
      if (waited > EVENT_WAIT_MS) throw new Error(`the Event call's spans did not arrive within ${EVENT_WAIT_MS} ms`);
      await sleep(100);
    }

    const created = await lambda.controlClient.send(new CreateFunctionUrlConfigCommand({ FunctionName: FN, AuthType: 'NONE' }));
    const urlId = /^http:\/\/([a-z0-9]{32})\.lambda-url\./.exec(created.FunctionUrl ?? '')?.[1];
    url = tracer.begin();
    const reply = await call(platform, 'GET', `/lambda-url/${urlId}/`, undefined, { ...url.traceHeaders });
    expect(reply.status).toBe(200);
    seen.url = (reply.json() as { trace: string }).trace;
    urlTraceHeader = reply.headers['x-amzn-trace-id'] ?? '';

    for (const [name, header] of [['xray', xray(XRAY_SAMPLED)], ['unsampled', `Root=${XRAY_UNSAMPLED_ROOT};Parent=1111111111111111;Sampled=0`]] as const) {
      const answer = await call(platform, 'POST', `/2015-03-31/functions/${FN}/invocations`, '{}', { 'x-amzn-trace-id': header });
      expect(answer.status).toBe(200);
      seen[name] = (answer.json() as { trace: string }).trace;
    }
    nested = tracer.begin();
    const outer = await lambda.invoke('outer', Buffer.from('{}'), nested);
    expect(outer.status).toBe('ok');
    const both = JSON.parse(outer.payload.toString('utf8')) as { trace: string; inner: { trace: string } };
    seen.outer = both.trace;
    seen.inner = both.inner.trace;
    await lambda.close();
    await exporter.close();
    // Stopping sends the platform's last spans.
    await platform.stop();
  }, 120_000);

  afterAll(async () => {
    await zipkin.close();
  });

  function spansOf(traceId: string): ZipkinSpan[] {
    return zipkinSpans(zipkin).filter((s) => s.traceId === traceId);
  }

  /**
   * The names of a call's platform spans: init only when its run was cold; for a warm synchronous
   * call, queue wait only when its run says it waited a millisecond or more for its instance (a
   * loaded machine can take that long to place a call, or to thaw the instance).
   */
  function expectChildren(spans: ZipkinSpan[], parentId: string, warmNames: string[]): ZipkinSpan {
    const run = spans.filter((s) => s.name === `invoke ${FN}`);
    expect(run).toHaveLength(1);
    const cold = run[0]!.tags['faas.coldstart'] === 'true';
    const waited = !cold && !warmNames.includes('queue wait') && Number(run[0]!.tags['faasbench.queue_ms']) >= 1;
    expect(spans.map((s) => s.name).sort()).toEqual([...warmNames, ...(cold ? ['init'] : []), ...(waited ? ['queue wait'] : [])].sort());
    expect(spans.every((s) => s.parentId === parentId && s.localEndpoint.serviceName === 'faasbench-platform')).toBe(true);
    expect(run[0]!.kind).toBe('SERVER');
    return run[0]!;
  }

  it('RequestResponse through the SDK: init and invoke under the call, the function told its invoke span in the same trace', () => {
    const spans = spansOf(sync.traceId);
    const run = expectChildren(spans, sync.spanId, [`invoke ${FN}`]);
    // The first call of all started the instance.
    expect(run.tags['faas.coldstart']).toBe('true');
    expect(seen.sync).toBe(xray({ traceId: sync.traceId, spanId: run.id }));
  });

  it('Event through the SDK: its time in the async queue and its run under the call', () => {
    const spans = spansOf(event.traceId);
    const run = expectChildren(spans, event.spanId, ['queue wait', `invoke ${FN}`]);
    expect(run.tags['faasbench.attempt']).toBe('1');
    const wait = spans.find((s) => s.name === 'queue wait')!;
    expect(wait.tags['faasbench.attempt']).toBe('1');
    expect(wait.timestamp).toBeLessThanOrEqual(run.timestamp);
  });

  it("a function URL: the run under the caller's traceparent, the same trace in its X-Ray header and in the function's", () => {
    const run = expectChildren(spansOf(url.traceId), url.spanId, [`invoke ${FN}`]);
    expect(seen.url).toBe(xray({ traceId: url.traceId, spanId: run.id }));
    expect(urlTraceHeader).toBe(`Root=1-${url.traceId.slice(0, 8)}-${url.traceId.slice(8)}`);
  });

  it('a caller known only by a sampled X-Amzn-Trace-Id is the parent; an unsampled one gets no spans', () => {
    const run = expectChildren(spansOf(XRAY_SAMPLED.traceId), XRAY_SAMPLED.spanId, [`invoke ${FN}`]);
    expect(seen.xray).toBe(xray({ traceId: XRAY_SAMPLED.traceId, spanId: run.id }));
    expect(zipkinSpans(zipkin).filter((s) => s.traceId === XRAY_UNSAMPLED_ROOT.replace(/-/g, '').slice(1))).toEqual([]);
    expect(seen.unsampled).toMatch(new RegExp(`^Root=${XRAY_UNSAMPLED_ROOT};Parent=[0-9a-f]{16};Sampled=0$`));
  });

  it("a nested call from a function, its trace header passed on: the inner run under the outer run's span", () => {
    const spans = spansOf(nested.traceId);
    const outer = spans.filter((s) => s.parentId === nested.spanId);
    expect(outer.map((s) => s.name).sort()).toEqual(['init', 'invoke outer']);
    const outerRun = outer.find((s) => s.name === 'invoke outer')!;
    expect(seen.outer).toBe(xray({ traceId: nested.traceId, spanId: outerRun.id }));
    const inner = spans.filter((s) => s.parentId === outerRun.id);
    const innerRun = expectChildren(inner, outerRun.id, [`invoke ${FN}`]);
    expect(seen.inner).toBe(xray({ traceId: nested.traceId, spanId: innerRun.id }));
    expect(spans).toHaveLength(outer.length + inner.length);
  });

  it('sends nothing else: every platform span belongs to one of these calls', () => {
    const traces = new Set([sync.traceId, event.traceId, url.traceId, nested.traceId, XRAY_SAMPLED.traceId]);
    expect(zipkinSpans(zipkin).filter((s) => !traces.has(s.traceId))).toEqual([]);
  });
});
