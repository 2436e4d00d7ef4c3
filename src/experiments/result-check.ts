/**
 * What keeps a result's charts drawable from its stored rows alone: every table a chart names
 * exists, every column it draws is one of that table's, a quantitative axis holds numbers (or
 * null, a gap), a log axis only positive ones, and every row is as wide as its columns. The
 * built-ins' tests hold them to it; a view may use it to skip a user's chart that would not draw.
 */
import type { ExperimentResult, ResultAxis, ResultCell, ResultChart } from './define.ts';

interface Drawn {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<ResultCell>>;
}

/** Each problem as a sentence naming the chart, table and column; empty when every chart draws. */
export function resultProblems(result: ExperimentResult): string[] {
  const main: Drawn = { name: 'the main table', columns: result.columns, rows: result.rows };
  const tables = [main, ...(result.tables ?? []).map((t) => ({ ...t, name: `table "${t.name}"` }))];
  const problems = tables.flatMap(widthProblems);
  const names = (result.tables ?? []).map((t) => t.name);
  for (const name of new Set(names)) if (names.filter((n) => n === name).length > 1) problems.push(`table "${name}" is declared twice`);
  for (const chart of result.charts ?? []) problems.push(...chartProblems(chart, chart.table === undefined ? main : tables.find((t) => t.name === `table "${chart.table}"`)));
  return problems;
}

function widthProblems(table: Drawn): string[] {
  return table.rows.flatMap((row, i) => (row.length === table.columns.length ? [] : [`${table.name}: row ${i + 1} has ${row.length} cells for ${table.columns.length} columns`]));
}

function chartProblems(chart: ResultChart, table: Drawn | undefined): string[] {
  const where = `chart "${chart.title}"`;
  if (!table) return [`${where}: no table "${chart.table}" in the result`];
  const axes: Array<[string, ResultAxis]> = [
    ['x', chart.x],
    ['y', chart.y],
    ...(chart.series === undefined ? [] : [['series', { column: chart.series, type: 'nominal' }] as [string, ResultAxis]]),
  ];
  return axes.flatMap(([role, axis]) => axisProblems(`${where} ${role}`, axis, table));
}

function axisProblems(where: string, axis: ResultAxis, table: Drawn): string[] {
  const index = table.columns.indexOf(axis.column);
  if (index < 0) return [`${where}: no column "${axis.column}" in ${table.name} (columns: ${table.columns.join(', ')})`];
  if ((axis.type ?? 'quantitative') !== 'quantitative') return [];
  const cells = table.rows.map((row) => row[index]);
  const bad = cells.findIndex((cell) => !(cell === null || (typeof cell === 'number' && Number.isFinite(cell) && (axis.scale !== 'log' || cell > 0))));
  if (bad < 0) return [];
  const expected = axis.scale === 'log' ? 'a positive number' : 'a number';
  return [`${where}: column "${axis.column}" of ${table.name}, row ${bad + 1}: expected ${expected} or null, got ${JSON.stringify(cells[bad])}`];
}
