import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));

type Hold = 'held' | 'released' | 'never';

/**
 * Full collections in a fresh node while 200 MB of objects outlive young collections and then die
 * (a window of 256 arrays of 1,000 objects), after a full collection that sets the limit: with the
 * setting held throughout, released (twice) before that collection, or never taken.
 */
async function fullCollections(hold: Hold): Promise<number> {
  const script = `
    const { keepOldGenerationNearLive } = await import('./src/core/old-generation-growth.ts');
    const { settleHeap } = await import('./src/core/settle-heap.ts');
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    const hold = '${hold}';
    if (hold !== 'never') {
      const release = keepOldGenerationNearLive();
      if (hold === 'released') { release(); release(); }
    }
    settleHeap();
    let full = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++; }).observe({ entryTypes: ['gc'] });
    const window = new Array(256);
    for (let i = 0; i < 12_800; i++) window[i % 256] = Array.from({ length: 1000 }, (_, k) => ({ k }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.stdout.write(String(full));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, timeout: 30_000 });
  return Number(stdout);
}

describe('keepOldGenerationNearLive', () => {
  it('makes V8 collect an old generation of dying objects more often while held, and gives V8 its own factor back when released', async () => {
    // One after another: three processes churning at once on two cores would time each other's marking.
    const held = await fullCollections('held');
    const released = await fullCollections('released');
    const never = await fullCollections('never');
    expect(never).toBeGreaterThanOrEqual(1);
    expect(held).toBeGreaterThan(never);
    expect(held).toBeGreaterThan(released);
  });
});
