// The compiled launcher: built once per source version, and the sandbox it sets up is the shell
// wrapper's (an unprivileged user without capabilities, its own PID namespace, a private size-limited
// /tmp, read-only code, unreachable parents covered, no PWD). Needs root and a C compiler, as CI has.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/platform.ts';
import { sandboxHelper } from './sandbox-helper.ts';
import { encodeSpec, lambdaMountPoints, RUNTIME_ROOT, shellWrapperCommand, TASK_ROOT, unprivilegedUser, type LaunchSpec } from './sandbox.ts';

// A scratch dir is outside /tmp: the sandbox puts its own tmpfs over /tmp, which would hide the code dir.
const base = scratchDir('sandbox-exec');
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A code dir reachable only through a 0700 parent, as under /root. */
function codeBehindPrivateParent(): { hidden: string; code: string } {
  const hidden = path.join(base, `private-${Math.random().toString(16).slice(2, 8)}`);
  const code = path.join(hidden, 'deep', 'code');
  mkdirSync(code, { recursive: true });
  chmodSync(hidden, 0o700);
  writeFileSync(path.join(hidden, 'secret'), 'x');
  writeFileSync(path.join(code, 'index.js'), 'ok\n');
  chmodSync(path.join(hidden, 'deep'), 0o755);
  chmodSync(code, 0o755);
  return { hidden, code };
}

const PROBE = [
  'id -u; cat index.js; ls "$1"',
  'touch new 2>/dev/null && echo code-writable || echo code-read-only',
  'mount -o remount,rw "$PWD" 2>/dev/null && echo remounted || echo not-remountable',
  'ls /proc | grep -c "^[0-9]"',
  'grep CapEff /proc/self/status',
  'dd if=/dev/zero of=/tmp/fill bs=1M count=8 2>/dev/null; du -m /tmp/fill | cut -f1',
].join('; ');

function spec(code: string, hidden: string): LaunchSpec {
  return {
    isolation: 'namespace', user: unprivilegedUser(), tmpMb: 4, cwd: code, exposed: [{ path: code, readonly: true }],
    file: 'sh', args: ['-c', PROBE, 'probe', hidden], env: { PATH: '/usr/bin:/bin' },
  };
}

/**
 * nobody's uid; its code, and of the 0700 parent only the way to it; read-only and not
 * remountable; 3 processes in its PID namespace (init, or the shell as PID 1, sh, ls); no
 * capabilities; /tmp holds its 4 MB and no more.
 */
function expected(launcher: string): string {
  const processes = launcher === 'shell' ? 3 : 4;
  return `${unprivilegedUser().uid}\nok\ndeep\ncode-read-only\nnot-remountable\n${processes}\nCapEff:\t0000000000000000\n4\n`;
}

function spawnShell(s: LaunchSpec): SpawnSyncReturns<string> {
  const cmd = shellWrapperCommand(s, []);
  return spawnSync(cmd.file, cmd.args, { encoding: 'utf8', env: s.env });
}

describe('sandbox-exec', () => {
  it('is built once, then found; each build of the same source has the same name', () => {
    const first = sandboxHelper(base);
    expect(first.why).toMatch(/^built with (cc|gcc|clang)$/);
    expect(first.file).toMatch(new RegExp(`^${base}/bin/sandbox-exec-[0-9a-f]{12}$`));
    expect(sandboxHelper(base)).toEqual({ file: first.file, why: 'built before' });
    expect(readdirSync(path.join(base, 'bin'))).toEqual([path.basename(first.file!)]);
  });

  it.each(['sandbox-exec', 'shell'])('%s: runs the command as nobody without capabilities, alone in its PID namespace, with read-only code behind a covered parent and a size-limited /tmp', (launcher) => {
    const { hidden, code } = codeBehindPrivateParent();
    const s = spec(code, hidden);
    const r =
      launcher === 'shell'
        ? (() => {
            const cmd = shellWrapperCommand(s, []);
            return spawnSync(cmd.file, cmd.args, { encoding: 'utf8', env: s.env });
          })()
        : spawnSync(sandboxHelper(base).file!, ['--wait'], { input: encodeSpec(s), encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([0, expected(launcher)]);
  });

  it.each(['sandbox-exec', 'shell'])('%s: binds the code at /var/task and the runtime at /var/runtime, read-only, in the instance alone', (launcher) => {
    expect(lambdaMountPoints()).toBe(true);
    const { hidden, code } = codeBehindPrivateParent();
    const runtime = path.join(hidden, 'runtime');
    mkdirSync(runtime);
    writeFileSync(path.join(runtime, 'bootstrap.mjs'), 'rt\n');
    const probe = 'pwd; cat index.js /var/runtime/bootstrap.mjs; touch new 2>/dev/null && echo code-writable || echo code-read-only; cat "$1/deep/code/index.js" 2>/dev/null || echo host-path-unreachable';
    const s: LaunchSpec = {
      ...spec(code, hidden),
      cwd: TASK_ROOT,
      exposed: [{ path: code, target: TASK_ROOT, readonly: true }, { path: runtime, target: RUNTIME_ROOT, readonly: true }],
      args: ['-c', probe, 'probe', hidden],
    };
    const r = launcher === 'shell' ? spawnShell(s) : spawnSync(sandboxHelper(base).file!, ['--wait'], { input: encodeSpec(s), encoding: 'utf8' });
    // The code's host path is not bound, and its private parent keeps nobody out.
    expect([r.status, r.stdout]).toEqual([0, '/var/task\nok\nrt\ncode-read-only\nhost-path-unreachable\n']);
    expect([readdirSync(TASK_ROOT), readdirSync(RUNTIME_ROOT)]).toEqual([[], []]);
  });

  it('exits 98 naming the path it could not expose', () => {
    const missing = path.join(base, 'no-such-dir');
    const s = { ...spec(base, base), exposed: [{ path: missing, readonly: true }] };
    const r = spawnSync(sandboxHelper(base).file!, ['--wait'], { input: encodeSpec(s), encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([98, `sandbox-exec: open ${missing}: No such file or directory\n`]);
  });
});
