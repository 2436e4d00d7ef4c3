/** Markdown tables whose columns line up in a terminal too, and the number formats they use. */

export type Align = 'left' | 'right';

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const cell = (text: string, c: number): string => (align[c] === 'right' ? text.padStart(widths[c] ?? 0) : text.padEnd(widths[c] ?? 0));
  const line = (cells: readonly string[]): string => `| ${widths.map((_, c) => cell(cells[c] ?? '', c)).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (align[c] === 'right' ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A number with `digits` decimals, or an em dash where there is no value. */
export function fixed(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}
