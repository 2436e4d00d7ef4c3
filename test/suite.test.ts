// `faasbench suite` (npm start) on a subset: one run per experiment in the store, tables printed,
// a summary file naming each run, and each run's HTML report with an index linking them. The whole suite is timed by hand (see the issue notes).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { REPO, scratchDir } from './support/platform.ts';

const run = promisify(execFile);

const CHARTS: Record<string, string[]> = {
  'cold-start': ['result-1-cold-against-warm-median-latency-per-runtime-x.svg', 'latency-cdf.svg', 'latency-over-time.svg', 'instances-per-step.svg', 'lateness.svg'],
  'concurrency-scaling': ['result-1-instances-started-per-burst-the-scaling-curve.svg', 'result-2-latency-per-burst.svg', 'latency-cdf.svg', 'latency-over-time.svg', 'instances-per-step.svg', 'lateness.svg'],
};

describe('faasbench suite', () => {
  it('runs the chosen experiments of the standard suite and writes a summary and a report of each run', async () => {
    const dir = scratchDir('suite');
    const { stdout } = await run(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'suite', '--only', 'cold-start,concurrency-scaling', '--store', path.join(dir, 'runs.db'), '--out', path.join(dir, 'results'), '--json'], { maxBuffer: 1 << 24 });
    const out = JSON.parse(stdout) as { summary: string; report: string; runs: Array<{ experiment: string; runId: string; status: string; report: string | null }> };
    expect(out.runs.map((r) => [r.experiment, r.status])).toEqual([['cold-start', 'completed'], ['concurrency-scaling', 'completed']]);
    const summary = readFileSync(out.summary, 'utf8');
    for (const r of out.runs) expect(summary).toContain(`run ${r.runId}`);
    expect(summary).toContain('agreed with the platform');
    // One results folder: the index beside the summary, each run's report in a folder named after its experiment.
    const results = path.dirname(out.summary);
    expect(out.report).toBe(path.join(results, 'index.html'));
    expect(out.runs.map((r) => r.report)).toEqual([path.join(results, 'cold-start', 'index.html'), path.join(results, 'concurrency-scaling', 'index.html')]);
    const index = readFileSync(out.report, 'utf8');
    for (const r of out.runs) {
      // The run's own report page (what `faasbench report` writes), each chart it inlines also on disk.
      const page = readFileSync(r.report!, 'utf8');
      expect(page).toContain(`<title>faasbench report: ${r.runId}</title>`);
      expect(page).toContain(`<h1>faasbench report: experiment ${r.experiment}</h1>`);
      const charts = [...page.matchAll(/<a href="([^"]+\.svg)">/g)].map((m) => m[1]!);
      // The charts that answer the experiment's question first, then the run's own; a sweep's instances per step.
      expect(charts).toEqual(CHARTS[r.experiment]);
      for (const chart of charts) for (const file of [chart, chart.replace(/\.svg$/, '.png')]) expect(existsSync(path.join(path.dirname(r.report!), file))).toBe(true);
      expect(index).toContain(`<a href="${r.experiment}/index.html">`);
      expect(index).toContain(`run <code>${r.runId}</code>`);
      expect(summary).toContain(`report: ${r.experiment}/index.html`);
    }
    const db = await openStore(path.join(dir, 'runs.db'));
    try {
      const runs = await db.listRuns();
      expect(runs.map((r) => [r.kind, r.name, r.status]).sort()).toEqual([['experiment', 'cold-start', 'completed'], ['experiment', 'concurrency-scaling', 'completed']]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
