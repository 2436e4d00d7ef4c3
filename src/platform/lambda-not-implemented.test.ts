// Which operation a request is, and the answer for one not implemented: over real loopback HTTP,
// with the handler alone behind a server (test/lambda-conformance/ judges it through AWS's clients).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_OPERATION_PATHS, matchOperation, notImplemented } from './lambda-not-implemented.ts';
import { LAMBDA_OPERATIONS } from './lambda-operations.ts';
import type { PlatformApi } from './platform-api.ts';

describe('matchOperation', () => {
  it('names the operation of each method and path, labels filled in and percent-encoded', () => {
    expect(matchOperation('GET', '/2015-03-31/functions/hello/aliases/prod')).toBe('GetAlias');
    expect(matchOperation('PUT', '/2015-03-31/functions/hello/aliases/prod')).toBe('UpdateAlias');
    expect(matchOperation('GET', '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ahello/policy')).toBe('GetPolicy');
    expect(matchOperation('DELETE', '/2017-10-31/functions/hello/concurrency')).toBe('DeleteFunctionConcurrency');
    expect(matchOperation('GET', '/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ahello')).toBe('ListTags');
    expect(matchOperation('POST', '/2014-11-13/functions/hello/invoke-async/')).toBe('InvokeAsync');
  });

  it('takes a path with or without the trailing slash, as botocore and the JS SDK differ on it', () => {
    expect(matchOperation('GET', '/2015-03-31/functions/')).toBe('ListFunctions');
    expect(matchOperation('GET', '/2015-03-31/functions')).toBe('ListFunctions');
    expect(matchOperation('POST', '/2015-03-31/functions')).toBe('CreateFunction');
    expect(matchOperation('GET', '/2016-08-19/account-settings')).toBe('GetAccountSettings');
    expect(matchOperation('GET', '/2016-08-19/account-settings/')).toBe('GetAccountSettings');
  });

  it('tells apart the operations that share a path by the query their clients always send', () => {
    const pc = '/2019-09-30/functions/hello/provisioned-concurrency';
    expect(matchOperation('GET', pc, '?Qualifier=1')).toBe('GetProvisionedConcurrencyConfig');
    expect(matchOperation('GET', pc, '?List=ALL&MaxItems=5')).toBe('ListProvisionedConcurrencyConfigs');
    expect(matchOperation('GET', '/2018-10-31/layers', '?find=LayerVersion&Arn=x')).toBe('GetLayerVersionByArn');
    expect(matchOperation('GET', '/2018-10-31/layers', '?CompatibleRuntime=python3.9')).toBe('ListLayers');
  });

  it('finds no operation for a path, method or label that is none', () => {
    expect(matchOperation('PATCH', '/2015-03-31/functions/hello')).toBeUndefined();
    expect(matchOperation('GET', '/2015-03-31/functions/hello/nothing')).toBeUndefined();
    expect(matchOperation('GET', '/2015-03-31/functions//aliases/prod')).toBeUndefined();
    expect(matchOperation('GET', '/2099-01-01/functions/hello')).toBeUndefined();
  });

  it('matches every operation of the table from its own template, and only that one', () => {
    const fill = (uri: string): [string, string] => {
      const [p = '', q = ''] = uri.split('?');
      return [p.replace(/\{[^}]+\}/g, 'x1'), q ? `?${q}` : ''];
    };
    const wrong = LAMBDA_OPERATIONS.filter((op) => matchOperation(op.method, ...fill(op.requestUri)) !== op.name).map((op) => op.name);
    expect(wrong).toEqual([]);
  });

  it('has a route pattern that covers every operation’s path and nothing else', () => {
    const paths = new RegExp(`^${LAMBDA_OPERATION_PATHS}$`);
    expect(LAMBDA_OPERATIONS.filter((op) => !paths.test(op.requestUri.split('?')[0]?.replace(/\{[^}]+\}/g, 'x1') ?? '')).map((op) => op.name)).toEqual([]);
    expect(paths.test('/2015-03-31/functions')).toBe(true);
    expect(paths.test('/2021-10-31/functions/hello/url')).toBe(true);
    expect(paths.test('/2018-06-01/runtime/invocation/next')).toBe(false);
    expect(paths.test('/system/functions')).toBe(false);
    expect(paths.test('/2015-03-31/functionsx')).toBe(false);
  });
});

describe('notImplemented', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      notImplemented({ platform: {} as PlatformApi, req, res, url, name: '', segments: {}, requestId: 'test-request' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (method: string, path: string, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: unknown }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers an operation with 501 NotImplementedException naming it, and a request id', async () => {
    const reply = await send('POST', '/2015-03-31/functions/hello/policy', JSON.stringify({ StatementId: 's', Action: 'lambda:InvokeFunction', Principal: '*' }));
    expect(reply.status).toBe(501);
    expect(reply.headers['x-amzn-errortype']).toBe('NotImplementedException');
    expect(reply.headers['x-amzn-requestid']).toBe('test-request');
    const message = "faasbench's local Lambda does not implement AddPermission";
    expect(reply.json).toEqual({ Type: 'Service', Message: message, message });
  });

  it('answers a path that is no operation with 404 UnknownOperationException, not ResourceNotFound', async () => {
    const reply = await send('PATCH', '/2015-03-31/functions/hello');
    expect(reply.status).toBe(404);
    expect(reply.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    expect(reply.json).toMatchObject({ message: 'no Lambda API operation is PATCH /2015-03-31/functions/hello' });
  });
});
