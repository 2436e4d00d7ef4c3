// The openfaas provider against the local platform's OpenFaaS gateway subset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import type { Provider } from '../core/provider.ts';
import type { LocalPlatform } from '../platform/platform.ts';
import { call, nodeFunction, scratchDir, startPlatform } from '../../test/support/platform.ts';
import { providerConformance } from './conformance.ts';
import { createOpenFaasProvider } from './openfaas.ts';

let conformancePlatform: LocalPlatform;
providerConformance(
  'openfaas against the local gateway, with basic auth',
  async () => {
    conformancePlatform = await startPlatform({ token: 'gateway-password' });
    return { provider: await createOpenFaasProvider({ url: conformancePlatform.url, password: 'gateway-password' }), teardown: () => conformancePlatform.stop() };
  },
  { workDir: () => scratchDir('conformance'), reportsInstanceId: true, unreachable: (url) => createOpenFaasProvider({ url }) },
);

describe('openfaas provider specifics', () => {
  let platform: LocalPlatform;
  let openfaas: Provider;
  beforeAll(async () => {
    platform = await startPlatform();
    openfaas = await createOpenFaasProvider({ url: platform.url });
  });
  afterAll(async () => {
    await openfaas.close();
    await platform.stop();
  });

  it('deploys with the settings OpenFaaS reads and the full set in the annotation, and updates any setting', async () => {
    const dir = nodeFunction('of-settings', 'return { event };', { memoryMb: 256, timeoutS: 20, maxInstances: 2, environment: { A: '1' } });
    await openfaas.deploy(loadFunctionPackage(dir), { keepAliveS: 30 });
    const status = (await call(platform, 'GET', '/system/function/of-settings')).json() as Record<string, unknown>;
    expect(status).toMatchObject({
      image: `faasbench-local:${dir}`,
      envVars: { A: '1' },
      labels: { 'com.openfaas.scale.max': '2' },
      limits: { memory: '256Mi' },
    });
    expect(platform.get('of-settings').settings).toMatchObject({ memoryMb: 256, timeoutS: 20, maxInstances: 2, keepAliveS: 30, environment: { A: '1' } });

    await openfaas.updateConfiguration('of-settings', { maxInstances: 5, concurrency: 2 });
    expect(platform.get('of-settings').settings).toMatchObject({ memoryMb: 256, timeoutS: 20, maxInstances: 5, concurrency: 2, keepAliveS: 30, environment: { A: '1' } });
    const err = await openfaas.updateConfiguration('no-such-fn', { memoryMb: 256 }).catch((e: unknown) => e);
    expect(isFaasbenchError(err, 'ResourceNotFound')).toBe(true);
  });

  it('sends the payload as the raw body and takes facts from the gateway headers', async () => {
    const r = await openfaas.invoke('of-settings', Buffer.from('not json at all'));
    expect(r.status).toBe('ok');
    expect(JSON.parse(r.payload.toString())).toEqual({ event: 'not json at all' });
    expect(r.facts).toMatchObject({ cold: true, memoryMb: 256 });
    expect(r.facts.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports a throttled call as throttled', async () => {
    await openfaas.deploy(loadFunctionPackage(nodeFunction('of-one', 'await new Promise((r) => setTimeout(r, 400)); return 1;', { maxInstances: 1, cpuModel: 'none' })));
    const rs = await Promise.all([openfaas.invoke('of-one', Buffer.from('{}')), openfaas.invoke('of-one', Buffer.from('{}'))]);
    expect(rs.map((r) => r.status).sort()).toEqual(['ok', 'throttled']);
    expect(rs.find((r) => r.status === 'throttled')).toMatchObject({ httpStatus: 429, errorClass: 'HTTP 429' });
  });

  it('fails a deploy the gateway refuses with its message, and a wrong password as unauthorized', async () => {
    const foreign = await createOpenFaasProvider({ url: platform.url, image: 'ghcr.io/example/{name}:latest' });
    try {
      const err = await foreign.deploy(loadFunctionPackage(nodeFunction('of-image', 'return 1;'))).catch((e: unknown) => e);
      expect(isFaasbenchError(err, 'InvalidParameterValue')).toBe(true);
      expect(String(err)).toContain('got "ghcr.io/example/of-image:latest"');
    } finally {
      await foreign.close();
    }
    const guarded = await startPlatform({ token: 'right' });
    const wrong = await createOpenFaasProvider({ url: guarded.url, password: 'wrong' });
    try {
      const err = await wrong.deploy(loadFunctionPackage(nodeFunction('of-auth', 'return 1;'))).catch((e: unknown) => e);
      expect(isFaasbenchError(err, 'Unauthorized')).toBe(true);
      expect(await wrong.invoke('of-auth', Buffer.from('{}'))).toMatchObject({ status: 'rejected', httpStatus: 401, errorClass: 'HTTP 401' });
    } finally {
      await wrong.close();
      await guarded.stop();
    }
  });
});
