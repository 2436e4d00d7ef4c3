// keepAliveJitterS: the extra idle time is a seeded draw per function, instance and idle period, so
// it repeats from run to run; a real instance is evicted after exactly the drawn keep-alive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idleEvictionOf, keepAliveMs } from '../src/platform/keep-alive.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, invokeHttp, nodeFunction, sleep, startPlatform } from './support/platform.ts';

const JITTERED = { keepAliveS: 1, keepAliveJitterS: 1 };

describe('keep-alive draws', () => {
  it('repeat for the same function, instance and idle period, and differ between them', () => {
    const first = keepAliveMs(JITTERED, { fn: 'a', ordinal: 1, period: 1 });
    expect(keepAliveMs(JITTERED, { fn: 'a', ordinal: 1, period: 1 })).toBe(first);
    expect(keepAliveMs(JITTERED, { fn: 'b', ordinal: 1, period: 1 })).not.toBe(first);
    expect(keepAliveMs(JITTERED, { fn: 'a', ordinal: 2, period: 1 })).not.toBe(first);
    expect(keepAliveMs(JITTERED, { fn: 'a', ordinal: 1, period: 2 })).not.toBe(first);
  });

  it('spread over [keepAliveS, keepAliveS + keepAliveJitterS), and are exactly keepAliveS without jitter', () => {
    const draws = Array.from({ length: 500 }, (_, i) => keepAliveMs(JITTERED, { fn: 'a', ordinal: i + 1, period: 1 }));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...draws)).toBeLessThan(2000);
    // The seed fixes these draws; a uniform stream leaves no tenth of the range empty in 500 of them.
    expect(new Set(draws.map((ms) => Math.floor((ms - 1000) / 100))).size).toBe(10);
    expect(keepAliveMs({ keepAliveS: 1, keepAliveJitterS: 0 }, { fn: 'a', ordinal: 7, period: 3 })).toBe(1000);
  });
});

describe('a jittered instance on the platform', () => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => {
    await platform.stop();
  });

  it('keepAliveS 1 and keepAliveJitterS 1: evicted for idleness between 1 and 2 s idle, after its drawn keep-alive', async () => {
    platform.deployFolder(nodeFunction('jitter', 'return 1;', { ...JITTERED, cpuModel: 'none' }));
    const reply = await invokeHttp(platform, 'jitter');
    expect(reply.headers['x-faasbench-cold']).toBe('true');
    const [instance, ...others] = platform.instances('jitter');
    if (!instance) throw new Error('the invoked function has no instance');
    expect(others).toEqual([]);
    expect(instance.id).toBe(reply.headers['x-faasbench-instance-id']);
    // Waits for the eviction rather than timing it: the platform records how long the instance was idle.
    for (let waited = 0; instance.phase !== 'gone' && waited < 5000; waited += 50) await sleep(50);
    expect(instance.phase).toBe('gone');
    const eviction = idleEvictionOf(instance);
    // The function's first instance, in its first idle period: this draw is 1353 ms, clear of both bounds.
    const drawn = keepAliveMs(JITTERED, { fn: 'jitter', ordinal: 1, period: 1 });
    expect(drawn).toBeGreaterThan(1000);
    expect(eviction?.keepAliveMs).toBe(drawn);
    expect(eviction?.idleMs).toBeGreaterThanOrEqual(drawn);
    expect(eviction?.idleMs).toBeLessThan(2000);
    const metrics = (await call(platform, 'GET', '/metrics')).text;
    expect(metrics).toContain('faasbench_evictions_total{function="jitter",reason="idle"} 1');
  });
});
