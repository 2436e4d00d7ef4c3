/**
 * How an instance process is started: its clean environment, its private /tmp and read-only code
 * (a mount namespace, where `unshare` works), and its cgroups joined before the runtime runs.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { RuntimeCommand } from './runtimes/index.ts';

export type Isolation = 'namespace' | 'none';

/**
 * Runs as `sh -c SCRIPT sandbox <tmp> <code> <n> <procs files...> <command...>`. Joining the
 * cgroups from inside the child, before exec, means no instant of the runtime runs unlimited.
 */
const SCRIPT = [
  't=$1; c=$2; n=$3; shift 3',
  'while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 97; shift; n=$((n-1)); done',
  'if [ "$FB_NS" = 1 ]; then mount --bind "$t" /tmp && mount --bind -o ro "$c" "$c" || exit 98; fi',
  'unset FB_NS PWD OLDPWD',
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
  procsFiles: readonly string[];
  runtime: RuntimeCommand;
}

export function sandboxCommand(spec: SandboxSpec): { file: string; args: string[]; extraEnv: Record<string, string> } {
  const { isolation, tmpDir, codeDir, procsFiles, runtime } = spec;
  if (isolation === 'none' && procsFiles.length === 0) return { file: runtime.file, args: [...runtime.args], extraEnv: {} };
  const shArgs = ['-c', SCRIPT, 'sandbox', tmpDir, codeDir, String(procsFiles.length), ...procsFiles, runtime.file, ...runtime.args];
  if (isolation === 'none') return { file: 'sh', args: shArgs, extraEnv: {} };
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', 'sh', ...shArgs], extraEnv: { FB_NS: '1' } };
}

/** Lambda's PATH, plus the directory of the node binary so `#!/usr/bin/env node` bootstraps work. */
export function sandboxPath(): string {
  return [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':');
}
