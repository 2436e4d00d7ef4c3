/**
 * `faasbench report <run> [--out dir]`: a stored run as one self-contained index.html (summary
 * table and every chart the run has) plus each chart as SVG and PNG, rendered here with no browser.
 *
 * A run with no invocation records gets no report: the command exits 3 saying so, since every
 * chart would be empty and the summary is what `faasbench runs` already prints. An unknown run and
 * a store that is not one exit 3 too, with the id or the file named.
 */
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { openStore, storeTarget } from '../store/index.ts';
import { READ_ONLY } from './store-path.ts';

interface ReportOptions {
  out?: string;
  store?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report <run>')
    .description("write a run's report: index.html with its summary and charts (latency CDF, latency over time, instances, lateness, and a memory sweep's or trace replay's own), each chart also as SVG and PNG")
    .option('--out <dir>', 'folder to write to (default ./faasbench-report-<run>; created if absent, files already there replaced)')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--json', 'print the written files and chart timings as JSON')
    .action(async (runId: string, opts: ReportOptions) => {
      // A missing SQLite file is refused, naming it, rather than created empty (store-path.ts).
      const store = await openStore(opts.store, READ_ONLY).catch(damaged(storeTarget(opts.store)));
      try {
        // Vega and resvg take ~0.4 s to load: only this command pays for them.
        const [{ readRunData }, { buildReport, writeReport }] = await Promise.all([import('../report/run-data.ts'), import('../report/html-report.ts')]);
        const data = await readRunData(store, runId).catch(damaged(store.location));
        if (data.records === 0) {
          const { run } = data;
          throw new FaasbenchError('InvalidParameterValue', `run ${run.id} (${run.kind} ${run.name}, ${run.status}) has no invocation records: there is nothing to report`);
        }
        const report = await buildReport(data, { generatedAt: new Date().toISOString() });
        // The specs are tested to render cleanly; a warning here is a bug to hear about, not to hide.
        for (const chart of report.charts) for (const warning of chart.warnings) console.error(`warning: ${chart.name}: ${warning}`);
        const written = await writeReport(opts.out ?? `faasbench-report-${runId}`, report);
        if (opts.json) {
          const charts = written.charts.map((c) => ({ name: c.name, title: c.title, width: c.width, height: c.height, renderMs: Math.round(c.renderMs) }));
          console.log(JSON.stringify({ run: data.run.id, records: data.records, out: written.outDir, files: written.files, charts }, null, 2));
        } else for (const file of written.files) console.log(file);
      } finally {
        await store.close();
      }
    });
}

/**
 * SQLite's verdict on a file that is not a database, or one damaged past its first pages (which
 * shows only when those pages are read): the file named, not a stack trace.
 */
function damaged(target: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { code?: unknown }).code;
    const sqlite = `(SQLite: ${(err as Error).message})`;
    if (code === 'SQLITE_NOTADB') throw new FaasbenchError('InvalidParameterValue', `${target} is not a faasbench store ${sqlite}`, { cause: err });
    if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) throw new FaasbenchError('InvalidParameterValue', `${target} is a damaged faasbench store ${sqlite}`, { cause: err });
    throw err;
  };
}
