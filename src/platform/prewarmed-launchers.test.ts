// Prewarmed launchers: forked ahead, handed an instance on stdin, replaced when taken or killed.
import { once } from 'node:events';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/platform.ts';
import { encodeSpec, PrewarmedLaunchers, type LaunchSpec } from './prewarmed-launchers.ts';
import { sandboxHelper } from './sandbox-helper.ts';

// A scratch dir is outside /tmp: the sandbox puts its own directory over /tmp, which would hide the code dir.
const base = scratchDir('sandbox-exec');
afterAll(() => rmSync(base, { recursive: true, force: true }));
const helper = sandboxHelper(base).file!;
const [tmpDir, codeDir] = ['instance-tmp', 'code'].map((d) => path.join(base, d)) as [string, string];
for (const d of [tmpDir, codeDir]) mkdirSync(d);

const spec = (script: string, env: Record<string, string> = {}): LaunchSpec => ({
  isolation: 'namespace', tmpDir, codeDir, cwd: codeDir, file: 'sh', args: ['-c', script], env: { PATH: '/usr/bin:/bin', ...env },
});

async function output(proc: NonNullable<ReturnType<PrewarmedLaunchers['take']>>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

const waiting = (l: PrewarmedLaunchers): number => l.waitingPids().length;
/** Polls (bounded) until `ok`, then says whether it got there. */
async function until(ok: () => boolean): Promise<boolean> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  return ok();
}

describe('prewarmed launchers', () => {
  it('encodes a request as NUL-separated fields: isolation, dirs, cwd, argument count, arguments, environment', () => {
    expect(encodeSpec({ isolation: 'none', tmpDir: '/t', codeDir: '/c', cwd: '/w', file: 'node', args: ['a.mjs'], env: { A: '1', B: 'x=y' } }).toString()).toBe(
      'none\0/t\0/c\0/w\x002\0node\0a.mjs\0A=1\0B=x=y\0',
    );
    expect(() => encodeSpec({ ...spec('true'), env: { BAD: 'a\0b' } })).toThrow('a launch field contains a NUL byte: "BAD=a\\u0000b"');
  });

  it('runs the instance it is handed in its sandbox, with exactly the environment given, in its code directory', async () => {
    const launchers = new PrewarmedLaunchers(helper, 1);
    try {
      const proc = launchers.take(spec('echo x > /tmp/m; ls /tmp; pwd; touch new 2>/dev/null || echo read-only; env | grep -v "^PWD=" | sort; read line || echo stdin-empty', { ONLY: 'this' }))!;
      expect(proc).not.toBeNull();
      expect(await output(proc)).toEqual({ code: 0, stdout: `m\n${codeDir}\nread-only\nONLY=this\nPATH=/usr/bin:/bin\nstdin-empty\n`, stderr: '' });
      expect(readdirSync(tmpDir)).toEqual(['m']);
    } finally {
      launchers.close();
    }
  });

  it('keeps its size: a taken launcher is replaced, and so is one killed while waiting; none after close', async () => {
    const launchers = new PrewarmedLaunchers(helper, 2);
    expect(waiting(launchers)).toBe(2);
    const proc = launchers.take(spec('true'))!;
    expect(waiting(launchers)).toBe(1);
    await output(proc);
    expect(await until(() => waiting(launchers) === 2)).toBe(true);
    const [victim] = launchers.waitingPids();
    process.kill(victim!, 'SIGKILL');
    expect(await until(() => !launchers.waitingPids().includes(victim!) && waiting(launchers) === 2)).toBe(true);
    launchers.close();
    expect(waiting(launchers)).toBe(0);
    expect(launchers.take(spec('true'))).toBeNull();
  });

  it('refills only when nothing is starting, and waits up to a second for no call to be running', async () => {
    let activity = { starting: 1, running: 0 };
    const launchers = new PrewarmedLaunchers(helper, 1, () => activity);
    try {
      await output(launchers.take(spec('true'))!);
      await new Promise((r) => setTimeout(r, 100));
      expect(waiting(launchers)).toBe(0);
      // Calls running: it holds off, for a while.
      activity = { starting: 0, running: 3 };
      await new Promise((r) => setTimeout(r, 300));
      expect(waiting(launchers)).toBe(0);
      // Past its patience it forks between calls, but never while an instance starts.
      expect(await until(() => waiting(launchers) === 1)).toBe(true);
      await output(launchers.take(spec('true'))!);
      activity = { starting: 0, running: 0 };
      expect(await until(() => waiting(launchers) === 1)).toBe(true);
    } finally {
      launchers.close();
    }
  });

  it('exits 98 naming the directory when the sandbox cannot be set up', async () => {
    const launchers = new PrewarmedLaunchers(helper, 1);
    try {
      const missing = path.join(base, 'gone');
      const r = await output(launchers.take({ ...spec('true'), tmpDir: missing })!);
      expect(r).toEqual({ code: 98, stdout: '', stderr: `sandbox-exec: bind /tmp to ${missing}: No such file or directory\n` });
    } finally {
      launchers.close();
    }
  });
});
