import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { epochMicros } from '../core/clock.ts';
import type { Provider } from '../core/provider.ts';
import { prepareRun } from './warm-up.ts';

const steps: string[] = [];
vi.mock('../core/settle-heap.ts', () => ({ settleHeap: () => void steps.push('collect') }));

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A provider that notes its prepare and is never invoked. */
const provider = {
  name: 'noting',
  prepare: async (_fns: readonly string[], expectedInFlight: number, options?: { readonly load?: boolean }) => void steps.push(`prepare ${expectedInFlight} load=${options?.load ?? false}`),
} as unknown as Provider; // only prepare is reached

describe('prepareRun', () => {
  beforeEach(() => void steps.splice(0));

  it('for a load, collects the heap first, then has the provider prepare and warm up', async () => {
    await prepareRun({ functions: ['f'], count: 1_000, provider, expectedInFlight: 8 });
    expect(steps).toEqual(['collect', 'prepare 8 load=true']);
  });

  it('with a start under 250 ms away, collects but leaves the warm-up out; under 50 ms, opens connections only', async () => {
    await prepareRun({ functions: ['f'], count: 1_000, provider, expectedInFlight: 8, startUs: epochMicros() + 150_000 });
    await prepareRun({ functions: ['f'], count: 1_000, provider, expectedInFlight: 8, startUs: epochMicros() + 2_000 });
    expect(steps).toEqual(['collect', 'prepare 8 load=false', 'prepare 8 load=false']);
  });

  it('for a probe, neither collects nor warms up', async () => {
    await prepareRun({ functions: ['f'], count: 3, provider, expectedInFlight: 1 });
    expect(steps).toEqual(['prepare 1 load=false']);
  });
});

/** Runs `body` in a fresh node (TypeScript through tsx) and counts V8's ArrayBuffer-detaching protector invalidations. */
async function invalidations(body: string): Promise<number> {
  // The import is awaited first: tsx's loader thread has then done its own detaching, before 'done'.
  const script = `const { prepareRun } = await import('./src/invoker/warm-up.ts');\n${body}\nprocess.stdout.write('done\\n');`;
  const { stdout } = await run(process.execPath, ['--trace-protector-invalidation', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, timeout: 20_000 });
  expect(stdout.trim().split('\n').at(-1)).toBe('done');
  return stdout.split('\n').filter((line) => line === 'Invalidating protector cell ArrayBufferDetaching').length;
}

const PREPARE = `await prepareRun({ functions: ['f'], count: 1, provider: { name: 'probe' }, expectedInFlight: 1 });`;
const TRANSFER = `const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] });`;

describe('prepareRun and V8’s no-detached-buffer assumption', () => {
  it('gives the assumption up itself, so a buffer the run transfers later breaks nothing compiled', async () => {
    // tsx's loader thread may detach buffers of its own: what counts is the difference.
    const [alone, prepared, preparedThenTransferred, transferred] = await Promise.all([
      invalidations(''),
      invalidations(PREPARE),
      invalidations(`${PREPARE}\n${TRANSFER}`),
      invalidations(TRANSFER),
    ]);
    expect(transferred).toBe(alone + 1); // a transfer breaks it, as the store sink's first batch did
    expect(prepared).toBe(alone + 1); // prepareRun breaks it, even for a probe with no warm-up
    expect(preparedThenTransferred).toBe(alone + 1); // and then the run's transfers find nothing left to break
  });
});
