import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepLeftovers } from './leftovers.ts';

describe('sweepLeftovers', () => {
  it('removes what a dead platform left and keeps what a live one owns', () => {
    const deadPid = spawnSync('true').pid as number;
    const root = mkdtempSync(path.join(os.tmpdir(), 'fbsweep-'));
    const dead = path.join(root, `faasbench-${deadPid}-abc`);
    const live = path.join(root, `faasbench-${process.ppid}-def`);
    const other = path.join(root, 'unrelated');
    for (const dir of [path.join(dead, 'instance'), live, other]) mkdirSync(dir, { recursive: true });
    sweepLeftovers([], root);
    expect([existsSync(dead), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
  });
});
