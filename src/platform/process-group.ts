/**
 * The processes of one process group, read from /proc. An isolated instance's runtime is the
 * launcher's grandchild (launcher, the namespace's init, the runtime), all in the launcher's group:
 * where no memory cgroup counts them, the RSS watchdog sums what this finds.
 */
import { readdirSync, readFileSync } from 'node:fs';

export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so count from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return members;
}
