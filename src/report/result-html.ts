/**
 * An experiment's answer in the HTML report: its main table, each further table under its title,
 * its notes, and the charts it declares, as real tables with the figures the CLI printed
 * (resultCellText), numbers right-aligned. Wide tables scroll inside their own box.
 */
import type { ResultCell } from '../experiments/define.ts';
import { escapeHtml as esc } from './escape-html.ts';
import { resultCellText, type StoredResult } from './result-data.ts';

/** One result table; `name` is `result` for the main table, else the further table's name. */
export function resultTableHtml(name: string, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<ResultCell>>): string {
  // A column of numbers (nulls aside) reads right-aligned; one of names, left.
  const numeric = columns.map((_, i) => rows.some((r) => typeof r[i] === 'number') && rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'));
  const cls = (i: number): string => (numeric[i] ? '' : ' class="text"');
  const head = columns.map((c, i) => `<th${cls(i)}>${esc(c)}</th>`).join('');
  const body = rows.map((row) => `<tr>${columns.map((_, i) => `<td${cls(i)}>${esc(resultCellText(row[i] ?? null))}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table class="result" data-table="${esc(name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The result section; `charts` is the declared charts' figures, already rendered. */
export function resultHtml(result: StoredResult, charts: string): string {
  const parts = [`<section id="result">`, `<h2>Result</h2>`, resultTableHtml('result', result.columns, result.rows)];
  if (result.notes.length > 0) parts.push(`<ul class="notes result-notes">${result.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  for (const t of result.tables) parts.push(`<h3>${esc(t.title)}</h3>`, resultTableHtml(t.name, t.columns, t.rows));
  if (charts) parts.push(charts);
  parts.push('</section>');
  return parts.join('\n');
}
