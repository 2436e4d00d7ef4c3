/**
 * A marker beside each instance's temp folder: `<tmpRoot>/<instance id>.pid` holding the process's
 * pid and start time. Where no cgroup holds an instance (no root, cgroups off), it is how a platform
 * starting after a crash finds the instances left running, and only those: a pid alone may have
 * been reused by then, a pid with its start time has not.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startTicksOf } from './process-liveness.ts';

const SUFFIX = '.pid';

export interface MarkedProcess {
  readonly instanceId: string;
  readonly pid: number;
  readonly startTicks: string;
}

/** Written off the event loop: a cold start does not wait for it. */
export function markInstance(tmpRoot: string, instanceId: string, pid: number): void {
  const startTicks = startTicksOf(pid);
  if (startTicks === undefined) return;
  writeFile(path.join(tmpRoot, `${instanceId}${SUFFIX}`), `${pid} ${startTicks}\n`).catch(() => {
    /* the platform is stopping and removed its temp root */
  });
}

export function unmarkInstance(tmpRoot: string, instanceId: string): void {
  rmSync(path.join(tmpRoot, `${instanceId}${SUFFIX}`), { force: true });
}

/** The markers in a temp root, each with the instance id it names. */
export function markedProcesses(tmpRoot: string): MarkedProcess[] {
  let names: string[];
  try {
    names = readdirSync(tmpRoot).filter((n) => n.endsWith(SUFFIX));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      const [pid, startTicks] = readFileSync(path.join(tmpRoot, name), 'utf8').trim().split(' ');
      return Number.isInteger(Number(pid)) && startTicks ? [{ instanceId: name.slice(0, -SUFFIX.length), pid: Number(pid), startTicks }] : [];
    } catch {
      return [];
    }
  });
}

/** True when the marked process still runs as the one marked (not a later process with its pid). */
export function isStillMarked(marked: MarkedProcess): boolean {
  return startTicksOf(marked.pid) === marked.startTicks;
}
