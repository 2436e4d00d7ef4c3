// The local platform's X-Ray API through the real @aws-sdk/client-xray: a call's trace as the SDK
// reads it (linked to its caller's header, and the function told its own segment), paging of
// GetTraceSummaries over thousands of traces, and X-Ray's errors for what it does not take.
import { BatchGetTracesCommand, GetTraceSummariesCommand, paginateGetTraceSummaries, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, nodeFunction, startPlatform } from './support/platform.ts';

const SYNTHETIC = 2_500;
const T0_US = Date.UTC(2026, 0, 1) * 1000;

describe('X-Ray API of the local platform, through the X-Ray SDK client', () => {
  let platform: LocalPlatform;
  let xray: XRayClient;

  beforeAll(async () => {
    platform = await startPlatform();
    xray = new XRayClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'faasbench', secretAccessKey: 'faasbench' } });
  });

  afterAll(async () => {
    xray?.destroy();
    await platform?.stop();
  });

  it("a call's trace: its caller's Root and Parent kept, the function told its own segment as Parent", async () => {
    platform.deployFolder(nodeFunction('xr', 'return { trace: process.env._X_AMZN_TRACE_ID };', { cpuModel: 'none' }));
    const header = 'Root=1-6553f100-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=0';
    const reply = await call(platform, 'POST', '/2015-03-31/functions/xr/invocations', '{}', { 'x-amzn-trace-id': header });
    expect(reply.status).toBe(200);
    const seen = (reply.json() as { trace: string }).trace;
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: ['1-6553f100-0123456789abcdef01234567'] }));
    expect(out.UnprocessedTraceIds).toEqual([]);
    expect(out.Traces).toHaveLength(1);
    const docs = out.Traces![0]!.Segments!.map((s) => JSON.parse(s.Document!) as { id: string; name: string; parent_id?: string; origin: string; aws: { request_id: string }; subsegments?: Array<{ name: string }> });
    const [service, fn] = docs;
    expect([service!.origin, service!.name, service!.parent_id, service!.aws.request_id]).toEqual(['AWS::Lambda', 'xr', '53995c3f42cd8ad8', reply.headers['x-amzn-requestid']]);
    expect([fn!.origin, fn!.parent_id, fn!.subsegments!.map((s) => s.name)]).toEqual(['AWS::Lambda::Function', service!.id, ['Initialization', 'Overhead', 'Invocation']]);
    expect(seen).toBe(`Root=1-6553f100-0123456789abcdef01234567;Parent=${fn!.id};Sampled=0`);
  });

  it('an Event call: its attempt in the trace of the header it came with, its time in the async queue as Dwell Time', async () => {
    platform.deployFolder(nodeFunction('xe', 'return 1;', { cpuModel: 'none' }));
    const root = '1-6553f100-00000000000000000000e7e7';
    const reply = await call(platform, 'POST', '/2015-03-31/functions/xe/invocations', '{}', { 'x-amz-invocation-type': 'Event', 'x-amzn-trace-id': `Root=${root};Parent=1111222233334444;Sampled=0` });
    expect(reply.status).toBe(202);
    // Bounded wait for the attempt to have run (a cold start on a busy machine).
    let trace;
    for (let waited = 0; !trace; waited += 100) {
      if (waited > 60_000) throw new Error('the Event call left no trace within 60 s');
      trace = (await xray.send(new BatchGetTracesCommand({ TraceIds: [root] }))).Traces?.[0];
      if (!trace) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [service, fn] = trace.Segments!.map((s) => JSON.parse(s.Document!) as { parent_id?: string; aws: { attempt?: number }; subsegments?: Array<{ name: string }> });
    expect([service!.parent_id, service!.aws.attempt, service!.subsegments!.map((s) => s.name)]).toEqual(['1111222233334444', 1, ['Dwell Time']]);
    expect(fn!.subsegments!.map((s) => s.name)).toEqual(['Initialization', 'Overhead', 'Invocation']);
  });

  it('pages through 2,500 traces 1,000 at a time, each trace once, in start order', async () => {
    for (let i = 0; i < SYNTHETIC; i++) {
      const startUs = T0_US + i * 1000;
      const timings = { fn: 'syn', requestId: `r${i}`, instanceId: 'i', cold: false, startUs, endUs: startUs + 500, queueMs: 0, initMs: undefined, durationMs: 0.4, errorType: undefined };
      platform.xrayTraces.add({ traceId: `1-69559e80-${i.toString(16).padStart(24, '0')}`, serviceSegmentId: `a${i.toString(16).padStart(15, '0')}`, functionSegmentId: `b${i.toString(16).padStart(15, '0')}`, parentId: undefined, arn: 'arn:syn', timings });
    }
    const pageSizes: number[] = [];
    const ids: string[] = [];
    const window = { StartTime: new Date(T0_US / 1000), EndTime: new Date(T0_US / 1000 + SYNTHETIC) };
    for await (const page of paginateGetTraceSummaries({ client: xray }, window)) {
      pageSizes.push(page.TraceSummaries!.length);
      expect(page.TracesProcessedCount).toBe(SYNTHETIC);
      ids.push(...page.TraceSummaries!.map((s) => s.Id!));
    }
    expect(pageSizes).toEqual([1000, 1000, 500]);
    expect(ids).toEqual(Array.from({ length: SYNTHETIC }, (_, i) => `1-69559e80-${i.toString(16).padStart(24, '0')}`));
    // A narrower window: the traces that started in it, bounds included.
    const narrow = await xray.send(new GetTraceSummariesCommand({ StartTime: new Date(T0_US / 1000 + 10), EndTime: new Date(T0_US / 1000 + 19) }));
    expect(narrow.TraceSummaries!.map((s) => s.Id!.slice(-2))).toEqual(['0a', '0b', '0c', '0d', '0e', '0f', '10', '11', '12', '13']);
    expect(narrow.NextToken).toBeUndefined();
  });

  it("answers X-Ray's InvalidRequestException, with what was wrong, for what it does not take", async () => {
    const refused = async (send: Promise<unknown>): Promise<[string, string]> => {
      const err = (await send.then(() => null, (e: unknown) => e)) as Error | null;
      expect(err).not.toBeNull();
      return [err!.name, err!.message];
    };
    const now = new Date();
    expect(await refused(xray.send(new BatchGetTracesCommand({ TraceIds: ['1', '2', '3', '4', '5', '6'] })))).toEqual(['InvalidRequestException', 'TraceIds: expected at most 5 trace ids a call (as AWS X-Ray), got 6']);
    expect(await refused(xray.send(new GetTraceSummariesCommand({ StartTime: now, EndTime: now, FilterExpression: 'service("xr")' })))).toEqual([
      'InvalidRequestException',
      'FilterExpression: not supported by the local platform; leave it out and filter the summaries that come back',
    ]);
    expect(await refused(xray.send(new GetTraceSummariesCommand({ StartTime: now, EndTime: new Date(now.getTime() - 1000) })))).toEqual(['InvalidRequestException', 'EndTime: expected a time at or after StartTime']);
    expect(await refused(xray.send(new GetTraceSummariesCommand({ StartTime: now, EndTime: now, NextToken: 'made-up' })))).toEqual([
      'InvalidRequestException',
      'NextToken "made-up" is not a token this API gave: pass the NextToken of the previous page as it came',
    ]);
  });
});
