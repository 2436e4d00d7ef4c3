/**
 * Rate files for `rates --rates file.csv`: one rate per minute or per second, header first.
 *
 *   minute,rate          second,rate          InvocationsPerMinute
 *   0,10                 0,10                 600
 *   1,25.5               1,12                 1530
 *
 * `rate` is calls/s held for that minute or second; the index column counts 0, 1, 2, ... with no
 * gaps. `InvocationsPerMinute` is the Serverless Benchmarker's (and the Azure trace's) per-minute
 * count: one column, calls in that minute. Blank lines are ignored; anything else that does not
 * fit is rejected with the file and 1-based line number.
 */
import { readFileSync } from 'node:fs';
import { FaasbenchError } from '../core/errors.ts';
import { parseNumber } from './options.ts';
import { hold, type RateSegment } from './rate-curve.ts';

type Layout = { unit: 'minute' | 'second'; indexed: true } | { unit: 'minute'; indexed: false };

const LAYOUTS: Record<string, Layout> = {
  'minute,rate': { unit: 'minute', indexed: true },
  'second,rate': { unit: 'second', indexed: true },
  invocationsperminute: { unit: 'minute', indexed: false },
};

function fail(file: string, line: number, message: string): never {
  throw new FaasbenchError('InvalidParameterValue', `${file}:${line}: ${message}`);
}

const cells = (line: string): string[] => line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));

/** The rate curve a rates file describes; consecutive equal rates merge into one segment. */
export function parseRatesCsv(text: string, file: string): RateSegment[] {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((line) => line.trim() !== '');
  if (headerAt < 0) return fail(file, 1, 'empty file: expected a header (minute,rate or second,rate or InvocationsPerMinute) and one row per minute or second');
  const header = cells(lines[headerAt]!).join(',').toLowerCase();
  const layout = LAYOUTS[header];
  if (!layout) return fail(file, headerAt + 1, `expected the header minute,rate or second,rate or InvocationsPerMinute, got "${lines[headerAt]!.trim()}"`);
  const stepUs = layout.unit === 'minute' ? 60e6 : 1e6;
  const segments: RateSegment[] = [];
  let rows = 0;
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const rate = rowRate(cells(lines[i]!), layout, rows, file, i + 1);
    const last = segments.at(-1);
    if (last && last.fromRate === rate) segments[segments.length - 1] = hold(last.durationUs + stepUs, rate);
    else segments.push(hold(stepUs, rate));
    rows++;
  }
  if (rows === 0) return fail(file, headerAt + 1, `no rows after the header: expected one row per ${layout.unit}`);
  return segments;
}

/** Calls/s of one data row, the `expected`-th. */
function rowRate(row: string[], layout: Layout, expected: number, file: string, line: number): number {
  const columns = layout.indexed ? 2 : 1;
  if (row.length !== columns) fail(file, line, `expected ${columns} column${columns > 1 ? 's' : ''}, got ${row.length}`);
  if (layout.indexed && row[0] !== String(expected)) fail(file, line, `expected ${layout.unit} ${expected} (rows count 0, 1, 2, ... without gaps), got "${row[0]}"`);
  const value = parseNumber(row[columns - 1]);
  if (value === undefined) fail(file, line, `expected a ${layout.indexed ? 'rate in calls/s' : 'count of calls'} of 0 or more, got "${row[columns - 1]}"`);
  return layout.indexed ? value : value / 60;
}

/** Reads and parses a rates file; a missing file is an InvalidParameterValue naming it. */
export function readRatesCsv(file: string): RateSegment[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `${file}: cannot read the rates file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  return parseRatesCsv(text, file);
}
