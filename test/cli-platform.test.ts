// `faasbench platform start` as a user runs it: a real process, stopped with Ctrl-C (SIGINT).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { REPO, scratchDir } from './support/platform.ts';

describe('faasbench platform start', () => {
  it('deploys the examples, serves them, and stops cleanly on SIGINT with exit code 0', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'platform', 'start', '--port', '0', '--json', '--deploy', path.join(REPO, 'functions'), '--data-dir', scratchDir('cli')], {
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
    for (const args of [['--help'], ['platform', '--help'], ['platform', 'start', '--help'], ['demo', '--help']]) {
      const child = spawn(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: faasbench/);
    }
  });
});
