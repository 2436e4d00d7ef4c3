/**
 * How a result cell reads, in the terminal, the HTML report and the dashboard alike (the
 * dashboard's run.js keeps a browser copy, which test/result-views.test.ts holds to this): whole
 * numbers as they are, others to a precision that suits their size, null as `-`.
 */
import type { ResultCell } from './define.ts';

/** Decimals a number is shown with. */
export function resultDecimals(n: number): number {
  return Number.isInteger(n) ? 0 : Math.abs(n) >= 100 ? 1 : Math.abs(n) >= 1 ? 2 : 4;
}

export function resultCellText(cell: ResultCell): string {
  if (cell === null) return '-';
  return typeof cell === 'number' ? cell.toFixed(resultDecimals(cell)) : String(cell);
}
