/**
 * invocations.csv: `HashOwner,HashApp,HashFunction,Trigger,<one column per minute or second>`.
 * Unit columns keep the labels of the original day (an excerpt may start at 480), so a window is
 * chosen by label, never by position. Rows are streamed: only the selected columns of one row are
 * held at a time.
 */
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

interface Layout extends TraceWindow {
  readonly keyAt: readonly number[];
  /** Cell index of each selected unit column. */
  readonly columnAt: Int32Array;
  readonly width: number;
}

export async function* invocationRows(file: string, selection: WindowSelection): AsyncGenerator<InvocationRow, void, undefined> {
  let layout: Layout | null = null;
  for await (const row of csvLines(file)) {
    if (!layout) {
      layout = layoutOf(file, row, selection);
      continue;
    }
    yield parseRow(file, row, layout);
  }
}

/** The window a selection gives, read from the header alone. */
export async function invocationsWindow(file: string, selection: WindowSelection): Promise<TraceWindow> {
  for await (const row of csvLines(file)) {
    const { unit, labels } = layoutOf(file, row, selection);
    return { unit, labels };
  }
  throw new Error('unreachable: csvLines fails on a file without a header');
}

function layoutOf(file: string, headerRow: CsvLine, selection: WindowSelection): Layout {
  const header = new Header(file, headerRow.cells);
  const keyAt = KEY_COLUMNS.map((name) => header.require(name));
  const unitColumns: Array<{ at: number; label: string; value: number }> = [];
  headerRow.cells.forEach((label, at) => {
    if (keyAt.includes(at)) return;
    const value = Number(label);
    if (label.trim() === '' || !Number.isInteger(value)) fail(file, 1, `column ${at + 1}: expected a minute or second label (an integer), got "${label}"`);
    unitColumns.push({ at, label: label.trim(), value });
  });
  if (unitColumns.length === 0) fail(file, 1, 'no minute or second columns after HashOwner,HashApp,HashFunction,Trigger');
  const unit = selection.unit ?? (unitColumns.length > MINUTES_PER_DAY || unitColumns.some((c) => c.value > MINUTES_PER_DAY) ? 'second' : 'minute');
  const selected = selection.minutes ? unitColumns.filter((c) => inWindow(c.value, unit, unitColumns[0]!.value, selection.minutes!)) : unitColumns;
  if (selected.length === 0) {
    const { from, to } = selection.minutes!;
    throw new FaasbenchError('InvalidParameterValue', `--minutes ${from}-${to}: ${file} has no ${unit} columns in that window (its labels run ${unitColumns[0]!.label}..${unitColumns.at(-1)!.label})`);
  }
  return { unit, labels: selected.map((c) => c.label), keyAt, columnAt: Int32Array.from(selected, (c) => c.at), width: headerRow.cells.length };
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
  if (cells.length !== layout.width) fail(file, row.line, `expected ${layout.width} cells as in the header, got ${cells.length}`);
  const [owner, app, fn, trigger] = layout.keyAt.map((at) => cells[at]!.trim());
  if (!owner || !app || !fn) fail(file, row.line, `columns HashOwner, HashApp and HashFunction must not be empty`);
  const counts = new Uint32Array(layout.columnAt.length);
  for (let i = 0; i < counts.length; i++) {
    const cell = cells[layout.columnAt[i]!]!;
    const value = +cell;
    // `+''` is 0: an empty cell must not pass for a zero count.
    if (!(value >= 0 && value <= 0xffff_ffff && Number.isInteger(value)) || cell.length === 0) {
      fail(file, row.line, `column ${layout.labels[i]}: expected an invocation count (a whole number >= 0), got "${cell}"`);
    }
    counts[i] = value;
  }
  return { line: row.line, key: { owner, app, fn }, trigger: trigger ?? '', counts };
}
