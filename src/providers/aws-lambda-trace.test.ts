// The aws-lambda provider's trace headers on the wire: the real AWS SDK client's requests, as a
// loopback server standing in for Lambda's Invoke receives them.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientSpans } from '../spans/client-spans.ts';
import { SpanExport } from '../spans/span-export.ts';
import { createAwsLambdaProvider, type AwsLambdaProvider } from './aws-lambda.ts';
import { sendTraceHeaders } from './aws-trace-header.ts';

const TRACE_HEADERS = ['traceparent', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-amzn-trace-id'];

describe('aws-lambda trace headers on the wire', () => {
  const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  // Lambda's Invoke answers: 200 with the payload, 202 for Event.
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const event = req.headers['x-amz-invocation-type'] === 'Event';
    req.resume().on('end', () => res.writeHead(event ? 202 : 200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }).end(event ? '' : '{"ok":true}'));
  });
  let lambda: AwsLambdaProvider;
  const exporter = new SpanExport({ senders: [] });
  const withB3 = new ClientSpans(exporter, true, 'aws-lambda');
  const plain = new ClientSpans(exporter, false, 'aws-lambda');

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    lambda = await createAwsLambdaProvider({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await lambda.close();
    await exporter.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const traceOnly = (headers: IncomingHttpHeaders): Record<string, unknown> => Object.fromEntries(TRACE_HEADERS.filter((h) => h in headers).map((h) => [h, headers[h]]));

  it("sends each call's own traceparent, B3 when asked, and X-Amzn-Trace-Id in X-Ray form; nothing on an untraced call", async () => {
    const a = withB3.begin();
    const b = plain.begin();
    const results = [await lambda.invoke('f', Buffer.from('{}'), a), await lambda.invoke('f', Buffer.from('{}'), b), await lambda.invoke('f', Buffer.from('{}'))];
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(seen.map((s) => s.path)).toEqual(Array(3).fill('/2015-03-31/functions/f/invocations'));
    expect(seen.map((s) => traceOnly(s.headers))).toEqual([
      {
        traceparent: `00-${a.traceId}-${a.spanId}-01`,
        'x-b3-traceid': a.traceId,
        'x-b3-spanid': a.spanId,
        'x-b3-sampled': '1',
        'x-amzn-trace-id': `Root=1-${a.traceId.slice(0, 8)}-${a.traceId.slice(8)};Parent=${a.spanId};Sampled=1`,
      },
      { traceparent: `00-${b.traceId}-${b.spanId}-01`, 'x-amzn-trace-id': `Root=1-${b.traceId.slice(0, 8)}-${b.traceId.slice(8)};Parent=${b.spanId};Sampled=1` },
      {},
    ]);
    // The headers rode on the calls' commands: the shared client's stack holds nothing of them.
    expect(lambda.invokeClient.middlewareStack.identify().some((m) => m.includes('faasbenchTraceHeaders'))).toBe(false);
    seen.length = 0;
  });

  it('sends them on an Event call made with the same middleware', async () => {
    const trace = withB3.begin();
    const command = new InvokeCommand({ FunctionName: 'g', InvocationType: 'Event', Payload: Buffer.from('{}') });
    sendTraceHeaders(command, trace.traceHeaders);
    const out = await lambda.invokeClient.send(command);
    expect(out.StatusCode).toBe(202);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers).toMatchObject({
      'x-amz-invocation-type': 'Event',
      traceparent: `00-${trace.traceId}-${trace.spanId}-01`,
      'x-amzn-trace-id': `Root=1-${trace.traceId.slice(0, 8)}-${trace.traceId.slice(8)};Parent=${trace.spanId};Sampled=1`,
    });
    seen.length = 0;
  });
});
