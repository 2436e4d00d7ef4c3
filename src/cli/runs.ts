/** `faasbench runs` and `faasbench export <run>`: what the store holds. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../store/index.ts';
import { withExistingStore } from './analyze.ts';
import { positiveInt } from './option-parsers.ts';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the runs in the store, newest first, with their status')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--limit <n>', 'at most this many runs', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { store?: string; limit: string; json?: boolean }) => {
      const limit = positiveInt(opts.limit, '--limit');
      // Listing a store never creates one. A status is as the store shows it: 'abandoned' for a running run whose writers stopped beating.
      const rows = await withExistingStore(opts.store, async (store) => {
        const runs = await store.listRuns({ limit });
        return Promise.all(runs.map(async (r) => ({ ...r, records: await store.countRecords(r.id) })));
      }).catch((err: unknown) => {
        // No store file yet: no runs yet, said on stderr.
        if (!isFaasbenchError(err, 'ResourceNotFound')) throw err;
        console.error(`faasbench: ${(err as Error).message}`);
        return [];
      });
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = new Table({ head: ['run', 'kind', 'name', 'provider', 'status', 'started', 'calls'], style: { head: [], border: [] } });
      for (const r of rows) table.push([r.id, r.kind, r.name, r.provider, r.status, r.startedAt, r.records]);
      console.log(table.toString());
    });

  program
    .command('export <run>')
    .description("write a run's invocations as CSV or JSON lines")
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).default('csv'))
    .option('--out <file>', 'write here instead of standard output')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .action(async (runId: string, opts: { format: ExportFormat; out?: string; store?: string }) => {
      await withExistingStore(opts.store, async (store) => {
        if (!(await store.getRun(runId))) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        const rows = await exportRun(store, runId, opts.format, out);
        if (opts.out) {
          out.end();
          await once(out, 'finish');
          console.error(`wrote ${rows} rows to ${opts.out}`);
        }
      });
    });
}
