/**
 * The Vega-Lite spec of a chart an experiment declares (ResultChart), drawn from its own result
 * table: the one builder behind the HTML report's and the dashboard's answer charts, so both draw
 * the same chart from the same stored row. Rows become {x, y, series} values: column names carry
 * spaces, dots and brackets, which Vega-Lite would read as nested field paths.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultAxis, ResultCell, ResultChart, ResultTable } from '../experiments/define.ts';
import { resultProblems } from '../experiments/result-check.ts';
import { decadeDomain, logTicks } from './log-axis.ts';
import { chartTable, type StoredResult } from './result-data.ts';
import { FUNCTION_COLOURS } from './run-charts.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 640;
const HEIGHT = 320;

type Table = Pick<ResultTable, 'columns' | 'rows'>;

interface Value {
  readonly x: ResultCell;
  readonly y: ResultCell;
  readonly series?: ResultCell;
}

/** The values a chart draws: one per row, cells read by column (a missing cell reads as null). */
export function resultChartValues(chart: ResultChart, table: Table): Value[] {
  const at = (column: string): number => table.columns.indexOf(column);
  const [x, y, s] = [at(chart.x.column), at(chart.y.column), chart.series === undefined ? -1 : at(chart.series)];
  return table.rows.map((row) => ({ x: row[x] ?? null, y: row[y] ?? null, ...(s >= 0 ? { series: row[s] ?? null } : {}) }));
}

function axisEncoding(axis: ResultAxis, field: 'x' | 'y', values: readonly Value[]) {
  const type = axis.type ?? 'quantitative';
  const title = axis.title ?? axis.column;
  if (type !== 'quantitative') {
    // Ordinal sizes sort by value; nominal names keep the table's order (the experiment chose it).
    return { field, type, title, sort: type === 'ordinal' ? ('ascending' as const) : null, axis: { labelAngle: 0, labelLimit: 0 } };
  }
  if (axis.scale !== 'log') return { field, type, title };
  const positive = values.map((v) => v[field]).filter((c): c is number => typeof c === 'number' && c > 0);
  // Whole decades, labelled 1-2-5, as every other log axis of the report.
  const domain = positive.length ? decadeDomain(Math.min(...positive), Math.max(...positive)) : ([1, 10] as [number, number]);
  return { field, type, title: `${title} (log scale)`, scale: { type: 'log' as const, domain, nice: false }, axis: { values: logTicks(domain[0], domain[1]), format: ',~g' } };
}

/** The spec of one declared chart over its table (chartTable picks it from a result). */
export function resultChartSpec(chart: ResultChart, table: Table, subtitle?: string): TopLevelSpec {
  const values = resultChartValues(chart, table);
  const x = axisEncoding(chart.x, 'x', values);
  const y = axisEncoding(chart.y, 'y', values);
  const series = chart.series === undefined ? [] : [...new Set(values.map((v) => String(v.series)))];
  const colour =
    chart.series === undefined
      ? {}
      : {
          color: {
            field: 'series',
            type: 'nominal' as const,
            // The table's order, with the palette every other chart uses; labels never cut short.
            scale: { domain: series, range: series.map((_, i) => FUNCTION_COLOURS[i % FUNCTION_COLOURS.length]!) },
            legend: { title: chart.series, orient: 'top' as const, direction: 'horizontal' as const, labelLimit: 0 },
          },
        };
  // Bars of several series at one x stand side by side: each is a value of its own, not a part of a sum.
  const sideBySide = chart.mark === 'bar' && chart.series !== undefined && x.type !== 'quantitative' ? { xOffset: { field: 'series', type: 'nominal' as const, sort: series } } : {};
  // A bar on a log axis has no zero to stand on: it rises from the axis' lowest decade.
  const logBase = chart.mark === 'bar' && 'scale' in y && y.scale ? { y2: { datum: y.scale.domain[0] } } : {};
  const mark =
    chart.mark === 'line'
      ? { type: 'line' as const, point: { filled: true, size: 50 }, strokeWidth: 2 }
      : chart.mark === 'point'
        ? { type: 'point' as const, filled: true, size: 60 }
        : { type: 'bar' as const };
  return {
    $schema: SCHEMA,
    title: subtitle ? { text: chart.title, subtitle } : { text: chart.title },
    width: WIDTH,
    height: HEIGHT,
    // JSON strings for the values: a series cell that is a number or boolean still names a colour.
    data: { values: values.map((v) => (chart.series === undefined ? { x: v.x, y: v.y } : { ...v, series: String(v.series) })) },
    mark,
    encoding: { x, y, ...logBase, ...colour, ...sideBySide },
  } as TopLevelSpec;
}

export interface ResultChartEntry {
  /** File name stem: result-1-cost-per-memory-size. */
  readonly name: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

/** A file-name stem from a title: lower case, words joined by `-`, cut at a word to 48 characters. */
function slug(text: string): string {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  let stem = '';
  for (const word of words) {
    const next = stem === '' ? word : `${stem}-${word}`;
    if (next.length > 48) break;
    stem = next;
  }
  return stem || words[0]?.slice(0, 48) || 'chart';
}

/**
 * Every declared chart of a result that can be drawn, in declared order, and a note for each that
 * cannot (what result-check.ts says it lacks): a user's chart naming a missing column is left out, not fatal.
 */
export function resultCharts(result: StoredResult): { charts: ResultChartEntry[]; notes: string[] } {
  const charts: ResultChartEntry[] = [];
  const notes: string[] = [];
  for (const [i, chart] of result.charts.entries()) {
    const table = chartTable(result, chart);
    const problems = resultProblems({ columns: result.columns, rows: result.rows, tables: result.tables, charts: [chart] }).filter((p) => p.startsWith('chart "'));
    if (!table || problems.length > 0) {
      notes.push(`The result's chart "${chart.title}" is left out: ${problems.join('; ') || `no table "${chart.table}"`}.`);
      continue;
    }
    const title = chart.table === undefined ? undefined : result.tables.find((t) => t.name === chart.table)?.title;
    charts.push({ name: `result-${i + 1}-${slug(chart.title)}`, title: chart.title, spec: resultChartSpec(chart, table, title) });
  }
  return { charts, notes };
}
