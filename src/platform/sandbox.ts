/**
 * How an instance process is started. With namespace isolation (the platform runs as root), an
 * instance is untrusted code: it runs as an unprivileged user without capabilities and with
 * no_new_privs, in its own PID, mount and IPC namespaces (it sees and signals only its own
 * processes, and dies whole), with a private size-limited /tmp, its code read-only and only the
 * paths it needs reachable. The compiled launcher (sandbox-exec.c) sets that up where it could be
 * built; the shell wrapper below does the same with util-linux's unshare, mount and setpriv.
 * Without isolation the runtime is spawned as is, as the platform's own user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { instanceStdio } from './runtime-endpoint.ts';

export type Isolation = 'namespace' | 'none';

/** The unprivileged user instances run as. */
export interface InstanceUser {
  readonly uid: number;
  readonly gid: number;
}

/**
 * A path the instance needs: its code and the runtime's files read-only, the storage root writable.
 * It is bound at `target` inside the instance (the code at /var/task, as on Lambda), at its own
 * path when no target is given.
 */
export interface Exposure {
  readonly path: string;
  readonly readonly: boolean;
  readonly target?: string;
}

/** Where Lambda puts the function's code and the runtime inside an instance. */
export const TASK_ROOT = '/var/task';
export const RUNTIME_ROOT = '/var/runtime';

let mountPoints: boolean | undefined;
/**
 * True when /var/task and /var/runtime exist on the host as plain root-owned directories, which
 * an isolated instance then binds its code and runtime over, in its own mount namespace only.
 * A bind mount needs a directory to land on, and inside the namespace there is no safe way to make
 * one under /var: a tmpfs over /var would hide the rest of it (/var/lib, /var/cache, where
 * interpreters and the CI's packages may live), and mkdir in the namespace still writes the host's
 * /var. So they are made once, empty, 0755, on the host (as root, which namespace isolation
 * implies); they stay empty there, since every mount on them is private to an instance. A symlink
 * or a file of that name (mount(2) would follow a symlink), or a /var that cannot be written,
 * makes this false, and instances keep their code at its host path.
 */
export function lambdaMountPoints(): boolean {
  mountPoints ??= [TASK_ROOT, RUNTIME_ROOT].every((dir) => {
    try {
      mkdirSync(dir, { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === 0;
  });
  return mountPoints;
}

export interface LaunchSpec {
  readonly isolation: Isolation;
  /** Who the runtime runs as; null keeps the platform's user (no isolation). */
  readonly user: InstanceUser | null;
  /** The size of the private /tmp (ephemeral storage), in MiB. */
  readonly tmpMb: number;
  readonly cwd: string;
  readonly exposed: readonly Exposure[];
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** Probed once per platform: unshare needs root or user namespaces, and some kernels forbid both. */
export function namespacesWork(): boolean {
  const r = spawnSync('unshare', ['--mount', '--pid', '--fork', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /mnt'], {
    stdio: 'ignore',
    timeout: 5000,
  });
  return r.status === 0;
}

/** `nobody`, as the host's passwd names it (65534 where it does not). */
export function unprivilegedUser(passwd = '/etc/passwd'): InstanceUser {
  try {
    const line = readFileSync(passwd, 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid !== undefined && gid !== undefined && /^\d+$/.test(uid) && /^\d+$/.test(gid)) return { uid: Number(uid), gid: Number(gid) };
  } catch {
    /* no passwd file: the conventional ids */
  }
  return { uid: 65534, gid: 65534 };
}

/** True when every parent of `file` lets others search it: an unprivileged user can reach it. */
export function reachable(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dir === '/') return true;
  }
}

/** The request sandbox-exec --wait reads: NUL-separated fields, see sandbox-exec.c. */
export function encodeSpec(spec: LaunchSpec): Buffer {
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  const exposed = spec.exposed.flatMap(exposureFields);
  const { isolation, user, tmpMb, cwd } = spec;
  const fields = [
    isolation, user ? String(user.uid) : '', user ? String(user.gid) : '', String(tmpMb), cwd,
    String(spec.exposed.length), ...exposed, String(spec.args.length + 1), spec.file, ...spec.args, ...env,
  ];
  for (const f of fields) if (f.includes('\0')) throw new Error(`a launch field contains a NUL byte: ${JSON.stringify(f)}`);
  return Buffer.from(fields.map((f) => `${f}\0`).join(''));
}

/** An exposure as both launchers read it: "ro" or "rw", the host path, the path inside the instance. */
function exposureFields(e: Exposure): string[] {
  return [e.readonly ? 'ro' : 'rw', e.path, e.target ?? e.path];
}

/**
 * Starts the compiled launcher, which joins `procsFiles` (the instance's cgroups) before anything
 * else and then waits for its spec on stdin. detached: the instance leads its own process group,
 * which freeze and kill signal as a whole.
 */
export function spawnLauncher(helper: string, procsFiles: readonly string[]): ChildProcess {
  // The channel pipe is passed down to the runtime.
  return spawn(helper, ['--wait', ...procsFiles], { cwd: '/', env: {}, detached: true, stdio: instanceStdio('pipe') });
}

/** Joins the cgroups, then runs the inner script in new mount, PID and IPC namespaces. */
const OUTER = [
  'while [ "$1" != -- ]; do echo $$ > "$1" || exit 98; shift; done; shift',
  'exec unshare --mount --pid --ipc --fork --kill-child --mount-proc --propagation private sh -c "$0" sandbox "$@"',
].join('\n');

/**
 * sandbox-exec.c's mounts in sh: each exposure bound elsewhere or behind a parent others cannot
 * search is bound aside first (onto a scratch tmpfs on /tmp), then moved to its target, over a
 * tmpfs on that blocking parent where there is one; the others are bound over themselves.
 */
const INNER = `
t=$1 u=$2 g=$3 d=$4 n=$5; shift 5
nl='
'
blocker() { b=; p=$1; while p=$(dirname "$p"); [ "$p" != / ]; do case $(stat -c %A "$p") in *[xt]) ;; *) b=$p;; esac; done; echo "$b"; }
mount -t tmpfs -o size=1m tmpfs /tmp || exit 98
i=0; blockers=
while [ $i -lt $n ]; do
  b=$(blocker "$3")
  if [ -n "$b" ] || [ "$2" != "$3" ]; then mkdir /tmp/$i && mount --bind "$2" /tmp/$i || exit 98; fi
  [ -z "$b" ] || blockers="$blockers$b$nl"
  eval "m$i=\\$1 s$i=\\$2 p$i=\\$3 b$i=\\$b"; shift 3; i=$((i+1))
done
covered=; IFS=$nl
for b in $(printf %s "$blockers" | sort -u); do
  skip=; for c in $covered; do case "$b/" in "$c"/*) skip=1;; esac; done
  [ -n "$skip" ] || { mount -t tmpfs -o size=1m,mode=0755,nosuid,nodev,noexec tmpfs "$b" || exit 98; covered="$covered$b$nl"; }
done
unset IFS; i=0
while [ $i -lt $n ]; do
  eval "m=\\$m$i s=\\$s$i p=\\$p$i b=\\$b$i"
  moved=; { [ -n "$b" ] || [ "$s" != "$p" ]; } && moved=1
  if [ -n "$b" ]; then mkdir -p "$p" || exit 98; fi
  if [ -n "$moved" ]; then mount --move /tmp/$i "$p" || exit 98; elif [ "$m" = ro ]; then mount --bind "$p" "$p" || exit 98; fi
  if [ "$m" = ro ]; then o=ro; else o=rw; fi
  [ -n "$moved" ] || [ "$m" = ro ] && { mount -o remount,bind,$o,nosuid,nodev "$p" || exit 98; }
  i=$((i+1))
done
umount /tmp && mount -t tmpfs -o size=\${t}m,mode=1777,nosuid,nodev tmpfs /tmp || exit 98
cd "$d" || exit 98
unset PWD OLDPWD
[ -n "$u" ] || exec "$@"
exec setpriv --reuid="$u" --regid="$g" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
`;

/** The shell wrapper's command line for `spec` (namespace isolation only). */
export function shellWrapperCommand(spec: LaunchSpec, procsFiles: readonly string[]): { file: string; args: string[] } {
  const { user, tmpMb, cwd, exposed } = spec;
  const fields = exposed.flatMap(exposureFields);
  const args = [String(tmpMb), user ? String(user.uid) : '', user ? String(user.gid) : '', cwd, String(exposed.length), ...fields, spec.file, ...spec.args];
  return { file: 'sh', args: ['-c', OUTER, INNER, ...procsFiles, '--', ...args] };
}

/** Lambda's PATH, plus the directory of the node binary so `#!/usr/bin/env node` bootstraps work. */
export function sandboxPath(): string {
  return [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':');
}
