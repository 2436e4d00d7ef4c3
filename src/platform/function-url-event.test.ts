// A function URL's request as Lambda's payload 2.0 event, and the function's result as the HTTP response.
import { describe, expect, it } from 'vitest';
import { functionUrlEvent, isTextContentType, requestTime, urlResponseOf, type UrlEventContext, type UrlRequest } from './function-url-event.ts';

const URL_ID = 'abcdefghijklmnopqrstuvwxyz012345';
const context: UrlEventContext = {
  urlId: URL_ID,
  region: 'us-east-1',
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  time: new Date(Date.UTC(2021, 8, 7, 22, 50, 22, 677)),
  port: 9000,
  traceId: 'Root=1-613773f6-0123456789abcdef01234567',
  iamAccessKey: undefined,
};

function request(over: Partial<UrlRequest> = {}): UrlRequest {
  return { method: 'GET', rawPath: '/', rawQueryString: '', headers: [['Host', `${URL_ID}.lambda-url.us-east-1.localhost:9000`]], body: Buffer.alloc(0), sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', ...over };
}

describe('the request as the event', () => {
  it('maps a full request exactly: path, query, headers, cookies, context, body', () => {
    const event = functionUrlEvent(
      request({
        method: 'POST',
        rawPath: '/my/pa%2Fth',
        rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=a%20b',
        headers: [
          ['Host', `${URL_ID}.lambda-url.us-east-1.localhost:9000`],
          ['User-Agent', 'curl/8.5.0'],
          ['Content-Type', 'application/json'],
          ['X-Multi', 'one'],
          ['x-multi', 'two'],
          ['Cookie', 'cookie1=a; cookie2=b'],
          ['cookie', 'cookie3=c'],
          ['Connection', 'keep-alive'],
        ],
        body: Buffer.from('{"k":1}'),
      }),
      context,
    );
    expect(event).toEqual({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/my/pa%2Fth',
      rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=a%20b',
      cookies: ['cookie1=a', 'cookie2=b', 'cookie3=c'],
      headers: {
        host: `${URL_ID}.lambda-url.us-east-1.localhost:9000`,
        'user-agent': 'curl/8.5.0',
        'content-type': 'application/json',
        'x-multi': 'one,two',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': '9000',
        'x-amzn-trace-id': 'Root=1-613773f6-0123456789abcdef01234567',
      },
      queryStringParameters: { parameter1: 'value1,value2', parameter2: 'a b' },
      requestContext: {
        accountId: 'anonymous',
        apiId: URL_ID,
        domainName: `${URL_ID}.lambda-url.us-east-1.localhost`,
        domainPrefix: URL_ID,
        http: { method: 'POST', path: '/my/pa%2Fth', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' },
        requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        routeKey: '$default',
        stage: '$default',
        time: '07/Sep/2021:22:50:22 +0000',
        timeEpoch: 1631055022677,
      },
      body: '{"k":1}',
      isBase64Encoded: false,
    });
  });

  it('leaves out cookies, query parameters and body when the request has none', () => {
    const event = functionUrlEvent(request(), context);
    expect(Object.keys(event)).toEqual(['version', 'routeKey', 'rawPath', 'rawQueryString', 'headers', 'requestContext', 'isBase64Encoded']);
    expect([event.rawQueryString, event.isBase64Encoded, event.requestContext.http]).toEqual(['', false, { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' }]);
  });

  it('base64-encodes a body unless its content type is text, JSON, XML or JavaScript', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = functionUrlEvent(request({ method: 'PUT', headers: [['content-type', 'application/octet-stream']], body: bytes }), context);
    expect([binary.body, binary.isBase64Encoded]).toEqual(['AAEC/w==', true]);
    const form = functionUrlEvent(request({ method: 'POST', headers: [['content-type', 'application/x-www-form-urlencoded']], body: Buffer.from('a=1') }), context);
    expect([form.body, form.isBase64Encoded]).toEqual(['YT0x', true]);
    const untyped = functionUrlEvent(request({ method: 'POST', headers: [], body: Buffer.from('x') }), context);
    expect([untyped.body, untyped.isBase64Encoded]).toEqual(['eA==', true]);
    const text = functionUrlEvent(request({ method: 'POST', headers: [['Content-Type', 'text/plain; charset=utf-8']], body: Buffer.from('héllo') }), context);
    expect([text.body, text.isBase64Encoded]).toEqual(['héllo', false]);
    expect(['application/json', 'application/vnd.api+json', 'application/xml', 'image/svg+xml', 'application/javascript', 'TEXT/HTML'].map(isTextContentType)).toEqual([true, true, true, true, true, true]);
    expect(['application/octet-stream', 'multipart/form-data; boundary=x', 'image/png', undefined].map(isTextContentType)).toEqual([false, false, false, false]);
  });

  it('appends the caller to an X-Forwarded-For it was sent, and names an AWS_IAM caller', () => {
    const event = functionUrlEvent(request({ headers: [['X-Forwarded-For', '10.0.0.1']] }), { ...context, iamAccessKey: 'AKIDEXAMPLE' });
    expect(event.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      authorizer: { iam: { accessKey: 'AKIDEXAMPLE', accountId: '000000000000', callerId: '000000000000', cognitoIdentity: null, principalOrgId: null, userArn: 'arn:aws:iam::000000000000:root', userId: '000000000000' } },
    });
  });

  it('writes the request time as Lambda does, day and hour zero-padded', () => {
    expect(requestTime(new Date(Date.UTC(2020, 2, 1, 4, 3, 5)))).toBe('01/Mar/2020:04:03:05 +0000');
  });
});

describe('the result as the response', () => {
  const response = (value: unknown): { status: number; headers: Record<string, string | string[]>; body: string } => {
    const r = urlResponseOf(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
    return { status: r.status, headers: r.headers, body: r.body.toString('utf8') };
  };
  const json = { 'content-type': 'application/json' };

  it('answers a string as the body itself, and other JSON as a compact 200 JSON body', () => {
    expect(response('"hello"')).toEqual({ status: 200, headers: json, body: 'hello' });
    expect(response('{"hello": "world"}')).toEqual({ status: 200, headers: json, body: '{"hello":"world"}' });
    expect(response('["hello", 3, true]')).toEqual({ status: 200, headers: json, body: '["hello",3,true]' });
    expect([response('3').body, response('3.1').body, response('true').body, response('null').body]).toEqual(['3', '3.1', 'true', 'null']);
  });

  it('answers an object with statusCode as that response: status, headers, cookies, body', () => {
    const shaped = response({ statusCode: 201, headers: { 'Content-Type': 'text/plain', 'My-Custom-Header': 'Custom Value', 'X-Count': 3, 'Content-Length': '999' }, body: 'created', cookies: ['Cookie_1=Value1; Max-Age=78000', 'Cookie_2=Value2'] });
    expect(shaped).toEqual({ status: 201, headers: { 'content-type': 'text/plain', 'my-custom-header': 'Custom Value', 'x-count': '3', 'set-cookie': ['Cookie_1=Value1; Max-Age=78000', 'Cookie_2=Value2'] }, body: 'created' });
    expect(response({ statusCode: '418', body: "i'm a teapot" })).toEqual({ status: 418, headers: json, body: "i'm a teapot" });
    expect(response({ statusCode: 204 })).toEqual({ status: 204, headers: json, body: '' });
  });

  it('decodes a base64 body', () => {
    const r = urlResponseOf(Buffer.from(JSON.stringify({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: 'AAEC/w==', isBase64Encoded: true })));
    expect([r.status, r.headers['content-type'], [...r.body]]).toEqual([200, 'image/png', [0, 1, 2, 255]]);
  });

  it('answers 502 Internal Server Error for a statusCode or header that cannot be sent', () => {
    expect(response({ statusCode: 'teapot', body: 'x' })).toEqual({ status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Internal Server Error' });
    expect(response({ statusCode: 99 }).status).toBe(502);
    expect(response({ statusCode: 200, headers: { 'x-a': 'one\r\nset-cookie: injected' } }).status).toBe(502);
    expect(response({ statusCode: 200, headers: { 'bad name': 'x' } }).status).toBe(502);
    expect(response({ statusCode: 200, cookies: ['a=1\nx'] }).status).toBe(502);
  });

  it('passes bytes that are not JSON (a custom runtime) through as the body', () => {
    expect(response('plain text')).toEqual({ status: 200, headers: json, body: 'plain text' });
  });
});
