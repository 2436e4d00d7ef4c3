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

/** Trace files carry no quoting, but a spreadsheet round trip adds it; strip it rather than fail. */
function splitCells(text: string): string[] {
  const cells = text.split(',');
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell.length > 1 && cell.charCodeAt(0) === 34 && cell.charCodeAt(cell.length - 1) === 34) cells[i] = cell.slice(1, -1);
  }
  return cells;
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
  try {
    for await (const text of lines) {
      number++;
      if (text.trim() === '') continue;
      sawHeader = true;
      yield { line: number, cells: splitCells(text.trimEnd()) };
    }
  } finally {
    lines.close();
    input.destroy();
  }
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
