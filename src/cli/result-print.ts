/**
 * How an experiment's result reads in a terminal: its main table, each further table under its
 * title, then the notes. `experiment run`, `suite` and `results` print through this one function,
 * so a stored result re-prints exactly as it was first printed. CSV is for spreadsheets and scripts.
 */
import Table from 'cli-table3';
import { FaasbenchError } from '../core/errors.ts';
import type { ExperimentResult, ResultCell } from '../experiments/define.ts';
import { resultCellText } from '../experiments/result-cell.ts';

export function resultText(result: ExperimentResult): string {
  const further = (result.tables ?? []).map((t) => `${t.title}\n${tableText(t.columns, t.rows)}`);
  return [tableText(result.columns, result.rows), ...further, ...(result.notes ?? [])].join('\n');
}

function tableText(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<ResultCell>>): string {
  const table = new Table({ head: [...columns], style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(resultCellText));
  return table.toString();
}


/**
 * The main table (or the further table `name`) as CSV (RFC 4180): numbers at full precision, an
 * empty field for null. Unknown table names are an error listing the ones there are.
 */
export function resultCsv(result: ExperimentResult, name?: string): string {
  const table = name === undefined ? result : result.tables?.find((t) => t.name === name);
  if (!table) {
    const names = (result.tables ?? []).map((t) => t.name);
    throw new FaasbenchError('InvalidParameterValue', `--table ${name}: the result has ${names.length ? `the tables ${names.join(', ')}` : 'no further tables'}`);
  }
  return [table.columns, ...table.rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

function csvField(cell: ResultCell | string): string {
  if (cell === null) return '';
  const text = String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
