// The local provider, in-process and over HTTP to an already-running platform with a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import type { Provider } from '../core/provider.ts';
import type { LocalPlatform } from '../platform/platform.ts';
import { nodeFunction, scratchDir, startPlatform } from '../../test/support/platform.ts';
import { providerConformance } from './conformance.ts';
import { createLocalProvider } from './local.ts';

providerConformance(
  'local, a platform started by the provider',
  async () => ({ provider: await createLocalProvider({ platformOptions: { dataDir: scratchDir('platform') } }) }),
  { workDir: () => scratchDir('conformance'), reportsInstanceId: true, unreachable: (url) => createLocalProvider({ url }) },
);

let running: LocalPlatform;
providerConformance(
  'local, a running platform given by URL and token',
  async () => {
    running = await startPlatform({ token: 'conformance-token' });
    return { provider: await createLocalProvider({ url: running.url, token: 'conformance-token' }), teardown: () => running.stop() };
  },
  { workDir: () => scratchDir('conformance'), reportsInstanceId: true },
);

describe('local provider specifics', () => {
  let platform: LocalPlatform;
  let remote: Provider;
  beforeAll(async () => {
    platform = await startPlatform({ token: 'secret' });
    remote = await createLocalProvider({ url: `${platform.url}/`, token: 'secret' });
  });
  afterAll(async () => {
    await remote.close();
    await platform.stop();
  });

  it('keeps settings the Lambda API has no field for when deploying by URL (the zip carries function.json)', async () => {
    const dir = nodeFunction('capped', 'await new Promise((r) => setTimeout(r, 400)); return { ok: true };', { maxInstances: 1, concurrency: 1, cpuModel: 'none' });
    await remote.deploy(loadFunctionPackage(dir), { keepAliveS: 42 });
    expect(platform.get('capped').settings).toMatchObject({ maxInstances: 1, keepAliveS: 42, cpuModel: 'none' });
    const [a, b] = await Promise.all([remote.invoke('capped', Buffer.from('{}')), remote.invoke('capped', Buffer.from('{}'))]);
    expect([a?.status, b?.status].sort()).toEqual(['ok', 'throttled']);
    const throttled = [a, b].find((r) => r?.status === 'throttled');
    expect(throttled).toMatchObject({ httpStatus: 429, errorClass: 'TooManyRequestsException' });
  });

  it('says which settings the Lambda API cannot change on a platform given by URL', async () => {
    const err = await remote.updateConfiguration('capped', { concurrency: 4 }).catch((e: unknown) => e);
    expect(isFaasbenchError(err, 'InvalidParameterValue')).toBe(true);
    expect(String(err)).toContain('cannot change "concurrency"');
    await remote.updateConfiguration('capped', { timeoutS: 7 });
    expect(platform.get('capped').settings.timeoutS).toBe(7);
  });

  it('rejects a payload that is not JSON as the Lambda API does', async () => {
    const r = await remote.invoke('capped', Buffer.from('not json'));
    expect(r).toMatchObject({ status: 'rejected', httpStatus: 400, errorClass: 'InvalidRequestContentException' });
  });

  it('names the option that is wrong', async () => {
    await expect(createLocalProvider({ url: 'ftp://x' })).rejects.toThrow('provider local: option "url": expected an http:// or https:// URL');
    await expect(createLocalProvider({ platform, url: platform.url })).rejects.toThrow('either option "platform" or option "url"');
    await expect(createLocalProvider({ port: 1 })).rejects.toThrow('provider local: unknown option "port"');
  });

  it('without the token, deploys fail as unauthorized and calls are rejected with 403', async () => {
    const anonymous = await createLocalProvider({ url: platform.url });
    try {
      const err = await anonymous.deploy(loadFunctionPackage(nodeFunction('anon', 'return 1;'))).catch((e: unknown) => e);
      expect(isFaasbenchError(err, 'Unauthorized')).toBe(true);
      expect(await anonymous.invoke('capped', Buffer.from('{}'))).toMatchObject({ status: 'rejected', httpStatus: 403, errorClass: 'UnrecognizedClientException' });
    } finally {
      await anonymous.close();
    }
  });
});
