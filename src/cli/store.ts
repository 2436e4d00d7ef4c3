/** `faasbench store recover <journal>`: load what a run could not write into its store (store/recover.ts). */
import type { Command } from 'commander';
import { recoverJournal } from '../store/index.ts';

export function registerStore(program: Command): void {
  const store = program.command('store').description('maintain the results store');
  store
    .command('recover <journal>')
    .description('load a journal of records a run could not write (its path is in the run\'s last line) into the store; loading twice adds nothing')
    .option('--store <target>', 'SQLite file or postgres:// URL to load into (default: the store the journal names)')
    .option('--json', 'print the outcome as JSON')
    .action(async (journal: string, opts: { store?: string; json?: boolean }) => {
      const result = await recoverJournal(journal, opts.store);
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const created = result.runCreated ? ' (run created from the journal)' : '';
      const marked = result.marked === null ? `run is ${result.runStatus}` : `run marked ${result.marked}`;
      const partial = result.partialLastLine ? '; a last line cut short was left out' : '';
      console.log(
        `loaded ${result.records} records of run ${result.runId} into ${result.store}${created}: ${result.stored} new, ${result.alreadyStored} already stored; ${marked}${partial}`,
      );
    });
}
