/**
 * memory.csv, in either of its two shapes: per function (the sampled sets: the Azure app-memory
 * columns plus HashFunction, in any column order) or per app (the raw Azure file, no
 * HashFunction). A per-app row is split evenly among the app's functions by the reader, which is
 * the only place that knows how many functions an app has in invocations.csv.
 */
import { MEMORY_PERCENTILES, type MemoryPercentile, type MemoryStats } from './trace-function.ts';
import { csvLines, fail, Header, numberCell, textCell } from './csv-file.ts';
import type { KeyedRow } from './durations-file.ts';
import { RowQuirks } from './row-quirks.ts';

export interface MemoryFile {
  /** Keyed by keyString for a per-function file, by `owner,app` for a per-app file. */
  readonly rows: ReadonlyMap<string, KeyedRow<MemoryStats>>;
  readonly perApp: boolean;
  readonly quirks: RowQuirks;
}

export async function readMemory(file: string): Promise<MemoryFile> {
  const rows = new Map<string, KeyedRow<MemoryStats>>();
  const quirks = new RowQuirks('memory.csv');
  let header: Header | null = null;
  let perApp = false;
  for await (const row of csvLines(file)) {
    if (!header) {
      header = new Header(file, row.cells);
      perApp = !header.has('HashFunction');
      for (const column of ['HashOwner', 'HashApp', 'SampleCount', 'AverageAllocatedMb', ...MEMORY_PERCENTILES.map(columnOf)]) header.require(column);
      continue;
    }
    const parts = [textCell(file, row, header, 'HashOwner'), textCell(file, row, header, 'HashApp')];
    if (!perApp) parts.push(textCell(file, row, header, 'HashFunction'));
    const key = parts.join(',');
    const earlier = rows.get(key);
    if (earlier) fail(file, row.line, `a second row for the ${perApp ? 'app' : 'function'} of line ${earlier.line}: expected one row per ${perApp ? '(HashOwner, HashApp)' : '(HashOwner, HashApp, HashFunction)'}`);
    const at = (column: string): number => numberCell(file, row, header!, column);
    const percentilesMb = Object.fromEntries(MEMORY_PERCENTILES.map((p) => [p, at(columnOf(p))])) as Record<MemoryPercentile, number>;
    quirks.check(row.line, MEMORY_PERCENTILES.map((p) => percentilesMb[p]), percentilesMb[75]);
    rows.set(key, { line: row.line, stats: { sampleCount: at('SampleCount'), averageMb: at('AverageAllocatedMb'), percentilesMb } });
  }
  return { rows, perApp, quirks };
}

/** An app's memory shared evenly by `functions` of its functions. */
export function splitAmong(stats: MemoryStats, functions: number): MemoryStats {
  const percentilesMb = Object.fromEntries(MEMORY_PERCENTILES.map((p) => [p, stats.percentilesMb[p] / functions])) as Record<MemoryPercentile, number>;
  return { sampleCount: stats.sampleCount, averageMb: stats.averageMb / functions, percentilesMb, splitAmong: functions };
}

function columnOf(p: MemoryPercentile): string {
  return `AverageAllocatedMb_pct${p}`;
}
