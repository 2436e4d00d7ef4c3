/** `faasbench runs` and `faasbench export <run>`: what the store holds. */
import { once } from 'node:events';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { EXPORT_FORMATS, exportRun, loadOf, parseRunFilters, RUN_FILTER_FIELDS, type ExportFormat } from '../store/index.ts';
import { positiveInt } from './option-parsers.ts';
import { openOutFile } from './out-file.ts';
import { registerRunsDelete } from './runs-delete.ts';
import { STORE_HELP, withExistingStore } from './store-path.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description('list the runs in the store, newest first, with their status, load and label; `runs delete` removes runs')
    .option('--store <target>', STORE_HELP)
    .option('--limit <n>', 'at most this many runs', '50')
    .option('--filter <field=value>', `only runs whose field has this value (repeatable: fields AND, one field twice OR); fields: ${RUN_FILTER_FIELDS.join(', ')}`, collect, [])
    .option('--json', 'print as JSON')
    .action(async (opts: { store?: string; limit: string; filter: string[]; json?: boolean }) => {
      const limit = positiveInt(opts.limit, '--limit');
      const filter = parseRunFilters(opts.filter);
      // Listing a store never creates one: a missing file is an error naming it. A status is as
      // the store shows it: 'abandoned' for a running run whose writers stopped beating.
      const rows = await withExistingStore(opts.store, async (store) => {
        const listed = await store.listRuns({ limit, filter });
        return Promise.all(listed.map(async (r) => ({ ...r, load: loadOf(r), records: await store.countRecords(r.id) })));
      });
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = new Table({ head: ['run', 'kind', 'name', 'load', 'label', 'provider', 'status', 'started', 'calls'], style: { head: [], border: [] } });
      for (const r of rows) table.push([r.id, r.kind, r.name, r.load ?? '', r.label ?? '', r.provider, r.status, r.startedAt, r.records]);
      console.log(table.toString());
    });
  registerRunsDelete(runs);

  program
    .command('export <run>')
    .description("write a run's invocations as CSV or JSON lines")
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).default('csv'))
    .option('--out <file>', 'write here instead of standard output')
    .option('--store <target>', STORE_HELP)
    .action(async (runId: string, opts: { format: ExportFormat; out?: string; store?: string }) => {
      await withExistingStore(opts.store, async (store) => {
        if (!(await store.getRun(runId))) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
        const out = opts.out ? openOutFile(opts.out) : process.stdout;
        const rows = await exportRun(store, runId, opts.format, out);
        if (opts.out) {
          out.end();
          await once(out, 'finish');
          console.error(`wrote ${rows} rows to ${opts.out}`);
        }
      });
    });
}
