// Prewarmed launchers: forked ahead in cgroups of their own, handed an instance on stdin, replaced
// when taken or killed. Needs root and a C compiler, as CI has.
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFunction, scratchDir, startPlatform } from '../../test/support/platform.ts';
import { CgroupController, groupMembers, subgroups } from './cgroup.ts';
import { PrewarmedLaunchers } from './prewarmed-launchers.ts';
import { sandboxHelper } from './sandbox-helper.ts';
import { encodeSpec, unprivilegedUser, type LaunchSpec } from './sandbox.ts';

// A scratch dir is outside /tmp: the sandbox puts its own tmpfs over /tmp, which would hide the code dir.
const base = scratchDir('sandbox-exec');
const cgroups = CgroupController.detect(`faasbench-test-${process.pid}`);
afterAll(async () => {
  rmSync(base, { recursive: true, force: true });
  await cgroups.dispose();
});
const helper = sandboxHelper(base).file!;
const codeDir = path.join(base, 'code');
mkdirSync(codeDir);
chmodSync(codeDir, 0o755);

const spec = (script: string, env: Record<string, string> = {}): LaunchSpec => ({
  isolation: 'namespace', user: unprivilegedUser(), tmpMb: 8, cwd: codeDir, exposed: [{ path: codeDir, readonly: true }],
  file: 'sh', args: ['-c', script], env: { PATH: '/usr/bin:/bin', ...env },
});

async function output(proc: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Takes a launcher as a cold start does, once one has joined its groups (bounded wait). */
async function run(launchers: PrewarmedLaunchers, s: LaunchSpec): Promise<ChildProcess> {
  let taken = launchers.take();
  for (let i = 0; i < 300 && !taken; i++) {
    await new Promise((r) => setTimeout(r, 10));
    taken = launchers.take();
  }
  if (!taken) throw new Error('no launcher was waiting');
  taken.proc.stdin?.end(encodeSpec(s));
  // Its groups are the caller's now, as an instance's are.
  taken.proc.once('exit', () => taken.cgroup?.remove());
  return taken.proc;
}

const waiting = (l: PrewarmedLaunchers): number => l.waitingPids().length;
/** Polls (bounded) until `ok`, then says whether it got there. */
async function until(ok: () => boolean): Promise<boolean> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  return ok();
}

describe('prewarmed launchers', () => {
  it('encodes a request as NUL-separated fields: isolation, user, /tmp size, cwd, exposures (mode, host path, target), arguments, environment', () => {
    const exposed = [{ path: '/c', readonly: true, target: '/var/task' }, { path: '/s', readonly: false }];
    const request = { isolation: 'none', user: null, tmpMb: 512, cwd: '/w', exposed, file: 'node', args: ['a.mjs'], env: { A: '1', B: 'x=y' } } as const;
    expect(encodeSpec(request).toString()).toBe('none\0\0\x00512\0/w\x002\0ro\0/c\0/var/task\0rw\0/s\0/s\x002\0node\0a.mjs\0A=1\0B=x=y\0');
    expect(() => encodeSpec({ ...spec('true'), env: { BAD: 'a\0b' } })).toThrow('a launch field contains a NUL byte: "BAD=a\\u0000b"');
  });

  it('waits inside cgroups of its own, and runs the instance it is handed as nobody, in its sandbox, with exactly the environment given', async () => {
    const launchers = new PrewarmedLaunchers(helper, 1, cgroups);
    try {
      const [pid] = launchers.waitingPids();
      const groups = cgroups.support.memory ? ['memory', 'cpu', 'pids'].filter((c) => existsSync(`/sys/fs/cgroup/${c}/faasbench-test-${process.pid}`)) : [];
      for (const c of groups) expect(await until(() => cgroupHolds(c, pid!))).toBe(true);
      const script = 'echo x > /tmp/m; ls /tmp; pwd; id -u; touch new 2>/dev/null || echo read-only; env | grep -v "^PWD=" | sort; read line || echo stdin-empty';
      const proc = await run(launchers, spec(script, { ONLY: 'this' }));
      expect(await output(proc)).toEqual({ code: 0, stdout: `m\n${codeDir}\n${unprivilegedUser().uid}\nread-only\nONLY=this\nPATH=/usr/bin:/bin\nstdin-empty\n`, stderr: '' });
    } finally {
      launchers.close();
    }
  });

  it('cold starts back to back, each landing as the refill forks, all succeed', async () => {
    // Before launchers were checked for their groups, 8-17 of 40 such starts exited 98.
    const platform = await startPlatform({ prewarm: 1 });
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 24; i++) {
        platform.deployFolder(nodeFunction(`back-to-back-${i}`, 'return 1;', { cpuModel: 'none' }));
        outcomes.push((await platform.invokeJson(`back-to-back-${i}`)).outcome.kind);
        // The refill forks 5 ms after a hand-over on an idle platform: the next start lands on it.
        await new Promise((r) => setTimeout(r, i % 3 === 0 ? 0 : i % 3 === 1 ? 6 : 15));
      }
      expect(outcomes).toEqual(Array(24).fill('success'));
    } finally {
      await platform.stop();
    }
  }, 60_000);

  it('keeps its size: a taken launcher is replaced, and so is one killed while waiting; none after close', async () => {
    const launchers = new PrewarmedLaunchers(helper, 2, cgroups);
    expect(waiting(launchers)).toBe(2);
    const proc = await run(launchers, spec('true'));
    expect(waiting(launchers)).toBe(1);
    await output(proc);
    expect(await until(() => waiting(launchers) === 2)).toBe(true);
    const [victim] = launchers.waitingPids();
    process.kill(victim!, 'SIGKILL');
    expect(await until(() => !launchers.waitingPids().includes(victim!) && waiting(launchers) === 2)).toBe(true);
    launchers.close();
    expect(waiting(launchers)).toBe(0);
    expect(launchers.take()).toBeNull();
  });

  it('refills only when nothing is starting, and waits up to a second for no call to be running', async () => {
    let activity = { starting: 1, running: 0 };
    const launchers = new PrewarmedLaunchers(helper, 1, cgroups, () => activity);
    try {
      await output(await run(launchers, spec('true')));
      await new Promise((r) => setTimeout(r, 100));
      expect(waiting(launchers)).toBe(0);
      // Calls running: it holds off, for a while.
      activity = { starting: 0, running: 3 };
      await new Promise((r) => setTimeout(r, 300));
      expect(waiting(launchers)).toBe(0);
      // Past its patience it forks between calls, but never while an instance starts.
      expect(await until(() => waiting(launchers) === 1)).toBe(true);
      await output(await run(launchers, spec('true')));
      activity = { starting: 0, running: 0 };
      expect(await until(() => waiting(launchers) === 1)).toBe(true);
    } finally {
      launchers.close();
    }
  });

  it('exits 98 naming the directory when the sandbox cannot be set up', async () => {
    const launchers = new PrewarmedLaunchers(helper, 1, cgroups);
    try {
      const missing = path.join(base, 'gone');
      const r = await output(await run(launchers, { ...spec('true'), exposed: [{ path: missing, readonly: true }] }));
      expect(r).toEqual({ code: 98, stdout: '', stderr: `sandbox-exec: open ${missing}: No such file or directory\n` });
    } finally {
      launchers.close();
    }
  });
});

function cgroupHolds(controller: string, pid: number): boolean {
  const root = `/sys/fs/cgroup/${controller}/faasbench-test-${process.pid}`;
  return subgroups(root).some((group) => groupMembers(group).includes(pid));
}
