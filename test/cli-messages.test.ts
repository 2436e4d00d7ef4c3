// The CLI's messages where a user goes wrong or a study crashes: each names what to fix, with the
// exit code the README gives (2 a bad command line, 3 bad input, 1 a failed run), and no stack.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { runCli } from './support/cli-process.ts';
import { scratchDir } from './support/platform.ts';

describe('CLI messages', () => {
  let dir: string;
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    dir = scratchDir('cli-messages');
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  it('platform start on a busy port names the port (exit 3)', async () => {
    const out = await runCli(['platform', 'start', '--port', String(busyPort), '--data-dir', path.join(dir, 'platform')]);
    expect([out.code, out.stdout, out.stderr]).toEqual([3, '', `faasbench: --port ${busyPort}: 127.0.0.1:${busyPort} is in use by another process; stop it or choose another port (--port 0 takes any free one)\n`]);
  }, 30_000);

  it('export to an unwritable --out names the path (exit 3)', async () => {
    const store = path.join(dir, 'runs.db');
    const db = await openStore(store);
    const runId = await db.createRun({ kind: 'invoke', name: 'hello', provider: 'local', toolVersion: '0.0.0' });
    await db.close();
    const target = path.join(dir, 'no-such-folder', 'calls.csv');
    const out = await runCli(['export', runId, '--store', store, '--out', target]);
    expect([out.code, out.stdout, out.stderr]).toEqual([3, '', `faasbench: --out ${target}: cannot write it: no folder ${path.dirname(target)}\n`]);
  }, 30_000);

  it('usage errors exit 2: options that exclude each other, a pair without "="', async () => {
    const both = await runCli(['invoke', 'hello', '--input', 'small', '--payload', '{}', '--store', path.join(dir, 'usage.db')]);
    expect([both.code, both.stderr]).toEqual([2, 'faasbench: give --input or --payload, not both\n']);
    const pair = await runCli(['experiment', 'run', 'cold-start', '-p', 'repetitions', '--store', path.join(dir, 'usage.db')]);
    expect([pair.code, pair.stderr]).toEqual([2, 'faasbench: --param: expected key=value, got "repetitions"\n']);
    // A value that does not fit stays bad input.
    const value = await runCli(['experiment', 'run', 'cold-start', '-p', 'memorySizes=128,lots', '--store', path.join(dir, 'usage.db')]);
    expect([value.code, value.stderr]).toEqual([3, 'faasbench: experiment cold-start: parameter memorySizes.1: Invalid input: expected number, received string\n']);
  }, 30_000);

  it('trace profile takes --dir like every other command, and still its old --functions', async () => {
    const empty = scratchDir('no-functions');
    const expected = `faasbench: --dir ${empty}: no application functions (folders named like 210.thumbnailer with inputs); name some with --only\n`;
    for (const flag of ['--dir', '--functions']) {
      const out = await runCli(['trace', 'profile', '--out', path.join(dir, 'profile.json'), flag, empty]);
      expect([flag, out.code, out.stderr]).toEqual([flag, 3, expected]);
    }
    const help = await runCli(['trace', 'profile', '--help']);
    expect(help.stdout).toContain('--dir <dir>');
    expect(help.stdout).not.toContain('--functions');
  }, 30_000);

  it("a crash in the user's experiment says where, in the user's file (exit 1)", async () => {
    const file = path.join(dir, 'crashes.ts');
    writeFileSync(
      file,
      [
        "import { defineExperiment, z } from 'faasbench/experiments';",
        '',
        '',
        'export default defineExperiment({',
        "  name: 'crashes',",
        "  description: 'throws in run',",
        '  params: z.object({}),',
        '  async run() {',
        "    throw new Error('boom');",
        '  },',
        '});',
        '',
      ].join('\n'),
    );
    // A local provider at an address where nothing listens: the study throws before calling anything.
    const out = await runCli(['experiment', 'run', file, '-o', 'url=http://127.0.0.1:9', '--store', path.join(dir, 'crash.db')], { cwd: dir });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`error: boom (at ${file}:9:11)\n`);
    expect(out.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);
});
