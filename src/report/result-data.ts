/**
 * An experiment's answer as the views read it back: its last stored `result` row (the
 * ExperimentResult the CLI printed, as JSON) checked field by field, so a user experiment that
 * stored something odd loses only the odd part (a chart naming no column, a table of non-cells),
 * never the page. The HTML report and the dashboard both read the result through here.
 */
import type { ResultAxis, ResultCell, ResultChart, ResultTable } from '../experiments/define.ts';
import type { JsonValue, Store } from '../store/store.ts';

/** A stored result: the main table, the further tables and notes, and the charts it declares. */
export interface StoredResult {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<ResultCell>>;
  readonly notes: readonly string[];
  readonly tables: readonly ResultTable[];
  readonly charts: readonly ResultChart[];
}

type JsonObject = { readonly [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCell = (v: JsonValue): v is ResultCell => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isStrings = (v: JsonValue | undefined): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function rowsOf(value: JsonValue | undefined): ResultCell[][] | null {
  if (!Array.isArray(value) || !value.every((r) => Array.isArray(r) && r.every(isCell))) return null;
  return value as ResultCell[][];
}

/** The result in a stored row, or null when the row holds no main table (a result that never formed). */
export function parseStoredResult(row: JsonValue): StoredResult | null {
  if (!isObject(row) || !isStrings(row.columns)) return null;
  const rows = rowsOf(row.rows);
  if (rows === null) return null;
  const tables: ResultTable[] = [];
  for (const t of Array.isArray(row.tables) ? row.tables : []) {
    const tableRows = isObject(t) ? rowsOf(t.rows) : null;
    if (!isObject(t) || typeof t.name !== 'string' || !isStrings(t.columns) || tableRows === null) continue;
    tables.push({ name: t.name, title: typeof t.title === 'string' ? t.title : t.name, columns: t.columns, rows: tableRows });
  }
  const charts = (Array.isArray(row.charts) ? row.charts : []).flatMap((c) => {
    const chart = chartOf(c);
    return chart ? [chart] : [];
  });
  return { columns: row.columns, rows, notes: isStrings(row.notes) ? row.notes : [], tables, charts };
}

const MARKS: ReadonlySet<string> = new Set(['line', 'bar', 'point']);
const AXIS_TYPES: ReadonlySet<string> = new Set(['quantitative', 'ordinal', 'nominal']);

function axisOf(value: JsonValue | undefined): ResultAxis | null {
  if (!isObject(value) || typeof value.column !== 'string') return null;
  const { title, type, scale } = value;
  return {
    column: value.column,
    ...(typeof title === 'string' ? { title } : {}),
    ...(typeof type === 'string' && AXIS_TYPES.has(type) ? { type: type as ResultAxis['type'] } : {}),
    ...(scale === 'log' || scale === 'linear' ? { scale } : {}),
  };
}

function chartOf(value: JsonValue): ResultChart | null {
  if (!isObject(value) || typeof value.title !== 'string' || typeof value.mark !== 'string' || !MARKS.has(value.mark)) return null;
  const [x, y] = [axisOf(value.x), axisOf(value.y)];
  if (!x || !y) return null;
  return {
    title: value.title,
    mark: value.mark as ResultChart['mark'],
    x,
    y,
    ...(typeof value.table === 'string' ? { table: value.table } : {}),
    ...(typeof value.series === 'string' ? { series: value.series } : {}),
  };
}

/** The run's result (its last `result` row), or null when it stored none. */
export async function readStoredResult(store: Store, runId: string): Promise<StoredResult | null> {
  let last: JsonValue | undefined;
  for await (const { row } of store.experimentRows(runId, { kind: 'result' })) last = row;
  return last === undefined ? null : parseStoredResult(last);
}

/** The table a chart draws: the named further table, or the main one. */
export function chartTable(result: StoredResult, chart: ResultChart): Pick<ResultTable, 'columns' | 'rows'> | null {
  if (chart.table === undefined) return result;
  return result.tables.find((t) => t.name === chart.table) ?? null;
}

export { resultCellText } from '../experiments/result-cell.ts';
