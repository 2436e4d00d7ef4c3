import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;

/** Runs `body` in a fresh node (TypeScript through tsx) and counts V8's ArrayBuffer-detaching protector invalidations. */
async function invalidations(body: string): Promise<number> {
  const script = `const { prepareRun } = await import('./src/invoker/warm-up.ts');\n${body}\nprocess.stdout.write('done\\n');`;
  const { stdout } = await run(process.execPath, ['--trace-protector-invalidation', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO });
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
