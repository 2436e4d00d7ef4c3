/**
 * Invoke as AWS's clients see it (boto3 and the JS SDK): the request id of an Event call is a real
 * one, the id the function runs under (before issue 13 it was the word `accepted`); every error
 * answer carries x-amzn-RequestId, which both clients read into their response metadata (before
 * issue 13 errors had none); and a ClientContext a client sends reaches the function decoded, in
 * node and in python.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand, InvokeCommand, LambdaClient, LambdaServiceException, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { startPlatform, writeFunction } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';
import { runBoto3 } from './support/boto3.ts';
import { checkClients, requireClients } from './support/clients.ts';

const clients = checkClients('test/lambda-conformance/request-ids-client-context.test.ts');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Non-ASCII on purpose: the header the runtime gets holds Latin-1 at most, so the platform escapes it.
const CLIENT_CONTEXT = { custom: { tenant: 'zoë' }, env: { locale: 'en-GB' }, client: { app_title: 'probe', installation_id: 'i-1' } };
const CLIENT_CONTEXT_B64 = Buffer.from(JSON.stringify(CLIENT_CONTEXT)).toString('base64');

// An Event call's only answer is its 202, so the function leaves what it saw in the platform's
// storage folder (a file:// URL every instance can write). Renamed into place: the test polls for
// the file and must never read it half written.
const NODE_HANDLER = `import { renameSync, writeFileSync } from 'node:fs';
export const handler = async (event, context) => {
  const seen = { awsRequestId: context.awsRequestId, clientContext: context.clientContext ?? null };
  if (event.record) {
    const file = new URL(event.record, process.env.FAASBENCH_STORAGE_URL + '/');
    writeFileSync(new URL(event.record + '.part', file), JSON.stringify(seen));
    renameSync(new URL(event.record + '.part', file), file);
  }
  return seen;
};
`;

const PYTHON_HANDLER = `import json, os
from urllib.parse import urlparse
from urllib.request import url2pathname

def handler(event, context):
    cc = context.client_context
    seen = {
        "aws_request_id": context.aws_request_id,
        "client_context": None if cc is None else {"custom": cc.custom, "env": cc.env, "app_title": cc.client.app_title, "installation_id": cc.client.installation_id},
    }
    if event.get("record"):
        file = os.path.join(url2pathname(urlparse(os.environ["FAASBENCH_STORAGE_URL"]).path), event["record"])
        with open(file + ".part", "w") as out:
            json.dump(seen, out)
        os.rename(file + ".part", file)
    return seen
`;

interface SdkError {
  readonly name: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
}

describe.skipIf(clients.skip)(`request ids and ClientContext through AWS's clients${clients.skip ? ` (skipped: ${clients.missing})` : ''}`, () => {
  let platform: LocalPlatform;
  let sdk: LambdaClient;
  let storage: string;

  beforeAll(async () => {
    requireClients(clients);
    platform = await startPlatform();
    storage = fileURLToPath(platform.storageUrl);
    sdk = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    platform.deployFolder(writeFunction({ name: 'node-seen', runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, { 'index.mjs': NODE_HANDLER }));
    platform.deployFolder(writeFunction({ name: 'py-seen', runtime: 'python', handler: 'app.handler', cpuModel: 'none' }, { 'app.py': PYTHON_HANDLER }));
  });
  afterAll(async () => {
    sdk?.destroy();
    await platform?.stop();
  });

  /** What the function recorded under `name` once its Event call has run. */
  async function recorded(name: string): Promise<Record<string, unknown>> {
    const file = path.join(storage, name);
    // A cold start on a busy machine takes seconds; the event queue runs the call as soon as it can.
    await waitFor(`the Event call to record ${name}`, () => existsSync(file), 30_000);
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  }

  const sdkError = (err: unknown): SdkError => {
    if (!(err instanceof LambdaServiceException)) throw err;
    return { name: err.name, status: err.$metadata.httpStatusCode, requestId: err.$metadata.requestId };
  };

  it('answers an Event call 202 with a UUID request id, the one the function runs under (boto3: python, JS SDK: node)', async () => {
    const viaBoto3 = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
r = client.invoke(FunctionName='py-seen', InvocationType='Event', Payload=json.dumps({'record': 'py-event.json'}))
emit({'status': r['StatusCode'], 'http': r['ResponseMetadata']['HTTPStatusCode'], 'requestId': r['ResponseMetadata']['RequestId'], 'payload': r['Payload'].read().decode()})
`,
    );
    expect(viaBoto3).toEqual({ status: 202, http: 202, requestId: expect.stringMatching(UUID), payload: '' });

    const viaSdk = await sdk.send(new InvokeCommand({ FunctionName: 'node-seen', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ record: 'node-event.json' })) }));
    expect([viaSdk.StatusCode, viaSdk.$metadata.httpStatusCode, viaSdk.$metadata.requestId]).toEqual([202, 202, expect.stringMatching(UUID)]);

    expect(await recorded('py-event.json')).toEqual({ aws_request_id: viaBoto3.requestId, client_context: null });
    expect(await recorded('node-event.json')).toEqual({ awsRequestId: viaSdk.$metadata.requestId, clientContext: null });
  }, 60_000); // beyond recorded()'s own 30 s, so that a slow cold start fails saying what it awaited

  it('answers errors with x-amzn-RequestId, read by boto3 and the JS SDK: 404, 400 and 412', async () => {
    const viaBoto3 = await runBoto3<Record<string, { code: string; status: number; requestId: string }>>(
      platform.url,
      `
def err(fn):
    f = failure(fn)
    return {'code': f['code'], 'status': f['status'], 'requestId': f['requestId']}
emit({
  'notFound': err(lambda: client.get_function(FunctionName='no-such-function')),
  'invalid': err(lambda: client.update_function_configuration(FunctionName='node-seen', Runtime='nodejs99.x')),
  'badContext': err(lambda: client.invoke(FunctionName='node-seen', ClientContext='bm90IGpzb24=')),
  'stale': err(lambda: client.update_function_configuration(FunctionName='node-seen', Timeout=9, RevisionId='bogus')),
})
`,
    );
    expect(viaBoto3).toEqual({
      notFound: { code: 'ResourceNotFoundException', status: 404, requestId: expect.stringMatching(UUID) },
      invalid: { code: 'ValidationException', status: 400, requestId: expect.stringMatching(UUID) },
      badContext: { code: 'InvalidRequestContentException', status: 400, requestId: expect.stringMatching(UUID) },
      stale: { code: 'PreconditionFailedException', status: 412, requestId: expect.stringMatching(UUID) },
    });

    const viaSdk = {
      notFound: await sdk.send(new GetFunctionCommand({ FunctionName: 'no-such-function' })).then(() => 'ok', sdkError),
      // "not json", base64-encoded: valid for the SDK, refused by Lambda.
      badContext: await sdk.send(new InvokeCommand({ FunctionName: 'node-seen', ClientContext: 'bm90IGpzb24=' })).then(() => 'ok', sdkError),
      stale: await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'node-seen', Timeout: 9, RevisionId: 'bogus' })).then(() => 'ok', sdkError),
    };
    expect(viaSdk).toEqual({
      notFound: { name: 'ResourceNotFoundException', status: 404, requestId: expect.stringMatching(UUID) },
      badContext: { name: 'InvalidRequestContentException', status: 400, requestId: expect.stringMatching(UUID) },
      stale: { name: 'PreconditionFailedException', status: 412, requestId: expect.stringMatching(UUID) },
    });
    // One id per request, as Lambda gives.
    const ids = [...Object.values(viaBoto3).map((e) => e.requestId), ...Object.values(viaSdk).map((e) => (e as SdkError).requestId)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hands a ClientContext sent by boto3 or the JS SDK to the function decoded (node: clientContext, python: client_context)', async () => {
    const viaBoto3 = await runBoto3<Record<string, { requestId: string; seen: unknown }>>(
      platform.url,
      `
def run(name):
    r = client.invoke(FunctionName=name, ClientContext=ENV['CLIENT_CONTEXT'])
    return {'requestId': r['ResponseMetadata']['RequestId'], 'seen': json.loads(r['Payload'].read())}
emit({'node': run('node-seen'), 'python': run('py-seen')})
`,
      { env: { CLIENT_CONTEXT: CLIENT_CONTEXT_B64 } },
    );
    expect(viaBoto3.node?.seen).toEqual({ awsRequestId: viaBoto3.node?.requestId, clientContext: CLIENT_CONTEXT });
    expect(viaBoto3.python?.seen).toEqual({
      aws_request_id: viaBoto3.python?.requestId,
      client_context: { custom: CLIENT_CONTEXT.custom, env: CLIENT_CONTEXT.env, app_title: 'probe', installation_id: 'i-1' },
    });

    const viaSdk = await Promise.all(
      ['node-seen', 'py-seen'].map(async (name) => {
        const out = await sdk.send(new InvokeCommand({ FunctionName: name, ClientContext: CLIENT_CONTEXT_B64, Payload: Buffer.from('{}') }));
        return { requestId: out.$metadata.requestId, seen: JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as unknown };
      }),
    );
    expect(viaSdk).toEqual([
      { requestId: expect.stringMatching(UUID), seen: { awsRequestId: viaSdk[0]?.requestId, clientContext: CLIENT_CONTEXT } },
      {
        requestId: expect.stringMatching(UUID),
        seen: { aws_request_id: viaSdk[1]?.requestId, client_context: { custom: CLIENT_CONTEXT.custom, env: CLIENT_CONTEXT.env, app_title: 'probe', installation_id: 'i-1' } },
      },
    ]);
  });
});
