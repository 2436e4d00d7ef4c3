// The gateway as an HTTP adapter, in-process over real loopback HTTP, with a fake PlatformApi behind
// it (testing/fake-platform.ts says why a fake is right here): routing, one decoding, the guard.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type GatewayOptions } from './gateway.ts';
import { sameSecret } from './request-guard.ts';
import { FakePlatform } from './testing/fake-platform.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Running {
  fake: FakePlatform;
  port: number;
  send: (method: string, path: string, headers?: Record<string, string>, body?: string) => Promise<Reply>;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(options: Partial<GatewayOptions> = {}): Promise<Running> {
  const fake = new FakePlatform();
  const server = createGateway({ token: undefined, boundHost: '127.0.0.1', platform: () => fake, ...options });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const send: Running['send'] = (method, path, headers = {}, body) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { fake, port, send };
}

const FN = '/2015-03-31/functions';
const createBody = (name: string): string => JSON.stringify({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { S3Bucket: 'faasbench-local', S3Key: '/nowhere' } });

async function withFunction(options: Partial<GatewayOptions> = {}): Promise<Running> {
  const running = await start(options);
  await running.fake.deploy({ name: 'hello', runtime: 'nodejs', handler: 'index.handler' }, { folder: '/nowhere' });
  running.fake.calls.length = 0;
  return running;
}

describe('one decoding for every route', () => {
  it('answers a malformed % escape in a name with 400 naming the segment, in each API’s shape, and runs nothing', async () => {
    const { send, fake } = await withFunction();
    const lambda = await send('POST', `${FN}/hel%zzlo/invocations`, {}, '{}');
    expect([lambda.status, lambda.headers['x-amzn-errortype']]).toEqual([400, 'InvalidRequestContentException']);
    expect(JSON.parse(lambda.text)).toMatchObject({ message: expect.stringContaining('path segment "hel%zzlo" has a malformed percent-escape') });
    const config = await send('GET', `${FN}/%E0%A4/configuration`);
    expect([config.status, JSON.parse(config.text).message]).toEqual([400, expect.stringContaining('"%E0%A4"')]);
    const status = await send('GET', '/system/function/hel%zzlo');
    expect([status.status, status.headers['content-type'], status.text]).toEqual([400, 'text/plain; charset=utf-8', expect.stringContaining('path segment "hel%zzlo"')]);
    const openfaas = await send('POST', '/function/hel%zzlo', {}, '{}');
    expect([openfaas.status, openfaas.text]).toEqual([400, expect.stringContaining('path segment "hel%zzlo"')]);
    const trigger = await send('GET', '/fn/hel%zzlo/any');
    expect([trigger.status, JSON.parse(trigger.text)]).toEqual([400, { message: expect.stringContaining('path segment "hel%zzlo"') }]);
    expect(fake.calls).toEqual([]);
  });

  it('decodes a well-formed escape the same way on every API', async () => {
    const { send, fake } = await withFunction();
    expect((await send('POST', `${FN}/h%65llo/invocations`, {}, '{"n":1}')).status).toBe(200);
    expect((await send('POST', '/function/h%65llo', {}, '{"n":2}')).status).toBe(200);
    expect((await send('POST', '/fn/h%65llo/x', {}, '{"n":3}')).status).toBe(200);
    expect((await send('GET', '/system/function/h%65llo')).status).toBe(200);
    expect(fake.calls.map((c) => c.name)).toEqual(['hello', 'hello', 'hello']);
  });

  it('keeps each API’s answer for a path it does not serve', async () => {
    const { send } = await start();
    const lambda = await send('PATCH', `${FN}/x`);
    expect([lambda.status, lambda.headers['x-amzn-errortype']]).toEqual([404, 'UnknownOperationException']);
    expect((await send('GET', '/system/nothing')).text).toContain('no OpenFaaS route for GET /system/nothing');
    expect([(await send('GET', '/rt/anything')).status, (await send('GET', '/nothing')).text]).toEqual([404, '{"message":"no route for GET /nothing"}']);
  });
});

describe('Host allowlist', () => {
  it('refuses a Host that is not a loopback name or the bound address, on every API', async () => {
    const { send, fake } = await withFunction();
    for (const [method, path] of [['GET', FN], ['POST', `${FN}/hello/invocations`], ['GET', '/system/functions'], ['POST', '/function/hello'], ['GET', '/fn/hello'], ['GET', '/healthz']] as const) {
      const r = await send(method, path, { host: 'evil.example' }, '{}');
      expect([method, path, r.status]).toEqual([method, path, 403]);
      // JSON escapes the quotes, text does not.
      expect(r.text.replaceAll('\\"', '"')).toContain('Host "evil.example" is not a name of this platform');
    }
    const lambda = await send('GET', FN, { host: 'evil.example:8080' });
    expect(lambda.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(fake.calls).toEqual([]);
  });

  it('accepts loopback names and the bound address with or without a port, and allowedHosts', async () => {
    const { send, port } = await start({ allowedHosts: ['bench.lan'] });
    for (const host of ['localhost', `localhost:${port}`, '127.0.0.1', '127.1.2.3:80', '[::1]', `[::1]:${port}`, 'LOCALHOST', 'bench.lan', `bench.lan:${port}`]) {
      expect([host, (await send('GET', FN, { host })).status]).toEqual([host, 200]);
    }
    for (const host of ['localhost.evil.example', '127.0.0.1.evil.example', 'evil.example', '0.0.0.0', 'localhost:x']) {
      expect([host, (await send('GET', FN, { host })).status]).toEqual([host, 403]);
    }
  });
});

describe('requests from pages in a browser', () => {
  const other = { origin: 'http://127.0.0.1:5173', 'content-type': 'text/plain' };

  it('refuses any Origin not allowed, before anything runs: nothing created, nothing invoked, no CORS headers', async () => {
    const { send, fake } = await withFunction();
    const created = await send('POST', FN, other, createBody('from-page'));
    expect([created.status, created.headers['x-amzn-errortype'], created.headers['access-control-allow-origin']]).toEqual([403, 'AccessDeniedException', undefined]);
    expect(JSON.parse(created.text).message).toContain('origin "http://127.0.0.1:5173" are refused');
    expect((await send('POST', `${FN}/hello/invocations`, other, '{}')).status).toBe(403);
    expect((await send('POST', '/system/functions', other, JSON.stringify({ service: 'x', image: 'faasbench-local:/x' }))).status).toBe(403);
    expect((await send('POST', '/function/hello', other, '{}')).status).toBe(403);
    expect((await send('POST', '/fn/hello', other, '{}')).status).toBe(403);
    expect((await send('OPTIONS', FN, { ...other, 'access-control-request-method': 'POST' })).status).toBe(403);
    expect((await send('POST', '/fn/hello', { origin: 'null' }, '{}')).status).toBe(403);
    expect(fake.calls).toEqual([]);
    expect(fake.list().map((f) => f.name)).toEqual(['hello']);
  });

  it('refuses a cross-site GET that carries no Origin but says where it comes from (an <img>)', async () => {
    const { send, fake } = await withFunction();
    expect((await send('GET', '/fn/hello', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' })).status).toBe(403);
    expect((await send('GET', '/function/hello', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(fake.calls).toEqual([]);
    // Typed into the address bar: the user's own request.
    expect((await send('GET', '/fn/hello', { 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('serves an origin on allowedOrigins', async () => {
    const { send, fake } = await withFunction({ allowedOrigins: ['http://127.0.0.1:5173'] });
    expect((await send('POST', FN, other, createBody('from-page'))).status).toBe(201);
    expect(fake.calls).toEqual([{ op: 'deploy', name: 'from-page' }]);
  });
});

describe('the platform token', () => {
  const token = 'platform-token-0123456789';

  it('is accepted as Bearer, x-faasbench-token, SigV4 access key id and OpenFaaS basic auth', async () => {
    const { send } = await start({ token });
    expect((await send('GET', FN, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await send('GET', FN, { 'x-faasbench-token': token })).status).toBe(200);
    expect((await send('GET', FN, { authorization: `AWS4-HMAC-SHA256 Credential=${token}/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00` })).status).toBe(200);
    expect((await send('GET', '/system/functions', { authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` })).status).toBe(200);
  });

  it('refuses a missing token and any other token, longer, shorter or the same length', async () => {
    const { send } = await start({ token });
    const wrong = ['', 'platform-token', `${token}0`, `${token.slice(0, -1)}X`, 'x'.repeat(4096)];
    for (const offered of wrong) {
      const r = await send('GET', FN, offered ? { authorization: `Bearer ${offered}` } : {});
      expect([offered.length, r.status, r.headers['x-amzn-errortype']]).toEqual([offered.length, 403, 'UnrecognizedClientException']);
      const openfaas = await send('GET', '/system/functions', { authorization: `Basic ${Buffer.from(`admin:${offered}`).toString('base64')}` });
      expect([openfaas.status, openfaas.headers['www-authenticate']]).toEqual([401, 'Basic realm="Restricted"']);
    }
    expect((await send('GET', '/system/functions', { authorization: `Basic ${Buffer.from(`root:${token}`).toString('base64')}` })).status).toBe(401);
    expect((await send('GET', '/healthz')).status).toBe(403);
  });

  it('compares digests, so secrets of any length compare without throwing', () => {
    expect(sameSecret('a', 'a')).toBe(true);
    expect(sameSecret('a', 'ab')).toBe(false);
    expect(sameSecret('', 'secret')).toBe(false);
    expect(sameSecret('x'.repeat(10_000), 'x')).toBe(false);
  });

  it('is not handed to the function the HTTP trigger invokes', async () => {
    const { send, fake } = await withFunction({ token });
    const r = await send('POST', '/fn/hello', { authorization: `Bearer ${token}`, 'x-faasbench-token': token, 'x-other': 'kept' }, 'hi');
    expect(r.status).toBe(200);
    const event = JSON.parse(fake.calls[0]?.op === 'invoke' ? fake.calls[0].payload : '{}') as { headers: Record<string, string> };
    expect(event.headers['x-other']).toBe('kept');
    expect(JSON.stringify(event)).not.toContain(token);
  });
});

describe('the invoke token', () => {
  const token = 'platform-token';
  const invokeToken = 'invoke-only-token';
  const bearer = { authorization: `Bearer ${invokeToken}` };

  it('invokes through every invocation route', async () => {
    const { send, fake } = await withFunction({ token, invokeToken });
    expect((await send('POST', `${FN}/hello/invocations`, bearer, '{}')).status).toBe(200);
    expect((await send('POST', `${FN}/hello/invocations`, { 'x-faasbench-token': invokeToken }, '{}')).status).toBe(200);
    expect((await send('POST', `${FN}/hello/invocations`, { authorization: `AWS4-HMAC-SHA256 Credential=${invokeToken}/20260101/us-east-1/lambda/aws4_request` }, '{}')).status).toBe(200);
    expect((await send('POST', '/function/hello', bearer, '{}')).status).toBe(200);
    expect((await send('POST', '/async-function/hello', bearer, '{}')).status).toBe(202);
    expect((await send('GET', '/fn/hello', bearer)).status).toBe(200);
    expect(fake.calls.map((c) => c.op)).toEqual(['invoke', 'invoke', 'invoke', 'invoke', 'invoke', 'invoke']);
  });

  it('cannot create, update, delete or list, on either API', async () => {
    const { send, fake } = await withFunction({ token, invokeToken });
    const refused: [string, string, string?][] = [
      ['POST', FN, createBody('planted')],
      ['GET', FN],
      ['GET', `${FN}/hello`],
      ['DELETE', `${FN}/hello`],
      ['PUT', `${FN}/hello/configuration`, '{"MemorySize":512}'],
      ['PUT', `${FN}/hello/code`, '{"S3Bucket":"faasbench-local","S3Key":"/x"}'],
      ['GET', '/healthz'],
      ['GET', '/metrics'],
    ];
    for (const [method, path, body] of refused) {
      const r = await send(method, path, bearer, body);
      expect([method, path, r.status, r.headers['x-amzn-errortype']]).toEqual([method, path, 403, 'UnrecognizedClientException']);
      expect(JSON.parse(r.text).message).toContain('the invoke token allows invocations only');
    }
    for (const [method, body] of [['GET'], ['POST', JSON.stringify({ service: 'planted', image: 'faasbench-local:/x' })], ['DELETE', '{"functionName":"hello"}']] as const) {
      expect([method, (await send(method, '/system/functions', bearer, body)).status]).toEqual([method, 401]);
    }
    expect(fake.calls).toEqual([]);
    expect(fake.list().map((f) => f.name)).toEqual(['hello']);
  });

  it('is refused when wrong', async () => {
    const { send } = await withFunction({ token, invokeToken });
    expect((await send('POST', `${FN}/hello/invocations`, { authorization: 'Bearer invoke-only-tokeN' }, '{}')).status).toBe(403);
  });
});
