/**
 * Acceptance for issue 12, the credential side: a function never holds the platform token. With it,
 * code the platform runs could deploy, replace or delete any function; what functions get instead is
 * FAASBENCH_INVOKE_TOKEN, which may only invoke. Looked for where it could leak into an instance:
 * the function's own environment, and (as root sees them) the environment and argv of every process
 * on the host, the instance's own launcher, init and runtime among them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { call, nodeFunction, startPlatform } from '../support/platform.ts';
import { cgroupMembers, hostPidsWithEnv, hostProcessesWith, instanceHold } from './support/probes.ts';

const notRoot = process.getuid?.() !== 0;
const why = "only root can read the environment of an instance's processes, which run as another user";
if (notRoot) console.warn(`test/security/platform-token.test.ts skipped: ${why}`);

describe.skipIf(notRoot)(`a function never holds the platform token${notRoot ? ` (skipped: ${why})` : ''}`, () => {
  // Random and long, so that finding it anywhere can only mean it leaked.
  const token = `faasbench-platform-token-${randomBytes(16).toString('hex')}`;
  let platform: LocalPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ token });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('gets only FAASBENCH_INVOKE_TOKEN: the platform token is in no environment and no argv on the host', async () => {
    platform.deployFolder(nodeFunction('env-reader', 'return process.env;', { cpuModel: 'none' }));
    // Called as a client would, token in hand: it reaches the gateway and must go no further.
    const reply = await call(platform, 'POST', '/2015-03-31/functions/env-reader/invocations', '{}', { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(200);
    const env = reply.json() as Record<string, string>;
    expect(Object.keys(env)).not.toContain('FAASBENCH_TOKEN');
    expect(Object.entries(env).filter(([name, value]) => name.includes(token) || value.includes(token))).toEqual([]);
    // What it holds instead: a credential of its own (24 random bytes, base64url).
    const invokeToken = env.FAASBENCH_INVOKE_TOKEN ?? '';
    expect(invokeToken).toMatch(/^[\w-]{32}$/);

    // The host's view of the warm instance: every process holding the invoke token is one of its
    // own, so the scan below reads the instance's environments and would see the token there.
    const [instance] = platform.instances('env-reader');
    const members = instanceHold(instance?.id ?? 'none').cgroups.flatMap(cgroupMembers);
    const holders = hostPidsWithEnv(invokeToken);
    expect(holders.length).toBeGreaterThan(0);
    expect(members).toEqual(expect.arrayContaining(holders));
    expect(hostPidsWithEnv(token)).toEqual([]);
    expect(hostProcessesWith(token)).toEqual([]);
  });
});
