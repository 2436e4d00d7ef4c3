/**
 * The end of `experiment run --provider a,b`: the providers' main result tables as one table,
 * row-interleaved with a provider column first (row 1 of a, row 1 of b, row 2 of a ...), so the
 * rows that answer the same case (a burst, a memory size) stand next to each other. Columns are the
 * union of the providers' columns in order of first appearance; a cell a provider lacks is null.
 */
import type { ExperimentResult, ResultCell } from '../experiments/define.ts';

export interface ProviderResult {
  readonly provider: string;
  readonly runId: string;
  readonly result: ExperimentResult | null;
}

export function sideBySide(runs: readonly ProviderResult[]): ExperimentResult {
  const columns = [...new Set(runs.flatMap((r) => r.result?.columns ?? []))];
  const longest = Math.max(0, ...runs.map((r) => r.result?.rows.length ?? 0));
  const rows: ResultCell[][] = [];
  for (let i = 0; i < longest; i++) {
    for (const { provider, result } of runs) {
      const row = result?.rows[i];
      if (!result || !row) continue;
      rows.push([provider, ...columns.map((c) => (result.columns.includes(c) ? (row[result.columns.indexOf(c)] ?? null) : null))]);
    }
  }
  const notes = runs.filter((r) => r.result === null).map((r) => `${r.provider}: no result (run ${r.runId})`);
  return { columns: ['provider', ...columns], rows, ...(notes.length ? { notes } : {}) };
}
