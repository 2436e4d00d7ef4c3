// The CLI as a user runs it: real processes, exit codes, --json output, Ctrl-C (SIGINT).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { nodeFunction, REPO, scratchDir } from './support/platform.ts';

describe('faasbench platform start', () => {
  it('deploys the examples, serves them, and stops cleanly on SIGINT with exit code 0', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'platform', 'start', '--port', '0', '--json', '--deploy', ...['hello', 'hello-py', 'hello-sh'].map((f) => path.join(REPO, 'functions', f)), '--data-dir', scratchDir('cli')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const firstLine = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const info = JSON.parse(firstLine) as { url: string; functions: string[] };
    expect(info.functions).toEqual(['hello', 'hello-py', 'hello-sh']);
    const res = await request(`${info.url}/fn/hello/`, { method: 'POST', body: '{}' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ message: 'hello world' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('every command has --help', async () => {
    for (const args of [['--help'], ['platform', '--help'], ['platform', 'start', '--help'], ['demo', '--help'], ['functions', 'list', '--help'], ['invoke', '--help']]) {
      const child = spawn(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: faasbench/);
    }
  });
});

const faasbench = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), ...args, ...(args[0] === 'invoke' ? ['--store', path.join(scratchDir('cli-store'), 'runs.db')] : [])]);

describe('faasbench functions list and invoke', () => {
  it('lists the example functions with their runtime, memory and inputs', async () => {
    const rows = JSON.parse((await faasbench('functions', 'list', '--json')).stdout) as Array<{ name: string; runtime: string; memoryMb: number; inputs: string[] }>;
    expect(rows.find((r) => r.name === 'hello-py')).toMatchObject({ runtime: 'python', memoryMb: 128, inputs: ['test'] });
    expect(rows.map((r) => r.name)).toEqual([...rows.map((r) => r.name)].sort((a, b) => a.localeCompare(b)));
  });

  it('invokes a function with a named input, cold then warm', async () => {
    const out = JSON.parse((await faasbench('invoke', 'hello', '--input', 'test', '--times', '2', '--json')).stdout) as {
      invocations: Array<{ start: string; status: string; instanceId: string }>;
      response: unknown;
    };
    expect(out.invocations.map((i) => [i.start, i.status])).toEqual([['cold', 'ok'], ['warm', 'ok']]);
    expect(out.invocations[0]?.instanceId).toBe(out.invocations[1]?.instanceId);
    expect(out.response).toEqual({ message: 'hello faasbench', runtime: 'nodejs', event: { name: 'faasbench' } });
  });

  it('exits 3 naming the missing input, and 1 when the function fails', async () => {
    await expect(faasbench('invoke', 'hello', '--input', 'huge')).rejects.toMatchObject({ code: 3, stderr: expect.stringContaining('function hello has no input "huge" (it has: test)') });
    await expect(faasbench('invoke', 'hello', '--payload', '{nope')).rejects.toMatchObject({ code: 3, stderr: expect.stringContaining('--payload is not valid JSON') });
    const dir = scratchDir('cli-fail');
    const fn = nodeFunction('fails', 'throw new Error("boom");');
    await expect(faasbench('invoke', fn, '--dir', dir)).rejects.toMatchObject({ code: 1 });
  });
});
