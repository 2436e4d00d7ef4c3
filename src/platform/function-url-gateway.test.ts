// Function URLs through the gateway, over real loopback HTTP with a fake PlatformApi behind it
// (testing/fake-platform.ts says why a fake is right here): the config API's shapes and errors, the
// Host guard's one addition, the URL routes' relaxed Origin checks, AWS_IAM and CORS.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaasbenchError } from '../core/errors.ts';
import { createGateway, type GatewayOptions } from './gateway.ts';
import { FakePlatform } from './testing/fake-platform.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => Record<string, unknown>;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(options: Partial<GatewayOptions> = {}): Promise<{ fake: FakePlatform; port: number; send: (method: string, path: string, headers?: Record<string, string>, body?: string) => Promise<Reply> }> {
  const fake = new FakePlatform();
  await fake.deploy({ name: 'hello', runtime: 'nodejs', handler: 'index.handler' }, { folder: '/nowhere' });
  fake.calls.length = 0;
  const server = createGateway({ token: undefined, boundHost: '127.0.0.1', platform: () => fake, ...options });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return { fake, port, send };
}

const URLS = '/2021-10-31/functions';

async function withUrl(config: Record<string, unknown> = { AuthType: 'NONE' }, options: Partial<GatewayOptions> = {}): Promise<Awaited<ReturnType<typeof start>> & { urlId: string; host: string }> {
  const running = await start(options);
  const created = await running.send('POST', `${URLS}/hello/url`, options.token ? { authorization: `Bearer ${options.token}` } : {}, JSON.stringify(config));
  expect(created.status).toBe(201);
  const urlId = /^http:\/\/([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:0\/$/.exec(String(created.json().FunctionUrl))?.[1] as string;
  expect(urlId).toMatch(/^[a-z0-9]{32}$/);
  running.fake.calls.length = 0;
  return { ...running, urlId, host: `${urlId}.lambda-url.us-east-1.localhost:${running.port}` };
}

describe('the function URL config API', () => {
  it('creates, gets, updates, lists and deletes a config with Lambda’s shapes and status codes', async () => {
    const { send } = await start();
    const created = await send('POST', `${URLS}/hello/url`, {}, JSON.stringify({ AuthType: 'NONE', Cors: { AllowOrigins: ['*'] } }));
    expect([created.status, Object.keys(created.json())]).toEqual([201, ['FunctionUrl', 'FunctionArn', 'AuthType', 'Cors', 'CreationTime']]);
    expect(created.json()).toMatchObject({ FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hello', AuthType: 'NONE', Cors: { AllowOrigins: ['*'] } });
    expect(created.json().CreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(created.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);

    const got = await send('GET', `${URLS}/hello/url`);
    expect(got.json()).toEqual({ ...created.json(), InvokeMode: 'BUFFERED', LastModifiedTime: created.json().CreationTime });

    const updated = await send('PUT', `${URLS}/hello/url`, {}, JSON.stringify({ AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' }));
    expect(updated.json()).toMatchObject({ FunctionUrl: created.json().FunctionUrl, AuthType: 'AWS_IAM', Cors: { AllowOrigins: ['*'] }, InvokeMode: 'RESPONSE_STREAM' });

    const listed = await send('GET', `${URLS}/hello/urls`);
    expect(listed.json()).toEqual({ FunctionUrlConfigs: [(await send('GET', `${URLS}/hello/url`)).json()] });

    const deleted = await send('DELETE', `${URLS}/hello/url`);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    const gone = await send('GET', `${URLS}/hello/url`);
    expect([gone.status, gone.headers['x-amzn-errortype'], gone.json().Message]).toEqual([404, 'ResourceNotFoundException', 'The resource you requested does not exist.']);
  });

  it('answers Lambda’s errors: conflict, missing function, $LATEST and version qualifiers, bad enums', async () => {
    const { send } = await start();
    await send('POST', `${URLS}/hello/url`, {}, JSON.stringify({ AuthType: 'NONE' }));
    const again = await send('POST', `${URLS}/hello/url`, {}, JSON.stringify({ AuthType: 'NONE' }));
    expect([again.status, again.headers['x-amzn-errortype'], again.json().message]).toEqual([
      409,
      'ResourceConflictException',
      'Failed to create function url config for [functionArn = arn:aws:lambda:us-east-1:000000000000:function:hello]. Error message:  FunctionUrlConfig exists for this Lambda function',
    ]);
    const cases: [string, string, string | undefined, number, string, string][] = [
      ['POST', `${URLS}/nope/url`, '{"AuthType":"NONE"}', 404, 'ResourceNotFoundException', 'Function does not exist'],
      ['GET', `${URLS}/nope/url`, undefined, 404, 'ResourceNotFoundException', 'The resource you requested does not exist.'],
      ['PUT', `${URLS}/nope/url`, '{}', 404, 'ResourceNotFoundException', 'Function does not exist'],
      ['DELETE', `${URLS}/nope/url`, undefined, 404, 'ResourceNotFoundException', 'The resource you requested does not exist.'],
      ['GET', `${URLS}/nope/urls`, undefined, 404, 'ResourceNotFoundException', 'Function does not exist'],
      ['GET', `${URLS}/hello/url?Qualifier=%24LATEST`, undefined, 400, 'ValidationException', "1 validation error detected: Value '$LATEST' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)"],
      ['DELETE', `${URLS}/hello/url?Qualifier=1`, undefined, 400, 'ValidationException', "1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)"],
      ['GET', `${URLS}/hello%3Aprod/url?Qualifier=live`, undefined, 400, 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.'],
      ['PUT', `${URLS}/hello/url`, '{"InvokeMode":"UNKNOWN"}', 400, 'ValidationException', "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]"],
      ['GET', `${URLS}/hello/urls?MaxItems=51`, undefined, 400, 'ValidationException', "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50"],
    ];
    for (const [method, path, body, status, type, message] of cases) {
      const r = await send(method, path, {}, body);
      expect([method, path, r.status, r.headers['x-amzn-errortype'], r.json().message]).toEqual([method, path, status, type, message]);
    }
  });

  it('takes a function’s URLs away with the function', async () => {
    const { send, fake } = await start();
    await send('POST', `${URLS}/hello/url`, {}, JSON.stringify({ AuthType: 'NONE' }));
    fake.remove('hello');
    await fake.deploy({ name: 'hello', runtime: 'nodejs', handler: 'index.handler' }, { folder: '/nowhere' });
    expect((await send('GET', `${URLS}/hello/url`)).status).toBe(404);
  });
});

describe('serving a URL', () => {
  it('serves the URL’s host and the path form alike, and nothing else on that host', async () => {
    const { send, fake, urlId, host } = await withUrl();
    const byHost = await send('GET', '/orders/7?x=1', { host });
    const byPath = await send('GET', `/lambda-url/${urlId}/orders/7?x=1`);
    for (const r of [byHost, byPath]) {
      expect([r.status, r.headers['content-type']]).toEqual([200, 'application/json']);
      // The fake echoes the event, which has no statusCode: it comes back as the JSON body.
      expect(r.json()).toMatchObject({ rawPath: '/orders/7', rawQueryString: 'x=1', queryStringParameters: { x: '1' }, requestContext: { apiId: urlId, domainName: `${urlId}.lambda-url.us-east-1.localhost` } });
      expect(r.headers['x-amzn-requestid']).toBe((r.json().requestContext as Record<string, unknown>).requestId);
    }
    // The Lambda API's paths on a URL's host are the function's paths.
    const api = await send('GET', '/2015-03-31/functions', { host });
    expect([api.status, api.json().rawPath]).toEqual([200, '/2015-03-31/functions']);
    expect(fake.calls.map((c) => c.op)).toEqual(['invoke', 'invoke', 'invoke']);
  });

  it('continues a caller’s X-Ray trace, and starts one otherwise', async () => {
    const { send, host } = await withUrl();
    const sent = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
    const kept = await send('GET', '/', { host, 'x-amzn-trace-id': sent });
    expect([kept.headers['x-amzn-trace-id'], (kept.json().headers as Record<string, string>)['x-amzn-trace-id']]).toEqual([sent, sent]);
    const started = await send('GET', '/', { host, 'x-amzn-trace-id': 'garbage' });
    expect(started.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('allows exactly <url-id>.lambda-url.<region>.localhost[:port] besides the platform’s names', async () => {
    const { send, urlId, port } = await withUrl();
    for (const host of [`${urlId}.lambda-url.us-east-1.localhost`, `${urlId}.lambda-url.us-east-1.localhost:${port}`, `${urlId.toUpperCase()}.LAMBDA-URL.us-east-1.localhost`]) {
      expect([host, (await send('GET', '/', { host })).status]).toEqual([host, 200]);
    }
    for (const host of [`${urlId}.lambda-url.us-east-1.localhost.evil.example`, `${urlId}.lambda-url.us-east-1.evil.example`, `${urlId.slice(1)}.lambda-url.us-east-1.localhost`, `x${urlId}.lambda-url.us-east-1.localhost`, `${urlId}.lambda-url.localhost`]) {
      const r = await send('GET', `/lambda-url/${urlId}/`, { host });
      expect([host, r.status, r.headers['x-amzn-errortype'], r.json().Message]).toEqual([host, 403, 'AccessDeniedException', expect.stringContaining('is not a name of this platform')]);
    }
  });

  it('answers an unknown url id or another region 403 {"Message":null}, running nothing', async () => {
    const { send, fake, urlId } = await withUrl();
    for (const [path, host] of [
      [`/lambda-url/${'0'.repeat(32)}/`, undefined],
      ['/', `${'0'.repeat(32)}.lambda-url.us-east-1.localhost`],
      ['/', `${urlId}.lambda-url.eu-west-1.localhost`],
    ] as const) {
      const r = await send('GET', path, host ? { host } : {});
      expect([r.status, r.headers['x-amzn-errortype'], r.text]).toEqual([403, 'AccessDeniedException', '{"Message":null}']);
    }
    expect(fake.calls).toEqual([]);
  });

  it('lets pages at other origins call a URL (CORS decides what they read), but not the platform’s APIs', async () => {
    const { send, host } = await withUrl();
    const fromPage = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    expect((await send('POST', '/', { host, ...fromPage }, '{}')).status).toBe(200);
    expect((await send('GET', '/', { host, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await send('GET', '/2015-03-31/functions', fromPage)).status).toBe(403);
    expect((await send('GET', '/2021-10-31/functions/hello/url', fromPage)).status).toBe(403);
  });

  it('needs the platform token when the platform has one, refused in the URL’s shape', async () => {
    const { send, fake, host } = await withUrl({ AuthType: 'NONE' }, { token: 'secret' });
    const refused = await send('GET', '/', { host });
    expect([refused.status, refused.headers['x-amzn-errortype'], refused.json().Message]).toEqual([403, 'AccessDeniedException', expect.stringContaining('a token is required')]);
    const ok = await send('GET', '/', { host, authorization: 'Bearer secret' });
    expect(ok.status).toBe(200);
    // The token never reaches the function.
    expect(Object.keys(ok.json().headers as object)).not.toContain('authorization');
    expect(fake.calls.length).toBe(1);
  });

  it('refuses an unsigned call to an AWS_IAM URL, and names the signer of a signed one', async () => {
    const { send, fake, host } = await withUrl({ AuthType: 'AWS_IAM' });
    const unsigned = await send('GET', '/', { host });
    expect([unsigned.status, unsigned.headers['x-amzn-errortype'], unsigned.text]).toEqual([
      403,
      'AccessDeniedException',
      '{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}',
    ]);
    expect(fake.calls).toEqual([]);
    const signed = await send('GET', '/', { host, authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00' });
    expect([signed.status, (signed.json().requestContext as Record<string, unknown>).authorizer]).toEqual([200, { iam: expect.objectContaining({ accessKey: 'AKIDEXAMPLE' }) }]);
  });

  it('answers a preflight itself and adds the CORS headers to responses, when the URL has Cors', async () => {
    const { send, fake, host } = await withUrl({ AuthType: 'NONE', Cors: { AllowOrigins: ['http://app.example'], AllowMethods: ['POST'], AllowHeaders: ['x-custom'], ExposeHeaders: ['x-amzn-requestid'], MaxAge: 300 } });
    const preflight = await send('OPTIONS', '/', { host, origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-custom' });
    expect([preflight.status, preflight.text]).toEqual([200, '']);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': 'http://app.example', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'x-custom', 'access-control-max-age': '300' });
    expect(fake.calls).toEqual([]);
    const call = await send('POST', '/', { host, origin: 'http://app.example' }, '{}');
    expect(call.headers).toMatchObject({ 'access-control-allow-origin': 'http://app.example', 'access-control-expose-headers': 'x-amzn-requestid' });
    const other = await send('POST', '/', { host, origin: 'http://other.example' }, '{}');
    expect([other.status, other.headers['access-control-allow-origin']]).toEqual([200, undefined]);
  });

  it('answers a throttle 429 {"Message":"Rate Exceeded."}', async () => {
    const { send, fake, host } = await withUrl();
    fake.answer = async () => {
      throw new FaasbenchError('TooManyRequests', 'Rate exceeded');
    };
    const throttled = await send('GET', '/', { host });
    expect([throttled.status, throttled.text]).toEqual([429, '{"Message":"Rate Exceeded."}']);
  });
});
