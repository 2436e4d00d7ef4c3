// The HTTP providers send a call's trace context as headers, and only when the call has one.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpProvider } from '../../src/providers/http.ts';
import { ClientSpans } from '../../src/spans/client-spans.ts';
import { SpanExport } from '../../src/spans/span-export.ts';

describe('trace headers on the wire', () => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume().on('end', () => res.end('{}'));
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('http provider: traceparent and B3 of the call, nothing without one', async () => {
    const provider = await createHttpProvider({ url: `${url}/{fn}` });
    const exporter = new SpanExport({ senders: [] });
    const trace = new ClientSpans(exporter, true, 'http').begin();
    await provider.invoke('f', Buffer.from('{}'), trace);
    await provider.invoke('f', Buffer.from('{}'));
    await provider.close();
    await exporter.close();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ traceparent: `00-${trace.traceId}-${trace.spanId}-01`, 'x-b3-traceid': trace.traceId, 'x-b3-spanid': trace.spanId, 'x-b3-sampled': '1' });
    expect(seen[1]!.traceparent).toBeUndefined();
    expect(seen[1]!['x-b3-traceid']).toBeUndefined();
  });
});
