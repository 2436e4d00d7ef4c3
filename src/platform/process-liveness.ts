/**
 * What /proc says about one process: whether it still runs (a zombie does not: it is dead and only
 * waits to be reaped) and when it started, which with its pid names it for good (pids are reused,
 * start times of one pid are not).
 */
import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and ')'. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (stopped processes are alive). */
export function processAlive(pid: number): boolean {
  const fields = statFields(pid);
  if (fields === undefined) return signalable(pid);
  return fields[0] !== 'Z' && fields[0] !== 'X';
}

/**
 * /proc may hide other users' processes (mounted with hidepid): ask the kernel instead, and take
 * EPERM as alive, so another user's running platform is never judged dead and reaped.
 */
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the process is stopped (SIGSTOP, as a frozen instance is). */
export function processStopped(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === 'T' || state === 't';
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined when gone. */
export function startTicksOf(pid: number): string | undefined {
  // Field 22 overall is the 20th after the command name (state is field 3).
  return statFields(pid)?.[19];
}

/** SIGKILL to `pid`, which stops a stopped process too; false when it was already gone. */
export function killProcess(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
