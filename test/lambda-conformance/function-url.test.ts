/**
 * Function URLs judged by AWS's own clients and by curl: the config API through boto3 and the AWS
 * CLI, then the URL itself called with curl by its host (`<url-id>.lambda-url.us-east-1.localhost`,
 * which curl resolves to loopback) and by the path form, asserting the event the function saw and
 * how its result became the response.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { nodeFunction, scratchDir, startPlatform } from '../support/platform.ts';
import { awsErrorCode, awsLambda } from './support/aws-cli.ts';
import { runBoto3 } from './support/boto3.ts';
import { checkClients, clientEnv, requireClients, run } from './support/clients.ts';

/** Answers by path: shaped, binary, string and failing results; anything else echoes the event. */
const HANDLER = `
  switch (event.rawPath) {
    case '/shaped': return { statusCode: 201, headers: { 'x-made': 'here', 'content-type': 'text/plain' }, cookies: ['a=1; Path=/', 'b=2'], body: 'created' };
    case '/binary': return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true };
    case '/string': return 'hello';
    case '/fail': throw new Error('boom');
    default: return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
  }`;

const clients = checkClients('test/lambda-conformance/function-url.test.ts');

interface Curl {
  readonly status: number;
  /** Lower-case names; repeated headers (set-cookie) in order. */
  readonly headers: [string, string][];
  readonly body: Buffer;
}

describe.skipIf(clients.skip)(`function URLs through AWS's clients and curl${clients.skip ? ` (skipped: ${clients.missing})` : ''}`, () => {
  let platform: LocalPlatform;
  let port: number;
  const scratch = scratchDir('function-url');

  beforeAll(async () => {
    requireClients(clients);
    platform = await startPlatform();
    port = Number(new URL(platform.url).port);
    for (const name of ['url-boto3', 'url-cli', 'url-iam', 'url-gone']) platform.deployFolder(nodeFunction(name, HANDLER, { cpuModel: 'none' }));
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /** curl -s with the response's status line and headers dumped apart from its body (bytes kept). */
  async function curl(url: string, args: readonly string[] = []): Promise<Curl> {
    const file = path.join(scratch, `body-${Math.random().toString(36).slice(2)}`);
    const result = await run('/usr/bin/curl', ['-s', '-D', '-', '-o', file, ...args, url], clientEnv(), 30_000);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\r\n').filter((l) => l !== '');
    const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(lines[0] ?? '')?.[1]);
    const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
    return { status, headers, body: readFileSync(file) };
  }
  const header = (r: Curl, name: string): string[] => r.headers.filter(([n]) => n === name).map(([, v]) => v);
  const json = (r: Curl): Record<string, unknown> => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

  it('boto3: creates, gets, updates, lists page by page and deletes configs, with Lambda’s shapes and errors', async () => {
    const out = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
def strip(r):
    r = dict(r)
    status = r.pop('ResponseMetadata')['HTTPStatusCode']
    return {'status': status, **r}
def error(call, **kw):
    try:
        call(**kw)
        return None
    except client.exceptions.ClientError as e:
        return [e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Code'], e.response['Error']['Message']]
fn = 'url-boto3'
client.publish_version(FunctionName=fn)
client.create_alias(FunctionName=fn, Name='live', FunctionVersion='1')
out = {}
out['create'] = strip(client.create_function_url_config(FunctionName=fn, AuthType='NONE', Cors={'AllowOrigins': ['*'], 'MaxAge': 60}))
out['create_alias'] = strip(client.create_function_url_config(FunctionName=fn, Qualifier='live', AuthType='AWS_IAM'))
out['again'] = error(client.create_function_url_config, FunctionName=fn, AuthType='NONE')
out['latest'] = error(client.create_function_url_config, FunctionName=fn, Qualifier='$LATEST', AuthType='NONE')
out['version'] = error(client.get_function_url_config, FunctionName=fn, Qualifier='1')
out['no_alias'] = error(client.create_function_url_config, FunctionName=fn, Qualifier='nope', AuthType='NONE')
out['no_function'] = error(client.get_function_url_config, FunctionName='nope')
out['get'] = strip(client.get_function_url_config(FunctionName=fn))
out['update'] = strip(client.update_function_url_config(FunctionName=fn, Cors={'AllowOrigins': ['http://app.example']}))
page1 = client.list_function_url_configs(FunctionName=fn, MaxItems=1)
page2 = client.list_function_url_configs(FunctionName=fn, MaxItems=1, Marker=page1['NextMarker'])
out['pages'] = [[c['FunctionArn'] for c in p['FunctionUrlConfigs']] for p in (page1, page2)]
out['page2_has_marker'] = 'NextMarker' in page2
out['paginated'] = [c['FunctionArn'] for page in client.get_paginator('list_function_url_configs').paginate(FunctionName=fn, PaginationConfig={'PageSize': 1}) for c in page['FunctionUrlConfigs']]
out['delete'] = strip(client.delete_function_url_config(FunctionName=fn, Qualifier='live'))
out['deleted'] = error(client.get_function_url_config, FunctionName=fn, Qualifier='live')
emit(out)
`,
    );
    const arn = `arn:aws:lambda:us-east-1:000000000000:function:url-boto3`;
    const url = expect.stringMatching(new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:${port}/$`));
    const time = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(out.create).toEqual({ status: 201, FunctionUrl: url, FunctionArn: arn, AuthType: 'NONE', Cors: { AllowOrigins: ['*'], MaxAge: 60 }, CreationTime: time });
    expect(out.create_alias).toEqual({ status: 201, FunctionUrl: url, FunctionArn: `${arn}:live`, AuthType: 'AWS_IAM', CreationTime: time });
    expect((out.create as { FunctionUrl: string }).FunctionUrl).not.toBe((out.create_alias as { FunctionUrl: string }).FunctionUrl);
    expect(out.again).toEqual([409, 'ResourceConflictException', `Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`]);
    const pattern = "failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)";
    expect(out.latest).toEqual([400, 'ValidationException', `1 validation error detected: Value '$LATEST' at 'qualifier' ${pattern}`]);
    expect(out.version).toEqual([400, 'ValidationException', `1 validation error detected: Value '1' at 'qualifier' ${pattern}`]);
    expect(out.no_alias).toEqual([404, 'ResourceNotFoundException', 'Function does not exist']);
    expect(out.no_function).toEqual([404, 'ResourceNotFoundException', 'The resource you requested does not exist.']);
    expect(out.get).toEqual({ status: 200, FunctionUrl: (out.create as { FunctionUrl: string }).FunctionUrl, FunctionArn: arn, AuthType: 'NONE', Cors: { AllowOrigins: ['*'], MaxAge: 60 }, CreationTime: time, LastModifiedTime: time });
    expect(out.update).toMatchObject({ status: 200, AuthType: 'NONE', Cors: { AllowOrigins: ['http://app.example'] } });
    expect([out.pages, out.page2_has_marker, out.paginated]).toEqual([[[arn], [`${arn}:live`]], false, [arn, `${arn}:live`]]);
    expect(out.delete).toEqual({ status: 204 });
    expect(out.deleted).toEqual([404, 'ResourceNotFoundException', 'The resource you requested does not exist.']);
  });

  it('AWS CLI creates a URL; curl calls it by host and by path, and the function sees Lambda’s event', async () => {
    const created = await awsLambda(platform.url, ['create-function-url-config', '--function-name', 'url-cli', '--auth-type', 'NONE']);
    expect(created.code, created.stderr).toBe(0);
    const functionUrl = (created.json as { FunctionUrl: string }).FunctionUrl;
    const urlId = /^http:\/\/([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:\d+\/$/.exec(functionUrl)?.[1] as string;
    expect(urlId).toBeDefined();
    const got = await awsLambda(platform.url, ['get-function-url-config', '--function-name', 'url-cli']);
    // Debian's awscli 2.9 predates InvokeMode, so its model drops the field.
    expect(got.json).toMatchObject({ FunctionUrl: functionUrl, AuthType: 'NONE' });

    const args = ['-X', 'POST', '-H', 'content-type: application/json', '-H', 'X-Multi: a', '-H', 'X-Multi: b', '-b', 'c1=a; c2=b', '--data-binary', '{"k":1}'];
    const byHost = await curl(`${functionUrl}path/to?x=1&x=2&y=hello%20world`, args);
    const byPath = await curl(`http://127.0.0.1:${port}/lambda-url/${urlId}/path/to?x=1&x=2&y=hello%20world`, args);
    for (const [form, r, host] of [['host', byHost, `${urlId}.lambda-url.us-east-1.localhost:${port}`], ['path', byPath, `127.0.0.1:${port}`]] as const) {
      expect([form, r.status, header(r, 'content-type')]).toEqual([form, 200, ['application/json']]);
      const event = json(r);
      const requestId = header(r, 'x-amzn-requestid')[0];
      expect(event).toEqual({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/path/to',
        rawQueryString: 'x=1&x=2&y=hello%20world',
        cookies: ['c1=a', 'c2=b'],
        headers: {
          host,
          'user-agent': expect.stringMatching(/^curl\//),
          accept: '*/*',
          'content-type': 'application/json',
          'content-length': '7',
          'x-multi': 'a,b',
          'x-forwarded-for': '127.0.0.1',
          'x-forwarded-proto': 'http',
          'x-forwarded-port': String(port),
          'x-amzn-trace-id': header(r, 'x-amzn-trace-id')[0],
        },
        queryStringParameters: { x: '1,2', y: 'hello world' },
        requestContext: {
          accountId: 'anonymous',
          apiId: urlId,
          domainName: `${urlId}.lambda-url.us-east-1.localhost`,
          domainPrefix: urlId,
          http: { method: 'POST', path: '/path/to', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: expect.stringMatching(/^curl\//) },
          requestId,
          routeKey: '$default',
          stage: '$default',
          time: expect.stringMatching(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
          timeEpoch: expect.any(Number),
        },
        body: '{"k":1}',
        isBase64Encoded: false,
      });
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(header(r, 'x-amzn-trace-id')[0]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    }

    const empty = json(await curl(functionUrl, ['-H', 'content-type: application/octet-stream', '--data-binary', '']));
    expect([empty.body, empty.isBase64Encoded]).toEqual([undefined, false]);
    const posted = json(await curl(functionUrl, ['-H', 'content-type: application/octet-stream', '--data-binary', 'raw']));
    expect([posted.body, posted.isBase64Encoded]).toEqual([Buffer.from('raw').toString('base64'), true]);
  });

  it('curl sees the result as Lambda makes it: statusCode, headers, cookies, base64 body, string, 502', async () => {
    const { json: created } = await awsLambda(platform.url, ['get-function-url-config', '--function-name', 'url-cli']);
    const functionUrl = (created as { FunctionUrl: string }).FunctionUrl;
    const shaped = await curl(`${functionUrl}shaped`);
    expect([shaped.status, header(shaped, 'content-type'), header(shaped, 'x-made'), header(shaped, 'set-cookie'), shaped.body.toString()]).toEqual([201, ['text/plain'], ['here'], ['a=1; Path=/', 'b=2'], 'created']);
    const binary = await curl(`${functionUrl}binary`);
    expect([binary.status, header(binary, 'content-type'), [...binary.body]]).toEqual([200, ['application/octet-stream'], [0, 1, 2, 255]]);
    const string = await curl(`${functionUrl}string`);
    expect([string.status, header(string, 'content-type'), string.body.toString()]).toEqual([200, ['application/json'], 'hello']);
    const failed = await curl(`${functionUrl}fail`);
    expect([failed.status, failed.body.toString(), header(failed, 'x-amzn-requestid').length]).toEqual([502, 'Internal Server Error', 1]);
  });

  it('serves an alias’s AWS_IAM URL to SigV4-signed calls only, and refuses it once the alias is gone', async () => {
    const out = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
import urllib.request, urllib.error
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
fn = 'url-iam'
client.publish_version(FunctionName=fn)
client.create_alias(FunctionName=fn, Name='live', FunctionVersion='1')
config = client.create_function_url_config(FunctionName=fn, Qualifier='live', AuthType='AWS_IAM')
url_id = config['FunctionUrl'].split('//')[1].split('.')[0]
# The path form: Python's resolver need not know *.localhost.
url = ENV['FAASBENCH_ENDPOINT'] + '/lambda-url/' + url_id + '/signed'
def call(sign):
    request = AWSRequest(method='GET', url=url)
    if sign:
        SigV4Auth(boto3.Session().get_credentials(), 'lambda', 'us-east-1').add_auth(request)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=dict(request.headers.items()))) as r:
            return [r.status, json.loads(r.read())]
    except urllib.error.HTTPError as e:
        return [e.code, e.read().decode()]
out = {'unsigned': call(False), 'signed': call(True)}
client.delete_alias(FunctionName=fn, Name='live')
out['alias_gone'] = call(True)
emit(out)
`,
    );
    const forbidden = '{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}';
    expect(out.unsigned).toEqual([403, forbidden]);
    const [status, event] = out.signed as [number, { rawPath: string; requestContext: Record<string, unknown> }];
    expect([status, event.rawPath, event.requestContext.accountId, event.requestContext.authorizer]).toEqual([
      200,
      '/signed',
      '000000000000',
      { iam: { accessKey: 'dummy', accountId: '000000000000', callerId: '000000000000', cognitoIdentity: null, principalOrgId: null, userArn: 'arn:aws:iam::000000000000:root', userId: '000000000000' } },
    ]);
    expect(out.alias_gone).toEqual([403, forbidden]);
  });

  it('takes the URL away with its function: the CLI finds no config, curl gets 403', async () => {
    const created = await awsLambda(platform.url, ['create-function-url-config', '--function-name', 'url-gone', '--auth-type', 'NONE']);
    const functionUrl = (created.json as { FunctionUrl: string }).FunctionUrl;
    expect((await curl(functionUrl)).status).toBe(200);
    expect((await awsLambda(platform.url, ['delete-function', '--function-name', 'url-gone'])).code).toBe(0);
    const gone = await curl(functionUrl);
    expect([gone.status, header(gone, 'x-amzn-errortype'), gone.body.toString()]).toEqual([403, ['AccessDeniedException'], '{"Message":null}']);
    const listed = await awsLambda(platform.url, ['list-function-url-configs', '--function-name', 'url-gone']);
    expect([listed.code, awsErrorCode(listed.stderr)]).toEqual([254, 'ResourceNotFoundException']);
  });
});
