/**
 * invocations.csv: `HashOwner,HashApp,HashFunction,Trigger,<one column per minute or second>`.
 * Unit columns keep the labels of the original day (an excerpt may start at 480), so a window is
 * chosen by label, never by position. Rows are streamed: only the selected columns of one row are
 * held at a time.
 */
import { basename } from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import type { FunctionKey, TraceUnit, TraceWindow } from './trace-function.ts';
import { csvLines, fail, Header, type CsvLine } from './csv-file.ts';

const KEY_COLUMNS = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger'] as const;
/** A day has 1,440 minutes: a file with more unit columns, or higher labels, counts seconds. */
const MINUTES_PER_DAY = 1440;

export interface WindowSelection {
  /** Inclusive range of minute labels. */
  readonly minutes?: { readonly from: number; readonly to: number };
  readonly unit?: TraceUnit;
}

export interface InvocationRow {
  readonly line: number;
  readonly key: FunctionKey;
  readonly trigger: string;
  readonly counts: Uint32Array;
}

interface Layout extends InvocationsWindow {
  readonly keyAt: readonly number[];
  /** Cell index of each selected unit column. */
  readonly columnAt: Int32Array;
  readonly width: number;
}

export async function* invocationRows(file: string, selection: WindowSelection): AsyncGenerator<InvocationRow, void, undefined> {
  let layout: Layout | null = null;
  let rows = 0;
  for await (const row of csvLines(file)) {
    if (!layout) {
      layout = layoutOf(file, row, selection);
      continue;
    }
    rows++;
    yield parseRow(file, row, layout);
  }
  // A header alone would replay nothing and say nothing: more likely a truncated copy than a wish.
  if (rows === 0) fail(file, 2, 'no function rows after the header: expected one row per function');
}

export interface InvocationsWindow extends TraceWindow {
  /** How the unit was inferred, when it was: told to the user, since a wrong guess scales every rate by 60. */
  readonly notes: readonly string[];
}

/** The window a selection gives, read from the header alone. */
export async function invocationsWindow(file: string, selection: WindowSelection): Promise<InvocationsWindow> {
  for await (const row of csvLines(file)) {
    const { unit, labels, notes } = layoutOf(file, row, selection);
    return { unit, labels, notes };
  }
  throw new Error('unreachable: csvLines fails on a file without a header');
}

interface UnitColumn {
  readonly at: number;
  readonly label: string;
  readonly value: number;
}

function layoutOf(file: string, headerRow: CsvLine, selection: WindowSelection): Layout {
  const header = new Header(file, headerRow.cells);
  const keyAt = KEY_COLUMNS.map((name) => header.require(name));
  const unitColumns = unitColumnsOf(file, headerRow.cells, keyAt);
  const { unit, notes } = selection.unit ? { unit: selection.unit, notes: [] } : inferUnit(file, unitColumns);
  const selected = selection.minutes ? unitColumns.filter((c) => inWindow(c.value, unit, unitColumns[0]!.value, selection.minutes!)) : unitColumns;
  if (selected.length === 0) {
    const { from, to } = selection.minutes!;
    throw new FaasbenchError('InvalidParameterValue', `--minutes ${from}-${to}: ${file} has no ${unit} columns in that window (its labels run ${unitColumns[0]!.label}..${unitColumns.at(-1)!.label})`);
  }
  return { unit, labels: selected.map((c) => c.label), notes, keyAt, columnAt: Int32Array.from(selected, (c) => c.at), width: headerRow.cells.length };
}

/**
 * The count columns, labelled by decimal integers counting up one by one: a label out of order,
 * repeated or skipped would put a column's calls in another unit's place, since units are
 * placed by position. A last column with no name is the empty cell a trailing comma makes.
 */
function unitColumnsOf(file: string, cells: readonly string[], keyAt: readonly number[]): UnitColumn[] {
  const columns: UnitColumn[] = [];
  cells.forEach((cell, at) => {
    if (keyAt.includes(at)) return;
    const label = cell.trim();
    if (label === '' && at === cells.length - 1 && at > 0) return;
    if (!/^-?\d+$/.test(label)) fail(file, 1, `column ${at + 1}: expected a minute or second label (a decimal integer), got "${cell}"`);
    const value = Number(label);
    const previous = columns.at(-1);
    if (previous && value !== previous.value + 1) {
      fail(file, 1, `column ${at + 1}: label "${label}" after "${previous.label}": expected ${previous.value + 1} (labels count up one by one, each once)`);
    }
    columns.push({ at, label, value });
  });
  if (columns.length === 0) fail(file, 1, 'no minute or second columns after HashOwner,HashApp,HashFunction,Trigger');
  return columns;
}

/**
 * Minutes unless the file cannot be one day of minutes. Said out loud when seconds are chosen:
 * a per-minute file of a later day (labels above 1,440) would otherwise replay 60x too fast.
 */
function inferUnit(file: string, columns: readonly UnitColumn[]): { unit: TraceUnit; notes: string[] } {
  const first = columns[0]!;
  const last = columns.at(-1)!;
  const name = basename(file);
  const override = 'pass --unit minute if they count minutes';
  if (columns.length > MINUTES_PER_DAY) {
    return { unit: 'second', notes: [`${name}: counts read as per second (inferred: ${columns.length} count columns, more than a day's ${MINUTES_PER_DAY} minutes); ${override}`] };
  }
  if (last.value > MINUTES_PER_DAY) {
    return { unit: 'second', notes: [`${name}: counts read as per second (inferred: labels run ${first.label}..${last.label}, above a day's ${MINUTES_PER_DAY} minutes); ${override}`] };
  }
  return { unit: 'minute', notes: [] };
}

/**
 * Minute labels select themselves. Second labels belong to the minute they fall in, counted in
 * the file's own base (a file whose first label is 0 counts from 0, else from 1, as Azure does).
 */
function inWindow(label: number, unit: TraceUnit, firstLabel: number, window: { from: number; to: number }): boolean {
  const minute = unit === 'minute' ? label : firstLabel === 0 ? Math.floor(label / 60) : Math.ceil(label / 60);
  return minute >= window.from && minute <= window.to;
}

function parseRow(file: string, row: CsvLine, layout: Layout): InvocationRow {
  const { cells } = row;
  // One extra empty cell is a trailing comma on a row whose header has none: a CSV reader's empty column.
  const trailing = cells.length === layout.width + 1 && cells[layout.width] === '';
  if (cells.length !== layout.width && !trailing) fail(file, row.line, `expected ${layout.width} cells as in the header, got ${cells.length}`);
  const [owner, app, fn, trigger] = layout.keyAt.map((at) => cells[at]!.trim());
  if (!owner || !app || !fn) fail(file, row.line, `columns HashOwner, HashApp and HashFunction must not be empty`);
  const counts = new Uint32Array(layout.columnAt.length);
  for (let i = 0; i < counts.length; i++) {
    const cell = cells[layout.columnAt[i]!]!;
    const value = countOf(cell);
    if (value < 0) fail(file, row.line, `column ${layout.labels[i]}: expected an invocation count (a decimal whole number >= 0), got "${cell}"`);
    counts[i] = value;
  }
  return { line: row.line, key: { owner, app, fn }, trigger: trigger ?? '', counts };
}

/**
 * The count a cell spells in decimal digits, or -1. Number() would also take "0x10", "1e3",
 * "+3" and "" (as 0): none of them is how a trace writes a count.
 */
function countOf(cell: string): number {
  if (cell.length === 0 || cell.length > 10) return -1;
  let value = 0;
  for (let i = 0; i < cell.length; i++) {
    const digit = cell.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value <= 0xffff_ffff ? value : -1;
}
