// Scale-out, reuse, per-function limits (429 or queue) and the account-wide limit, on real processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, invokeHttp, nodeFunction, startPlatform, type HttpReply } from './support/platform.ts';

const SLEEP_300 = 'await new Promise((r) => setTimeout(r, 300)); return { ok: true };';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.stop();
});

const together = (name: string, n: number): Promise<HttpReply[]> => Promise.all(Array.from({ length: n }, () => invokeHttp(platform, name)));
const cold = (r: HttpReply): boolean => r.headers['x-faasbench-cold'] === 'true';
const instanceIds = (rs: HttpReply[]): Set<string> => new Set(rs.map((r) => r.headers['x-faasbench-instance-id'] ?? ''));

describe('scale-out', () => {
  it('starts 8 instances for 8 simultaneous calls, then reuses all 8', async () => {
    platform.deployFolder(nodeFunction('sleep300', SLEEP_300, { cpuModel: 'none' }));
    const first = await together('sleep300', 8);
    expect(first.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(first.filter(cold)).toHaveLength(8);
    expect(instanceIds(first).size).toBe(8);
    const second = await together('sleep300', 8);
    expect(second.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(second.filter(cold)).toHaveLength(0);
    expect(instanceIds(second)).toEqual(instanceIds(first));
    expect(platform.instances('sleep300')).toHaveLength(8);
  });

  it('serves several calls on one instance with concurrency > 1', async () => {
    platform.deployFolder(nodeFunction('shared', SLEEP_300, { concurrency: 4, cpuModel: 'none' }));
    const rs = await together('shared', 4);
    expect(rs.map((r) => r.status)).toEqual(Array(4).fill(200));
    expect(instanceIds(rs).size).toBe(1);
  });
});

describe('limits', () => {
  it('maxInstances 2 with 4 simultaneous calls: 2 succeed, 2 get 429 TooManyRequestsException', async () => {
    platform.deployFolder(nodeFunction('capped', SLEEP_300, { maxInstances: 2, cpuModel: 'none' }));
    const rs = await together('capped', 4);
    const statuses = rs.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429]);
    const throttled = rs.find((r) => r.status === 429) as HttpReply;
    expect(throttled.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
    expect(throttled.json()).toMatchObject({ Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    const metrics = (await call(platform, 'GET', '/metrics')).text;
    expect(metrics).toContain('faasbench_throttles_total{function="capped"} 2');
  });

  it('queue mode: all 4 succeed, the 2 queued ones late and on warm instances', async () => {
    platform.deployFolder(nodeFunction('queued', SLEEP_300, { maxInstances: 2, onLimit: 'queue', queueTimeoutS: 5, cpuModel: 'none' }));
    const rs = await together('queued', 4);
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const late = rs.filter((r) => Number(r.headers['x-faasbench-queue-ms']) >= 250);
    expect(late).toHaveLength(2);
    expect(late.filter(cold)).toHaveLength(0);
    expect(instanceIds(rs).size).toBe(2);
  });

  it('queue mode gives up after queueTimeoutS with 429', async () => {
    // The second call is sent only once the first holds the one instance, and the first outlasts the
    // queue timeout by seconds, so a late timer on a busy machine still finds the instance busy.
    platform.deployFolder(nodeFunction('slowq', 'await new Promise((r) => setTimeout(r, 4000)); return 1;', { maxInstances: 1, onLimit: 'queue', queueTimeoutS: 0.3, cpuModel: 'none' }));
    const first = invokeHttp(platform, 'slowq');
    for (let i = 0; i < 200 && !platform.instances('slowq').some((x) => x.load === 1); i++) await new Promise((r) => setTimeout(r, 25));
    const second = await invokeHttp(platform, 'slowq');
    expect([(await first).status, second.status]).toEqual([200, 429]);
    expect(second.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
  });

  it('the account-wide limit caps concurrent executions across functions', async () => {
    const small = await startPlatform({ accountLimit: 3 });
    try {
      small.deployFolder(nodeFunction('a', SLEEP_300, { cpuModel: 'none' }));
      small.deployFolder(nodeFunction('b', SLEEP_300, { cpuModel: 'none' }));
      const rs = await Promise.all([invokeHttp(small, 'a'), invokeHttp(small, 'a'), invokeHttp(small, 'b'), invokeHttp(small, 'b')]);
      expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
    } finally {
      await small.stop();
    }
  });
});

