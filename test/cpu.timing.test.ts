// CPU proportional to memory: 1,769 MB buys one vCPU, through the cpu cgroup's quota. A timing
// test: it runs alone, after the rest of the suite (vitest.timing.config.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { invokeHttp, nodeFunction, startPlatform } from './support/platform.ts';
import { appliedVcpus } from '../src/platform/cgroup.ts';

// A fixed amount of work, timed inside the function: about 70 ms on one unthrottled core.
const BUSY = `
  const t0 = performance.now(); let x = 0;
  for (let i = 0; i < event.n; i++) x = (x * 31 + i) % 1000003;
  return { ms: performance.now() - t0, x };`;

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.stop();
});

describe('cpu share', () => {
  it('reports what it applied', () => {
    // On this project's machines the cpu cgroup is writable; a host without it must say so here.
    expect(platform.facts.cpuLimit, 'cpu cgroup not writable on this host: CPU is not limited').not.toBe('none');
  });

  it('the same busy loop takes at least 8x as long at 128 MB as at 1,769 MB', async () => {
    platform.deployFolder(nodeFunction('busy-small', BUSY, { memoryMb: 128, timeoutS: 30 }));
    platform.deployFolder(nodeFunction('busy-full', BUSY, { memoryMb: 1769, timeoutS: 30 }));
    const n = 20_000_000;
    // Warm both first: the first call also pays for module compilation.
    await invokeHttp(platform, 'busy-small', { n: 1000 });
    await invokeHttp(platform, 'busy-full', { n: 1000 });
    // The unthrottled side is the one a neighbour can slow down: take its best of three.
    const fullReplies = [await invokeHttp(platform, 'busy-full', { n }), await invokeHttp(platform, 'busy-full', { n }), await invokeHttp(platform, 'busy-full', { n })];
    const fullReply = fullReplies.reduce((best, r) => ((r.json() as { ms: number }).ms < (best.json() as { ms: number }).ms ? r : best));
    const smallReply = await invokeHttp(platform, 'busy-small', { n });
    expect(fullReply.headers['x-faasbench-cpu-vcpus']).toBe('1.0000');
    expect(smallReply.headers['x-faasbench-cpu-vcpus']).toBe(appliedVcpus(128 / 1769).toFixed(4));
    const full = fullReply.json() as { ms: number };
    const small = smallReply.json() as { ms: number };
    console.log(`busy loop: ${full.ms.toFixed(1)} ms at 1,769 MB, ${small.ms.toFixed(1)} ms at 128 MB`);
    expect(small.ms / full.ms).toBeGreaterThanOrEqual(8);
  });

  it('cpuModel "none" leaves a 128 MB function unthrottled', async () => {
    platform.deployFolder(nodeFunction('busy-free', BUSY, { memoryMb: 128, cpuModel: 'none', timeoutS: 30 }));
    platform.deployFolder(nodeFunction('busy-ref', BUSY, { memoryMb: 1769, timeoutS: 30 }));
    await invokeHttp(platform, 'busy-free', { n: 1000 });
    await invokeHttp(platform, 'busy-ref', { n: 1000 });
    const n = 20_000_000;
    const ref = (await invokeHttp(platform, 'busy-ref', { n })).json() as { ms: number };
    const freeReply = await invokeHttp(platform, 'busy-free', { n });
    expect(freeReply.headers['x-faasbench-cpu-vcpus']).toBe('unlimited');
    const free = freeReply.json() as { ms: number };
    expect(free.ms / ref.ms).toBeLessThan(3);
  });
});
