// The aws-lambda provider, the code that talks to AWS, against the local platform's Lambda API.
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import type { PlatformFacts } from '../core/invocation-record.ts';
import { qualifiedName } from '../core/provider.ts';
import type { LocalPlatform } from '../platform/platform.ts';
import { nodeFunction, scratchDir, startPlatform } from '../../test/support/platform.ts';
import { createAwsLambdaProvider, type AwsLambdaProvider } from './aws-lambda.ts';
import { providerConformance } from './conformance.ts';

let conformancePlatform: LocalPlatform;
providerConformance(
  'aws-lambda against the local Lambda API',
  async () => {
    conformancePlatform = await startPlatform();
    return { provider: await createAwsLambdaProvider({ endpoint: conformancePlatform.url }), teardown: () => conformancePlatform.stop() };
  },
  { workDir: () => scratchDir('conformance'), reportsInstanceId: false, unreachable: (url) => createAwsLambdaProvider({ endpoint: url }) },
);

describe('REPORT facts against the platform ground truth', () => {
  let platform: LocalPlatform;
  let lambda: AwsLambdaProvider;
  /** The raw response headers of every invocation, read below the SDK. */
  const responses: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    platform = await startPlatform({ token: 'report-token' });
    lambda = await createAwsLambdaProvider({ endpoint: platform.url, token: 'report-token' });
    lambda.invokeClient.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        responses.push((out.response as { headers: IncomingHttpHeaders }).headers);
        return out;
      },
      { step: 'deserialize', name: 'captureGroundTruth' },
    );
  });
  afterAll(async () => {
    await lambda.close();
    await platform.stop();
  });

  /** Equal to the REPORT line's precision: it prints durations with 2 decimals, the headers with 3. */
  function expectSameFacts(facts: PlatformFacts, truth: IncomingHttpHeaders): void {
    expect(facts.requestId).toBe(truth['x-faasbench-request-id']);
    expect(facts.cold).toBe(truth['x-faasbench-cold'] === 'true');
    expect(facts.billedMs).toBe(Number(truth['x-faasbench-billed-ms']));
    expect(facts.memoryMb).toBe(Number(truth['x-faasbench-memory-mb']));
    expect(facts.maxMemoryMb).toBe(Number(truth['x-faasbench-max-memory-mb']));
    expect(Math.abs((facts.durationMs as number) - Number(truth['x-faasbench-duration-ms']))).toBeLessThanOrEqual(0.005 + 1e-9);
    if (truth['x-faasbench-init-ms'] === '') expect(facts.initMs).toBeNull();
    else expect(Math.abs((facts.initMs as number) - Number(truth['x-faasbench-init-ms']))).toBeLessThanOrEqual(0.005 + 1e-9);
  }

  it('deploys, invokes cold then warm with parsed REPORT facts equal to the X-Faasbench headers, and removes', async () => {
    const dir = nodeFunction('report', 'let x = 0; for (let i = 0; i < 2e6; i++) x += i; return { x };', { memoryMb: 512 });
    await lambda.deploy(loadFunctionPackage(dir));
    expect(platform.get('report').runtimeId).toBe('nodejs20.x');
    const cold = await lambda.invoke('report', Buffer.from('{}'));
    const warm = await lambda.invoke('report', Buffer.from('{}'));
    expect([cold.status, warm.status]).toEqual(['ok', 'ok']);
    expect(JSON.parse(cold.payload.toString())).toEqual({ x: 1999999000000 });
    expect(responses).toHaveLength(2);
    expect(cold.facts.cold).toBe(true);
    expect(cold.facts.initMs).toBeGreaterThan(0);
    expect(warm.facts.cold).toBe(false);
    expect(cold.facts.memoryMb).toBe(512);
    expectSameFacts(cold.facts, responses[0] as IncomingHttpHeaders);
    expectSameFacts(warm.facts, responses[1] as IncomingHttpHeaders);

    await lambda.remove('report');
    expect(platform.list().map((f) => f.name)).not.toContain('report');
    expect(await lambda.invoke('report', Buffer.from('{}'))).toMatchObject({ status: 'rejected', httpStatus: 404, errorClass: 'ResourceNotFoundException' });
  });

  it('reports a throttled call as throttled with Lambda\'s exception name', async () => {
    await lambda.deploy(loadFunctionPackage(nodeFunction('one-at-a-time', 'await new Promise((r) => setTimeout(r, 400)); return 1;', { maxInstances: 1, cpuModel: 'none' })));
    const rs = await Promise.all([lambda.invoke('one-at-a-time', Buffer.from('{}')), lambda.invoke('one-at-a-time', Buffer.from('{}'))]);
    expect(rs.map((r) => r.status).sort()).toEqual(['ok', 'throttled']);
    expect(rs.find((r) => r.status === 'throttled')).toMatchObject({ httpStatus: 429, errorClass: 'TooManyRequestsException' });
  });

  it('provisions a published version behind an alias: its first call is warm on an instance initialised ahead; again after a change; then unprovisions', async () => {
    const body = 'return { init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };';
    await lambda.deploy(loadFunctionPackage(nodeFunction('provisioned', body, { cpuModel: 'none' })));
    const answer = async (name: string): Promise<[string, boolean | null, number | null, unknown]> => {
      const r = await lambda.invoke(name, Buffer.from('{}'));
      return [r.status, r.facts.cold, r.facts.initMs, JSON.parse(r.payload.toString())];
    };
    const first = await lambda.provision('provisioned', 1);
    expect(first).toEqual({ qualifier: 'faasbench-provisioned', version: '1' });
    expect(platform.provisioned('provisioned', first.qualifier)).toMatchObject({ status: 'READY', available: 1 });
    expect(await answer(qualifiedName('provisioned', first.qualifier))).toEqual(['ok', false, null, { init: 'provisioned-concurrency', version: '1' }]);
    expect((await answer('provisioned')).slice(0, 2)).toEqual(['ok', true]);

    // A second provision over the first: a new version, the alias moved to it, its instance started afresh.
    await lambda.updateConfiguration('provisioned', { environment: { ROUND: '2' } });
    const second = await lambda.provision('provisioned', 1);
    expect(second).toEqual({ qualifier: 'faasbench-provisioned', version: '2' });
    expect(platform.alias('provisioned', second.qualifier).functionVersion).toBe('2');
    expect(await answer(qualifiedName('provisioned', second.qualifier))).toEqual(['ok', false, null, { init: 'provisioned-concurrency', version: '2' }]);

    await lambda.unprovision('provisioned', second.qualifier);
    expect(() => platform.provisioned('provisioned', second.qualifier)).toThrow('No Provisioned Concurrency Config found for this function');
    await lambda.remove('provisioned');
  });

  it('refuses settings Lambda cannot change, and asks for a role when talking to AWS itself', async () => {
    const err = await lambda.updateConfiguration('one-at-a-time', { maxInstances: 3 }).catch((e: unknown) => e);
    expect(isFaasbenchError(err, 'InvalidParameterValue')).toBe(true);
    expect(String(err)).toContain('no "maxInstances"');
    const aws = await createAwsLambdaProvider({ region: 'eu-west-1' });
    try {
      const noRole = await aws.deploy(loadFunctionPackage(nodeFunction('needs-role', 'return 1;'))).catch((e: unknown) => e);
      expect(String(noRole)).toContain('option "role"');
    } finally {
      await aws.close();
    }
  });
});
