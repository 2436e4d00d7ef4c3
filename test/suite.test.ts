// `faasbench suite` (npm start) on a subset: one run per experiment in the store, tables printed,
// and a summary file naming each run. The whole suite is timed by hand (see the issue notes).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { REPO, scratchDir } from './support/platform.ts';

const run = promisify(execFile);

describe('faasbench suite', () => {
  it('runs the chosen experiments of the standard suite and writes a summary naming each run', async () => {
    const dir = scratchDir('suite');
    const { stdout } = await run(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'suite', '--only', 'cold-start,concurrency-scaling', '--store', path.join(dir, 'runs.db'), '--out', path.join(dir, 'results'), '--json'], { maxBuffer: 1 << 24 });
    const out = JSON.parse(stdout) as { summary: string; runs: Array<{ experiment: string; runId: string; status: string }> };
    expect(out.runs.map((r) => [r.experiment, r.status])).toEqual([['cold-start', 'completed'], ['concurrency-scaling', 'completed']]);
    const summary = readFileSync(out.summary, 'utf8');
    for (const r of out.runs) expect(summary).toContain(`run ${r.runId}`);
    expect(summary).toContain('agreed with the platform');
    const db = await openStore(path.join(dir, 'runs.db'));
    try {
      const runs = await db.listRuns();
      expect(runs.map((r) => [r.kind, r.name, r.status]).sort()).toEqual([['experiment', 'cold-start', 'completed'], ['experiment', 'concurrency-scaling', 'completed']]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
