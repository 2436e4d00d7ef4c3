/**
 * What a platform process that died without stopping leaves behind: cgroups and instance temp
 * roots named `faasbench-<pid>-...`. A starting platform removes those whose process is gone.
 */
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const OWNED = /^faasbench-(\d+)-/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function deadEntries(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => {
        const pid = OWNED.exec(name)?.[1];
        return pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid));
      })
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** Instance groups first, then the platform's parent group; a group still holding a process stays. */
function removeGroupTree(dir: string): void {
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) rmdirSync(path.join(dir, entry.name));
    rmdirSync(dir);
  } catch {
    /* still in use: left for a later sweep */
  }
}

export function sweepLeftovers(cgroupRoots: readonly string[], tmpDir: string): void {
  for (const root of cgroupRoots) for (const dir of deadEntries(root)) removeGroupTree(dir);
  for (const dir of deadEntries(tmpDir)) rmSync(dir, { recursive: true, force: true });
}
