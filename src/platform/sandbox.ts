/**
 * How an instance process is started: its clean environment, its private /tmp and read-only code
 * (a mount namespace, where `unshare` works), set up by the compiled launcher where one could be
 * built, else by the shell wrapper below. Cgroups are joined by the platform once the process
 * runs (see InstanceCgroup.join).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { RuntimeCommand } from './runtimes/index.ts';

export type Isolation = 'namespace' | 'none';

/** Runs as `unshare ... sh -c SCRIPT sandbox <tmp> <code> <command...>`: mounts, then the runtime. */
const SCRIPT = [
  't=$1; c=$2; shift 2',
  'mount --bind "$t" /tmp && mount --bind -o ro "$c" "$c" || exit 98',
  'unset PWD OLDPWD',
  'exec "$@"',
].join('\n');

/** Probed once per platform: unshare needs root or user namespaces, and some kernels forbid both. */
export function namespacesWork(): boolean {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /mnt'], {
    stdio: 'ignore',
    timeout: 5000,
  });
  return r.status === 0;
}

export interface SandboxSpec {
  isolation: Isolation;
  /** The instance's own directory; its /tmp in a namespace, its TMPDIR otherwise. */
  tmpDir: string;
  codeDir: string;
  runtime: RuntimeCommand;
  /** The compiled launcher (sandbox-helper.ts), or null for the shell wrapper. */
  helper?: string | null;
}

export function sandboxCommand(spec: SandboxSpec): { file: string; args: string[] } {
  const { isolation, tmpDir, codeDir, runtime, helper } = spec;
  if (isolation === 'none') return { file: runtime.file, args: [...runtime.args] };
  if (helper) return { file: helper, args: [tmpDir, codeDir, runtime.file, ...runtime.args] };
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', 'sh', '-c', SCRIPT, 'sandbox', tmpDir, codeDir, runtime.file, ...runtime.args] };
}

/** Lambda's PATH, plus the directory of the node binary so `#!/usr/bin/env node` bootstraps work. */
export function sandboxPath(): string {
  return [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':');
}
