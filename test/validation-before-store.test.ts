// A command refused for bad input creates nothing: every input is checked before a store is
// opened (opening a SQLite file creates and migrates it), and read-only commands never create one.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { runCli } from './support/cli-process.ts';
import { REPO, scratchDir } from './support/platform.ts';

const TRACE = path.join(REPO, 'traces/azure-example-4fn');

// Concurrent: each case is one CLI process, mostly its start-up.
describe.concurrent('validation before any store is created', () => {
  it('invoke with a bad rates file: exit 3 naming the file and line, no store file', async ({ expect }) => {
    const dir = scratchDir('validate-invoke');
    writeFileSync(path.join(dir, 'bad.csv'), 'minute,rate\n0,abc\n');
    const out = await runCli(['invoke', 'hello', 'rates', '--rates', 'bad.csv', '--store', './new.db'], { cwd: dir });
    expect(out.code).toBe(3);
    expect(out.stderr).toBe('faasbench: rates: --rates bad.csv:2: expected a rate in calls/s of 0 or more, got "abc"\n');
    expect(existsSync(path.join(dir, 'new.db'))).toBe(false);
  });

  it('trace replay with a bad --max-in-flight: exit 3 naming the option, no store file', async ({ expect }) => {
    const dir = scratchDir('validate-replay');
    const out = await runCli(['trace', 'replay', TRACE, '--minutes', '0-1', '--max-in-flight', '0', '--store', './new.db'], { cwd: dir });
    expect(out).toMatchObject({ code: 3, stderr: 'faasbench: --max-in-flight: expected an integer >= 1, got "0"\n' });
    expect(existsSync(path.join(dir, 'new.db'))).toBe(false);
  });

  it('experiment run with a bad seed: exit 3 naming it, no store file', async ({ expect }) => {
    const dir = scratchDir('validate-experiment');
    const seed = await runCli(['experiment', 'run', 'cold-start', '--seed', '-4', '--store', './new.db'], { cwd: dir });
    expect(seed).toMatchObject({ code: 3, stderr: 'faasbench: --seed: expected an integer >= 0, got "-4"\n' });
    expect(existsSync(path.join(dir, 'new.db'))).toBe(false);
  });

  it('experiment rerun reads a store and never creates one', async ({ expect }) => {
    const dir = scratchDir('validate-read');
    const rerun = await runCli(['experiment', 'rerun', 'some-run', '--store', './none.db'], { cwd: dir });
    expect(rerun).toMatchObject({ code: 3, stderr: `faasbench: no store at ${path.join(dir, 'none.db')} (give --store or set FAASBENCH_STORE)\n` });
    expect(existsSync(path.join(dir, 'none.db'))).toBe(false);
  });
});
