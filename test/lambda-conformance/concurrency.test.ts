/**
 * Reserved and provisioned concurrency judged by AWS's own clients (the JS SDK and boto3): limits
 * with Lambda's throttle Reason per limit, account settings, and provisioned instances that answer
 * their first call warm, initialised as `provisioned-concurrency`.
 */
import {
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  PutProvisionedConcurrencyConfigCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { nodeFunction, startPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';
import { runBoto3 } from './support/boto3.ts';
import { checkClients, requireClients } from './support/clients.ts';

const clients = checkClients('test/lambda-conformance/concurrency.test.ts');
const ACCOUNT_LIMIT = 20;

describe.skipIf(clients.skip)(`concurrency through AWS's clients${clients.skip ? ` (skipped: ${clients.missing})` : ''}`, () => {
  let platform: LocalPlatform;
  let sdk: LambdaClient;

  beforeAll(async () => {
    requireClients(clients);
    platform = await startPlatform({ accountLimit: ACCOUNT_LIMIT });
    sdk = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const body = `await new Promise((r) => setTimeout(r, event.sleepMs ?? 0)); return { init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };`;
    for (const name of ['reserved', 'open', 'warm']) platform.deployFolder(nodeFunction(name, body, { cpuModel: 'none' }));
  });
  afterAll(async () => {
    sdk?.destroy();
    await platform?.stop();
  });

  it('reserves concurrency per function, throttles with the Reason of the limit that refused, and reports the account', async () => {
    const out = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
def err(fn):
    f = failure(fn)
    return [f['code'], f['reason'], f['requestId'] != '']
before = client.get_account_settings()['AccountLimit']
put = client.put_function_concurrency(FunctionName='reserved', ReservedConcurrentExecutions=0)
got = client.get_function_concurrency(FunctionName='reserved')
fn = client.get_function(FunctionName='reserved')['Concurrency']
throttled = err(lambda: client.invoke(FunctionName='reserved', Payload=b'{}'))
too_much = err(lambda: client.put_function_concurrency(FunctionName='open', ReservedConcurrentExecutions=${ACCOUNT_LIMIT}))
client.put_function_concurrency(FunctionName='reserved', ReservedConcurrentExecutions=5)
after = client.get_account_settings()['AccountLimit']
client.delete_function_concurrency(FunctionName='reserved')
gone = client.get_function_concurrency(FunctionName='reserved')
emit({'before': [before['ConcurrentExecutions'], before['UnreservedConcurrentExecutions']], 'put': put['ReservedConcurrentExecutions'],
      'got': got['ReservedConcurrentExecutions'], 'fn': fn, 'throttled': throttled, 'tooMuch': too_much[0],
      'after': after['UnreservedConcurrentExecutions'], 'gone': 'ReservedConcurrentExecutions' in gone})
`,
    );
    expect(out).toEqual({
      before: [ACCOUNT_LIMIT, ACCOUNT_LIMIT],
      put: 0,
      got: 0,
      fn: { ReservedConcurrentExecutions: 0 },
      throttled: ['TooManyRequestsException', 'ReservedFunctionConcurrentInvocationLimitExceeded', true],
      tooMuch: 'InvalidParameterValueException',
      after: ACCOUNT_LIMIT - 5,
      gone: false,
    });
    // The account's limit refuses with its own Reason: fill the unreserved pool, then one more.
    const running = Array.from({ length: ACCOUNT_LIMIT }, () => platform.invoke('open', Buffer.from('{"sleepMs":3000}')));
    await waitFor('the unreserved pool to fill', () => platform.instances('open').filter((i) => i.load > 0).length === ACCOUNT_LIMIT, 20_000);
    const refused = await sdk.send(new InvokeCommand({ FunctionName: 'open', Payload: Buffer.from('{}') })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsException);
    expect((refused as TooManyRequestsException).Reason).toBe('ConcurrentInvocationLimitExceeded');
    await Promise.all(running);
  }, 60_000);

  it("keeps an event invoke config that the event queue honours, and Lambda's defaults without one", async () => {
    const out = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
missing = failure(lambda: client.get_function_event_invoke_config(FunctionName='open'))
put = client.put_function_event_invoke_config(FunctionName='open', MaximumRetryAttempts=0, MaximumEventAgeInSeconds=60)
updated = client.update_function_event_invoke_config(FunctionName='open', MaximumRetryAttempts=1)
got = client.get_function_event_invoke_config(FunctionName='open')
listed = client.list_function_event_invoke_configs(FunctionName='open')['FunctionEventInvokeConfigs']
bad = failure(lambda: client.put_function_event_invoke_config(FunctionName='open', MaximumRetryAttempts=5))
sqs = failure(lambda: client.put_function_event_invoke_config(FunctionName='open', DestinationConfig={'OnFailure': {'Destination': 'arn:aws:sqs:us-east-1:1:q'}}))
emit({'missing': [missing['code'], missing['status']], 'put': [put['MaximumRetryAttempts'], put['MaximumEventAgeInSeconds'], put['FunctionArn']],
      'updated': [updated['MaximumRetryAttempts'], updated['MaximumEventAgeInSeconds']], 'got': [got['MaximumRetryAttempts'], got['MaximumEventAgeInSeconds']],
      'listed': len(listed), 'bad': bad['code'], 'sqs': sqs['code']})
`,
    );
    expect(out).toEqual({
      missing: ['ResourceNotFoundException', 404],
      put: [0, 60, 'arn:aws:lambda:us-east-1:000000000000:function:open:$LATEST'],
      updated: [1, 60],
      got: [1, 60],
      listed: 1,
      bad: 'InvalidParameterValueException',
      sqs: 'InvalidParameterValueException',
    });
    // The event queue's own settings, which it reads for every Event call and retry.
    expect([platform.get('open').settings.eventRetryAttempts, platform.get('open').settings.eventMaxAgeS]).toEqual([1, 60]);
    await runBoto3(platform.url, `client.delete_function_event_invoke_config(FunctionName='open'); emit('ok')`);
    expect([platform.get('open').settings.eventRetryAttempts, platform.get('open').settings.eventMaxAgeS, platform.eventInvokeConfig('open')]).toEqual([2, 21_600, undefined]);
  });

  it('keeps provisioned instances initialised ahead: IN_PROGRESS, then READY, and the first call is warm', async () => {
    platform.publishVersion('warm');
    platform.createAlias('warm', 'live', { functionVersion: '1' });
    const put = await sdk.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'live', ProvisionedConcurrentExecutions: 2 }));
    expect([put.Status, put.RequestedProvisionedConcurrentExecutions]).toEqual(['IN_PROGRESS', 2]);
    await waitFor('provisioned concurrency READY', async () => (await sdk.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'live' }))).Status === 'READY', 30_000);
    const ready = await sdk.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'live' }));
    expect([ready.AvailableProvisionedConcurrentExecutions, ready.AllocatedProvisionedConcurrentExecutions]).toEqual([2, 2]);
    const provisioned = platform.instances('warm:1');
    expect(provisioned.map((i) => i.initializationType)).toEqual(['provisioned-concurrency', 'provisioned-concurrency']);
    // The first call as a client makes it. X-Faasbench-Cold and -Init-Ms are the platform's own
    // account of the call: no init ran in it, on an instance that was already there.
    const first = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
r = client.invoke(FunctionName='warm', Qualifier='live', Payload=b'{}')
h = r['ResponseMetadata']['HTTPHeaders']
emit({'status': r['StatusCode'], 'executed': r['ExecutedVersion'], 'body': json.loads(r['Payload'].read()),
      'cold': h['x-faasbench-cold'], 'initMs': h['x-faasbench-init-ms'], 'instance': h['x-faasbench-instance-id']})
`,
    );
    expect(first).toEqual({ status: 200, executed: '1', body: { init: 'provisioned-concurrency', version: '1' }, cold: 'false', initMs: '', instance: expect.any(String) });
    expect(provisioned.map((i) => i.id)).toContain(first.instance);
    // Beyond the provisioned instances, calls are on-demand (and $LATEST is never provisioned).
    const three = await Promise.all([1, 2, 3].map(() => platform.invoke('warm', Buffer.from('{"sleepMs":500}'), { qualifier: 'live' })));
    expect(three.map((r) => JSON.parse(r?.outcome.payload.toString() ?? '').init).sort()).toEqual(['on-demand', 'provisioned-concurrency', 'provisioned-concurrency']);
    const latest = await platform.invoke('warm', Buffer.from('{}'));
    expect([latest?.cold, JSON.parse(latest?.outcome.payload.toString() ?? '').init]).toEqual([true, 'on-demand']);
    const after = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
def configs():
    return [[c['FunctionArn'], c['Status']] for c in client.list_provisioned_concurrency_configs(FunctionName='warm')['ProvisionedConcurrencyConfigs']]
listed = configs()
deleted = client.delete_provisioned_concurrency_config(FunctionName='warm', Qualifier='live')['ResponseMetadata']['HTTPStatusCode']
gone = failure(lambda: client.get_provisioned_concurrency_config(FunctionName='warm', Qualifier='live'))
again = failure(lambda: client.delete_provisioned_concurrency_config(FunctionName='warm', Qualifier='live'))
emit({'listed': listed, 'deleted': deleted, 'gone': [gone['code'], gone['status']], 'again': [again['code'], again['status']], 'left': configs()})
`,
    );
    expect(after).toEqual({
      listed: [['arn:aws:lambda:us-east-1:000000000000:function:warm:live', 'READY']],
      deleted: 204,
      gone: ['ProvisionedConcurrencyConfigNotFoundException', 404],
      again: ['ProvisionedConcurrencyConfigNotFoundException', 404],
      left: [],
    });
    expect(platform.listProvisioned('warm')).toEqual([]);
  }, 60_000);
});
