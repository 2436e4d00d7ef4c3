/** `faasbench runs` and `faasbench export <run>`: what the store holds. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { EXPORT_FORMATS, exportRun, openStore, type ExportFormat } from '../store/index.ts';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the runs in the store, newest first, with their status')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--limit <n>', 'at most this many runs', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { store?: string; limit: string; json?: boolean }) => {
      const store = await openStore(opts.store);
      try {
        const runs = await store.listRuns({ limit: Number(opts.limit) });
        const rows = await Promise.all(runs.map(async (r) => ({ ...r, records: await store.countRecords(r.id) })));
        if (opts.json) {
          console.log(JSON.stringify(rows, null, 2));
          return;
        }
        const table = new Table({ head: ['run', 'kind', 'name', 'provider', 'status', 'started', 'calls'], style: { head: [], border: [] } });
        for (const r of rows) table.push([r.id, r.kind, r.name, r.provider, r.status, r.startedAt, r.records]);
        console.log(table.toString());
      } finally {
        await store.close();
      }
    });

  program
    .command('export <run>')
    .description("write a run's invocations as CSV or JSON lines")
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).default('csv'))
    .option('--out <file>', 'write here instead of standard output')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .action(async (runId: string, opts: { format: ExportFormat; out?: string; store?: string }) => {
      const store = await openStore(opts.store);
      try {
        if (!(await store.getRun(runId))) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        const rows = await exportRun(store, runId, opts.format, out);
        if (opts.out) {
          out.end();
          await once(out, 'finish');
          console.error(`wrote ${rows} rows to ${opts.out}`);
        }
      } finally {
        await store.close();
      }
    });
}
