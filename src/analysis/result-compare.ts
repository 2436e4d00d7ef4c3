/**
 * What changed between two experiment runs' answers: their stored `result` rows (the table an
 * experiment prints, plus its further named tables) compared cell by cell, not their pooled calls,
 * which mix every memory size, runtime or phase of an experiment into one figure.
 *
 * Rows are matched by their key: the leading columns that hold no numbers (a function, a runtime),
 * or the first column when every column holds numbers (memory-sweep's `memory MB`); when that key
 * repeats within a table (cold-start's runtime x memory x start), the next column joins it until
 * each row has its own. Numeric cells give B - A and the change in percent of A.
 */
import type { JsonValue, Store } from '../store/store.ts';

/** A cell of a stored result table (experiments' ResultCell). */
export type Cell = string | number | boolean | null;

/** One table of a stored result: `result` for the main table, else the further table's name. */
export interface StoredTable {
  readonly name: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export interface CellChange {
  readonly column: string;
  readonly a: Cell;
  readonly b: Cell;
  /** b - a when both are numbers; else null. */
  readonly change: number | null;
  /** change in percent of |a|; null unless both are numbers, and when a is 0 and b is not. */
  readonly percent: number | null;
}

export interface RowComparison {
  /** The row's key cells, one per key column. */
  readonly key: readonly Cell[];
  /** Every column of both tables beyond the key, in A's order. */
  readonly cells: readonly CellChange[];
}

export interface TableComparison {
  readonly name: string;
  readonly title: string;
  readonly keyColumns: readonly string[];
  /** Rows whose key is in both tables, in A's order. */
  readonly rows: readonly RowComparison[];
  /** Keys of rows one table has and the other lacks. */
  readonly onlyInA: readonly (readonly Cell[])[];
  readonly onlyInB: readonly (readonly Cell[])[];
  readonly columnsOnlyInA: readonly string[];
  readonly columnsOnlyInB: readonly string[];
}

export interface ResultComparison {
  /** Tables both results have, the main one first. */
  readonly tables: readonly TableComparison[];
  readonly tablesOnlyInA: readonly string[];
  readonly tablesOnlyInB: readonly string[];
}

/** The name the main table goes by. */
export const MAIN_TABLE = 'result';

type JsonObject = { readonly [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCell = (v: JsonValue): v is Cell => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** A stored table's columns and rows, or null when they are not a list of names and rows of cells. */
function tableOf(name: string, title: string, value: JsonObject): StoredTable | null {
  const { columns, rows } = value;
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) return null;
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.every(isCell))) return null;
  return { name, title, columns: columns as string[], rows: rows as Cell[][] };
}

/**
 * The tables of a stored `result` row (an experiment's ExperimentResult as JSON): the main table
 * first, then each further table. Null when the row holds no table (a result that failed to form).
 */
export function resultTables(row: JsonValue): StoredTable[] | null {
  if (!isObject(row)) return null;
  const main = tableOf(MAIN_TABLE, 'result', row);
  if (!main) return null;
  const further = Array.isArray(row.tables) ? row.tables : [];
  const tables = [main];
  for (const t of further) {
    if (!isObject(t) || typeof t.name !== 'string') continue;
    const table = tableOf(t.name, typeof t.title === 'string' ? t.title : t.name, t);
    if (table) tables.push(table);
  }
  return tables;
}

/** The run's stored result tables (its last `result` row), or null when it stored none. */
export async function readResultTables(store: Store, runId: string): Promise<StoredTable[] | null> {
  let last: JsonValue | undefined;
  for await (const { row } of store.experimentRows(runId, { kind: 'result' })) last = row;
  return last === undefined ? null : resultTables(last);
}

const keyText = (key: readonly Cell[]): string => JSON.stringify(key);

/** Each row's key from `columns` (indices per table) is unique within its table. */
function unique(tables: readonly { table: StoredTable; at: readonly number[] }[]): boolean {
  return tables.every(({ table, at }) => new Set(table.rows.map((r) => keyText(at.map((i) => r[i] ?? null)))).size === table.rows.length);
}

/** The key columns both tables share (see the file's comment). */
export function keyColumns(a: StoredTable, b: StoredTable): string[] {
  const shared = a.columns.filter((c) => b.columns.includes(c));
  const holdsNumbers = (column: string): boolean =>
    [a, b].some((t) => {
      const i = t.columns.indexOf(column);
      return t.rows.some((r) => typeof r[i] === 'number');
    });
  let length = 0;
  while (length < shared.length && !holdsNumbers(shared[length]!)) length += 1;
  length = Math.max(1, length);
  const at = (t: StoredTable, n: number): number[] => shared.slice(0, n).map((c) => t.columns.indexOf(c));
  while (length < shared.length && !unique([a, b].map((table) => ({ table, at: at(table, length) })))) length += 1;
  return shared.slice(0, length);
}

function cellChange(column: string, a: Cell, b: Cell): CellChange {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return { column, a, b, change: null, percent: null };
  const change = b - a;
  const percent = a === 0 ? (b === 0 ? 0 : null) : (change / Math.abs(a)) * 100;
  return { column, a, b, change, percent };
}

/** Two tables of the same name compared row by row (rows matched by key, see the file's comment). */
export function compareTables(a: StoredTable, b: StoredTable): TableComparison {
  const keys = a.columns.length > 0 && b.columns.some((c) => a.columns.includes(c)) ? keyColumns(a, b) : [];
  const keyOf = (t: StoredTable, row: readonly Cell[]): Cell[] => keys.map((c) => row[t.columns.indexOf(c)] ?? null);
  const valueColumns = a.columns.filter((c) => b.columns.includes(c) && !keys.includes(c));
  // A repeated key (a table no column set tells apart) is matched first to first.
  const rowsOfB = new Map<string, (readonly Cell[])[]>();
  for (const row of b.rows) {
    const k = keyText(keyOf(b, row));
    rowsOfB.set(k, [...(rowsOfB.get(k) ?? []), row]);
  }
  const rows: RowComparison[] = [];
  const onlyInA: Cell[][] = [];
  const matched = new Set<readonly Cell[]>();
  for (const rowA of a.rows) {
    const key = keyOf(a, rowA);
    const rowB = rowsOfB.get(keyText(key))?.shift();
    if (!rowB) {
      onlyInA.push(key);
      continue;
    }
    matched.add(rowB);
    rows.push({ key, cells: valueColumns.map((c) => cellChange(c, rowA[a.columns.indexOf(c)] ?? null, rowB[b.columns.indexOf(c)] ?? null)) });
  }
  const onlyInB = b.rows.filter((row) => !matched.has(row)).map((row) => keyOf(b, row));
  return {
    name: a.name,
    title: a.title,
    keyColumns: keys,
    rows,
    onlyInA,
    onlyInB,
    columnsOnlyInA: a.columns.filter((c) => !b.columns.includes(c)),
    columnsOnlyInB: b.columns.filter((c) => !a.columns.includes(c)),
  };
}

/** Two results' tables compared, each with the other result's table of the same name. */
export function compareResults(a: readonly StoredTable[], b: readonly StoredTable[]): ResultComparison {
  const namesB = new Set(b.map((t) => t.name));
  const namesA = new Set(a.map((t) => t.name));
  return {
    tables: a.filter((t) => namesB.has(t.name)).map((t) => compareTables(t, b.find((u) => u.name === t.name)!)),
    tablesOnlyInA: a.filter((t) => !namesB.has(t.name)).map((t) => t.name),
    tablesOnlyInB: b.filter((t) => !namesA.has(t.name)).map((t) => t.name),
  };
}
