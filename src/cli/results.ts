/**
 * `faasbench results <run>`: an experiment run's result, read back from the store (the `result`
 * row the runner stored) and printed as `experiment run` printed it; `--json` gives the stored
 * object (tables, notes, summary, charts), `--csv` a table for a spreadsheet.
 */
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import type { ExperimentResult } from '../experiments/define.ts';
import type { JsonValue, Store } from '../store/index.ts';
import { STORE_HELP, withExistingStore } from './analyze.ts';
import { resultCsv, resultText } from './result-print.ts';

interface ResultsOptions {
  store?: string;
  json?: boolean;
  csv?: boolean;
  table?: string;
}

export function registerResults(program: Command): void {
  program
    .command('results <run>')
    .description("an experiment run's result from the store, printed as `experiment run` printed it: its tables and notes")
    .option('--store <target>', STORE_HELP)
    .option('--json', 'print the stored result object (tables, notes, summary, charts)')
    .option('--csv', 'print the main table as CSV (with --table, a further table)')
    .option('--table <name>', 'with --csv: the further table of this name')
    .action(async (runId: string, opts: ResultsOptions) => {
      if (opts.json && opts.csv) throw new FaasbenchError('InvalidParameterValue', '--json and --csv: give one of them', { reason: 'usage' });
      if (opts.table !== undefined && !opts.csv) throw new FaasbenchError('InvalidParameterValue', `--table ${opts.table}: only with --csv`, { reason: 'usage' });
      const result = await withExistingStore(opts.store, (store) => storedResult(store, runId));
      if (opts.json) console.log(JSON.stringify(result, null, 2));
      else if (opts.csv) process.stdout.write(resultCsv(result, opts.table));
      else console.log(resultText(result));
    });
}

/** The run's stored result, or an error saying why there is none (unknown run, not an experiment, no result yet). */
export async function storedResult(store: Store, runId: string): Promise<ExperimentResult> {
  const run = await store.getRun(runId);
  if (!run) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
  if (run.kind !== 'experiment') throw new FaasbenchError('InvalidParameterValue', `run ${runId} is a${/^[aeiou]/.test(run.kind) ? 'n' : ''} ${run.kind} run of ${run.name}, not an experiment: it has no result table (see faasbench analyze ${runId})`);
  let stored: JsonValue | undefined;
  // The runner stores one result row; were there more, the last one is the answer.
  for await (const { row } of store.experimentRows(runId, { kind: 'result' })) stored = row;
  if (stored === undefined) throw new FaasbenchError('ResourceNotFound', `experiment run ${runId} (${run.name}) has no result${whyNone(run.status, run.summary)}`);
  if (!isResult(stored)) throw new FaasbenchError('InvalidParameterValue', `experiment run ${runId}: its stored result row is not a result (expected columns and rows arrays)`);
  return stored;
}

function whyNone(status: string, summary: JsonValue | null): string {
  const error = (summary as { error?: { message?: unknown } } | null)?.error?.message;
  if (status === 'running') return ' yet: it is still running';
  if (status === 'abandoned') return ' yet: it stopped without finishing (abandoned)';
  if (status === 'failed') return `: it failed${typeof error === 'string' ? ` (${error})` : ''}`;
  return `: it ended ${status} before returning one`;
}

function isResult(value: JsonValue): value is ExperimentResult & JsonValue {
  const v = value as { columns?: unknown; rows?: unknown } | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.columns) && Array.isArray(v.rows);
}
