// A watcher in a grandchild of the test: its parent (the middle process) is killed with kill -9,
// and the watcher must notice through the pipe on its stdin, or, with that pipe held open by
// someone else (the test), through its parent pid changing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODULE = path.join(REPO, 'src/cli/parent-watch.ts');

function watcherScript(dir: string): string {
  const file = path.join(dir, 'watcher.ts');
  writeFileSync(
    file,
    `import { watchParent } from ${JSON.stringify(MODULE)};
watchParent(process.ppid, (reason) => { console.log('gone: ' + reason); process.exit(0); });
console.log('watching');
`,
  );
  return file;
}

/**
 * Starts middle -> watcher. The watcher's stdin is a pipe from the middle process, or a FIFO it
 * holds open for writing itself: a pipe whose write end outlives the parent.
 */
async function orphan(stdin: 'pipe' | 'leaked'): Promise<{ reason: string; middlePid: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fbwatch-'));
  const fifo = path.join(dir, 'fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const stdinOf = stdin === 'pipe' ? "'pipe'" : `require('node:fs').openSync(${JSON.stringify(fifo)}, 'r+')`;
  const middle = spawn(
    process.execPath,
    ['-e', `require('node:child_process').spawn(process.execPath, ['--import', 'tsx', ${JSON.stringify(watcherScript(dir))}], { stdio: [${stdinOf}, 'inherit', 'inherit'] }); setInterval(() => {}, 1000);`],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: middle.stdout })[Symbol.asyncIterator]();
  expect((await lines.next()).value).toBe('watching');
  middle.kill('SIGKILL');
  const reason = (await lines.next()).value as string;
  return { reason, middlePid: middle.pid as number };
}

describe('watchParent', () => {
  it('the end of the pipe from the parent tells at once', async () => {
    const { reason, middlePid } = await orphan('pipe');
    expect(reason).toBe(`gone: its parent (pid ${middlePid}) closed the pipe`);
  });

  it('with the pipe held open elsewhere, the parent pid changing tells', async () => {
    const { reason, middlePid } = await orphan('leaked');
    expect(reason).toBe(`gone: its parent (pid ${middlePid}) is gone`);
  });
});
