/**
 * `faasbench runs delete <run...>`: removes runs with their invocations and experiment rows, one
 * transaction per run. Every id is checked before anything is deleted, so a typo deletes nothing;
 * a run still being written (its heartbeat is fresh) is refused unless --force, since its writer
 * would go on appending to a run that is gone.
 */
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { plural } from '../core/plural.ts';
import type { DeletedRun, Store } from '../store/index.ts';
import { STORE_HELP, withExistingStore } from './store-path.ts';

interface DeleteOptions {
  store?: string;
  json?: boolean;
  force?: boolean;
}

export function registerRunsDelete(runs: Command): void {
  runs
    .command('delete <run...>')
    .description('delete runs with all their records (invocations and experiment rows); a run still running is refused without --force')
    .option('--force', 'delete runs still being written too (their writer has beaten its heartbeat recently)')
    .option('--store <target>', STORE_HELP)
    .option('--json', 'print what was deleted as JSON')
    .action(async (ids: string[], _opts: DeleteOptions, command: Command) => {
      // `runs --store x delete ...` and `runs delete ... --store x` both work: `runs` takes its own options first.
      const opts = command.optsWithGlobals<DeleteOptions>();
      const deleted = await withExistingStore(opts.store, async (store) => {
        await checkDeletable(store, [...new Set(ids)], opts.force === true);
        const done: DeletedRun[] = [];
        for (const id of new Set(ids)) {
          const result = await store.deleteRun(id);
          if (result) done.push(result);
        }
        return done;
      });
      if (opts.json) console.log(JSON.stringify(deleted, null, 2));
      else for (const d of deleted) console.log(`deleted run ${d.runId}: ${plural(d.invocations, 'invocation')}, ${plural(d.records, 'experiment row')}`);
    });
}

async function checkDeletable(store: Store, ids: readonly string[], force: boolean): Promise<void> {
  const runs = await Promise.all(ids.map(async (id) => ({ id, run: await store.getRun(id) })));
  const unknown = runs.filter((r) => r.run === undefined).map((r) => r.id);
  if (unknown.length > 0) throw new FaasbenchError('ResourceNotFound', `no run ${unknown.join(', ')} in the store (see faasbench runs); nothing was deleted`);
  const running = runs.filter((r) => r.run?.status === 'running').map((r) => r.id);
  if (running.length > 0 && !force) {
    throw new FaasbenchError('ResourceConflict', `run ${running.join(', ')} is still running (its writer's heartbeat is fresh): stop it first, or give --force; nothing was deleted`);
  }
}
