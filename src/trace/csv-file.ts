/**
 * The CSV plumbing the trace files share: streamed lines with their 1-based numbers, headers
 * looked up by name (the three files of a set order their columns differently), and number cells
 * checked where they are read, so every complaint names the file, line and column.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { FaasbenchError } from '../core/errors.ts';

export interface CsvLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly cells: string[];
}

export function fail(file: string, line: number, message: string): never {
  throw new FaasbenchError('InvalidParameterValue', `${basename(file)}:${line}: ${message}`);
}

const QUOTE = 34;
/** A quoted cell may hold line breaks, but one that never closes must not swallow a whole day. */
const LONGEST_RECORD_CHARS = 1 << 20;

/**
 * The cells of one record by RFC 4180, as a CSV reader (a spreadsheet, Python's csv) reads them:
 * a cell starting with a quote runs to the closing quote, `""` inside it is one quote, and it may
 * hold commas and line breaks. Returns null while a quoted cell is still open at the end of the
 * text (the record continues on the next line). Trace files rarely quote, so an unquoted line
 * takes the fast path.
 */
export function splitCells(text: string): string[] | null {
  if (!text.includes('"')) return text.split(',');
  const cells: string[] = [];
  let at = 0;
  for (;;) {
    let cell = '';
    if (text.charCodeAt(at) === QUOTE) {
      at++;
      for (;;) {
        const close = text.indexOf('"', at);
        if (close < 0) return null;
        cell += text.slice(at, close);
        at = close + 1;
        if (text.charCodeAt(at) !== QUOTE) break;
        cell += '"';
        at++;
      }
    }
    // Text after a closing quote, or an unquoted cell (quotes inside it are literal), up to the comma.
    const comma = text.indexOf(',', at);
    const end = comma < 0 ? text.length : comma;
    cells.push(cell + text.slice(at, end));
    if (comma < 0) return cells;
    at = comma + 1;
    if (at === text.length) {
      cells.push('');
      return cells;
    }
  }
}

/**
 * The file's non-blank lines, header first. A missing file or one with no header is an error
 * here, so no caller has to think about it.
 */
export async function* csvLines(file: string): AsyncGenerator<CsvLine> {
  const input = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  await opened.catch((err: NodeJS.ErrnoException) => {
    throw new FaasbenchError('InvalidParameterValue', `${file}: cannot read (${err.code ?? err.message}); a trace folder holds invocations.csv, durations.csv and memory.csv`);
  });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  let sawHeader = false;
  // A record whose quoted cell spans lines: its text so far and its first line.
  let open: { text: string; line: number } | null = null;
  try {
    for await (const text of lines) {
      number++;
      if (open === null && text.trim() === '') continue;
      const record: { text: string; line: number } = open === null ? { text: text.trimEnd(), line: number } : { text: `${open.text}\n${text.trimEnd()}`, line: open.line };
      const cells = splitCells(record.text);
      if (cells === null) {
        open = record;
        if (record.text.length > LONGEST_RECORD_CHARS) break;
        continue;
      }
      open = null;
      sawHeader = true;
      yield { line: record.line, cells };
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (open !== null) fail(file, open.line, 'a quoted cell with no closing quote: expected a " before the end of the record');
  if (!sawHeader) fail(file, 1, 'empty file: expected a header line and one row per function');
}

/** Column positions by name; `require` fails naming the missing column and what the header holds. */
export class Header {
  private readonly index = new Map<string, number>();

  constructor(
    readonly file: string,
    readonly cells: readonly string[],
  ) {
    cells.forEach((name, i) => this.index.set(name.trim(), i));
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  require(name: string): number {
    const at = this.index.get(name);
    if (at === undefined) fail(this.file, 1, `missing column ${name} (the header has: ${this.cells.slice(0, 16).join(',')}${this.cells.length > 16 ? ',...' : ''})`);
    return at;
  }
}

/** A finite number in a cell, or an error naming file, line and column. */
export function numberCell(file: string, row: CsvLine, header: Header, column: string): number {
  const cell = row.cells[header.require(column)];
  if (cell === undefined) fail(file, row.line, `column ${column}: missing (the row has ${row.cells.length} cells, the header ${header.cells.length})`);
  const value = cell.trim() === '' ? Number.NaN : Number(cell);
  if (!Number.isFinite(value)) fail(file, row.line, `column ${column}: expected a number, got "${cell}"`);
  return value;
}

export function textCell(file: string, row: CsvLine, header: Header, column: string): string {
  const cell = row.cells[header.require(column)];
  if (cell === undefined || cell.trim() === '') fail(file, row.line, `column ${column}: empty, expected a value`);
  return cell.trim();
}
