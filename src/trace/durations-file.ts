/**
 * durations.csv: one row per function with its average, count, extremes and execution-time
 * percentiles (ms). `Count` does not match invocation sums in the published trace, so it is kept,
 * never checked. Zero and non-monotone percentiles occur in real files: they are reported, not
 * rejected, because the rows are still usable for mapping and sampling.
 */
import { keyString, DURATION_PERCENTILES, type DurationPercentile, type DurationStats } from './trace-function.ts';
import { csvLines, fail, Header, numberCell, textCell } from './csv-file.ts';
import { RowQuirks } from './row-quirks.ts';

export interface KeyedRow<T> {
  readonly line: number;
  readonly stats: T;
}

export interface DurationsFile {
  readonly rows: ReadonlyMap<string, KeyedRow<DurationStats>>;
  readonly quirks: RowQuirks;
}

export async function readDurations(file: string): Promise<DurationsFile> {
  const rows = new Map<string, KeyedRow<DurationStats>>();
  const quirks = new RowQuirks('durations.csv');
  let header: Header | null = null;
  for await (const row of csvLines(file)) {
    if (!header) {
      header = new Header(file, row.cells);
      for (const column of ['HashOwner', 'HashApp', 'HashFunction', 'Average', 'Count', 'Minimum', 'Maximum', ...DURATION_PERCENTILES.map(columnOf)]) header.require(column);
      continue;
    }
    const key = keyString({ owner: textCell(file, row, header, 'HashOwner'), app: textCell(file, row, header, 'HashApp'), fn: textCell(file, row, header, 'HashFunction') });
    const earlier = rows.get(key);
    if (earlier) fail(file, row.line, `a second row for the function of line ${earlier.line}: expected one row per (HashOwner, HashApp, HashFunction)`);
    const at = (column: string): number => numberCell(file, row, header!, column);
    const percentilesMs = Object.fromEntries(DURATION_PERCENTILES.map((p) => [p, at(columnOf(p))])) as Record<DurationPercentile, number>;
    quirks.check(row.line, DURATION_PERCENTILES.map((p) => percentilesMs[p]), percentilesMs[75]);
    rows.set(key, { line: row.line, stats: { averageMs: at('Average'), count: at('Count'), minimumMs: at('Minimum'), maximumMs: at('Maximum'), percentilesMs } });
  }
  return { rows, quirks };
}

function columnOf(p: DurationPercentile): string {
  return `percentile_Average_${p}`;
}
