// The compiled launcher: built once per source version, and the sandbox it sets up is the shell
// wrapper's (private /tmp, read-only code, PWD and OLDPWD gone). Needs root and a C compiler, as CI has.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../test/support/platform.ts';
import { sandboxHelper } from './sandbox-helper.ts';
import { sandboxCommand } from './sandbox.ts';

// A scratch dir is outside /tmp: the sandbox puts its own directory over /tmp, which would hide the code dir.
const base = scratchDir('sandbox-exec');
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('sandbox-exec', () => {
  it('is built once, then found; each build of the same source has the same name', () => {
    const first = sandboxHelper(base);
    expect(first.why).toMatch(/^built with (cc|gcc|clang)$/);
    expect(first.file).toMatch(new RegExp(`^${base}/bin/sandbox-exec-[0-9a-f]{12}$`));
    expect(sandboxHelper(base)).toEqual({ file: first.file, why: 'built before' });
    expect(readdirSync(path.join(base, 'bin'))).toEqual([path.basename(first.file!)]);
  });

  it('runs the command with a private /tmp, read-only code and no PWD', () => {
    const helper = sandboxHelper(base).file!;
    const [tmpDir, codeDir] = ['instance-tmp', 'code'].map((d) => path.join(base, d)) as [string, string];
    for (const d of [tmpDir, codeDir]) mkdirSync(d);
    writeFileSync(path.join(codeDir, 'index.js'), '');
    const script = 'echo x > /tmp/marker; ls /tmp; touch "$1/new" 2>/dev/null && echo writable || echo read-only';
    const cmd = sandboxCommand({ isolation: 'namespace', tmpDir, codeDir, helper, runtime: { file: 'sh', args: ['-c', script, 'probe', codeDir] } });
    expect(cmd.file).toBe(helper);
    const r = spawnSync(cmd.file, cmd.args, { encoding: 'utf8', cwd: codeDir, env: { PATH: '/usr/bin:/bin', PWD: codeDir } });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'marker\nread-only\n', '']);
    // The marker landed in the instance's directory; the host's /tmp never saw it.
    expect(readdirSync(tmpDir)).toEqual(['marker']);
    expect(existsSync(path.join(codeDir, 'new'))).toBe(false);
    // sh would set PWD again itself, so env shows what the launcher hands on.
    const env = spawnSync(helper, [tmpDir, codeDir, 'env'], { encoding: 'utf8', cwd: codeDir, env: { PATH: '/usr/bin:/bin', PWD: codeDir, OLDPWD: '/', KEPT: 'yes' } });
    expect([env.status, env.stdout.split('\n').filter(Boolean).sort()]).toEqual([0, ['KEPT=yes', 'PATH=/usr/bin:/bin']]);
  });

  it('exits 98 naming the directory it could not mount, as the shell wrapper does', () => {
    const helper = sandboxHelper(base).file!;
    const missing = path.join(base, 'no-such-dir');
    const r = spawnSync(helper, [missing, base, 'true'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([98, `sandbox-exec: bind /tmp to ${missing}: No such file or directory\n`]);
  });
});
