// ANY /fn/<name>/...: API Gateway HTTP API (2.0) events in, API Gateway response rules out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, nodeFunction, startPlatform } from './support/platform.ts';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
  platform.deployFolder(nodeFunction('event', 'return { statusCode: 200, body: JSON.stringify(event) };', { cpuModel: 'none' }));
  platform.deployFolder(nodeFunction('shaped', "return { statusCode: 201, headers: { 'x-made': 'here', 'content-type': 'text/plain' }, body: 'created', cookies: ['a=1'] };", { cpuModel: 'none' }));
  platform.deployFolder(nodeFunction('plain', 'return { just: "data" };', { cpuModel: 'none' }));
  platform.deployFolder(nodeFunction('fails', 'throw new Error("x");', { cpuModel: 'none' }));
});
afterAll(async () => {
  await platform.stop();
});

describe('HTTP trigger', () => {
  it('hands the function a 2.0 event with path, query, headers, cookies and body', async () => {
    const r = await call(platform, 'POST', '/fn/event/orders/7?expand=items&expand=tax&x=1', '{"qty":2}', { 'content-type': 'application/json', cookie: 'c1=a; c2=b' });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/orders/7',
      rawQueryString: 'expand=items&expand=tax&x=1',
      cookies: ['c1=a', 'c2=b'],
      queryStringParameters: { expand: 'items,tax', x: '1' },
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST', path: '/orders/7', protocol: 'HTTP/1.1' }, stage: '$default' },
      body: '{"qty":2}',
      isBase64Encoded: false,
    });
    expect(r.headers['x-faasbench-cold']).toBe('true');
  });

  it('base64-encodes a binary body', async () => {
    const r = await call(platform, 'PUT', '/fn/event', Buffer.from([0, 1, 2, 255]), { 'content-type': 'application/octet-stream' });
    expect(r.json()).toMatchObject({ rawPath: '/', body: 'AAEC/w==', isBase64Encoded: true });
  });

  it('maps statusCode, headers, cookies and body of a shaped result', async () => {
    const r = await call(platform, 'GET', '/fn/shaped/');
    expect(r.status).toBe(201);
    expect(r.text).toBe('created');
    expect(r.headers['x-made']).toBe('here');
    expect(r.headers['set-cookie']).toBe('a=1');
  });

  it('returns any other result as a 200 JSON body', async () => {
    const r = await call(platform, 'GET', '/fn/plain/');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ just: 'data' });
  });

  it('answers 502 for a function error, with the ground truth headers', async () => {
    const r = await call(platform, 'GET', '/fn/fails/');
    expect(r.status).toBe(502);
    expect(r.json()).toEqual({ message: 'Internal Server Error' });
    expect(r.headers['x-faasbench-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('/metrics and /healthz', () => {
  it('exposes instances by state, cold starts and invocations in Prometheus text', async () => {
    await call(platform, 'GET', '/fn/plain/');
    const text = (await call(platform, 'GET', '/metrics')).text;
    expect(text).toContain('# TYPE faasbench_instances gauge');
    expect(text).toContain('faasbench_instances{function="plain",state="idle"} 1');
    expect(text).toContain('faasbench_cold_starts_total{function="plain"} 1');
    expect(text).toContain('faasbench_invocations_total{function="plain",outcome="success",start="warm"} 1');
    expect(text).toContain('faasbench_queue_depth{function="plain"} 0');
    const health = (await call(platform, 'GET', '/healthz')).json();
    expect(health).toMatchObject({ status: 'ok', functions: 4, isolation: 'namespace', freeze: 'sigstop' });
  });
});
