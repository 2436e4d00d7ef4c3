// The one builder of an experiment's declared charts: exact encodings from the declaration, the
// log axis every other chart uses, series side by side, and charts a stored result cannot draw.
import { describe, expect, it } from 'vitest';
import type { ResultChart } from '../experiments/define.ts';
import { renderChart } from './render.ts';
import { parseStoredResult } from './result-data.ts';
import { resultCharts, resultChartSpec } from './result-charts.ts';

const SWEEP = { columns: ['memory MB', 'avg billed ms', 'USD per 1M calls'], rows: [[128, 40.5, 0.3], [256, 20.25, null]] };
const COLD = {
  columns: ['configuration', 'call', 'p50 ms'],
  rows: [
    ['node/128', 'cold', 310],
    ['node/128', 'warm', 2.5],
    ['py/128', 'cold', 450],
    ['py/128', 'warm', 3],
  ],
};

describe('resultChartSpec', () => {
  it('draws a line over an ordinal x from the table, a column per axis, titles the column names', () => {
    const chart: ResultChart = { title: 'speed per memory size', mark: 'line', x: { column: 'memory MB', type: 'ordinal' }, y: { column: 'avg billed ms' } };
    const spec = resultChartSpec(chart, SWEEP) as unknown as Record<string, unknown>;
    expect(spec.title).toEqual({ text: 'speed per memory size' });
    expect(spec.data).toEqual({ values: [{ x: 128, y: 40.5 }, { x: 256, y: 20.25 }] });
    expect(spec.mark).toEqual({ type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 });
    expect(spec.encoding).toEqual({
      x: { field: 'x', type: 'ordinal', title: 'memory MB', sort: 'ascending', axis: { labelAngle: 0, labelLimit: 0 } },
      y: { field: 'y', type: 'quantitative', title: 'avg billed ms' },
    });
  });

  it('keeps null cells as gaps and names an axis by its title when given', () => {
    const chart: ResultChart = { title: 'cost', mark: 'point', x: { column: 'memory MB' }, y: { column: 'USD per 1M calls', title: 'USD' } };
    const spec = resultChartSpec(chart, SWEEP) as unknown as Record<string, { values?: unknown; y?: unknown }>;
    expect(spec.data!.values).toEqual([{ x: 128, y: 0.3 }, { x: 256, y: null }]);
    expect(spec.encoding!.y).toEqual({ field: 'y', type: 'quantitative', title: 'USD' });
    expect(spec.mark).toEqual({ type: 'point', filled: true, size: 60 });
  });

  it('puts a log axis on whole decades with 1-2-5 ticks, and stands bars on its lowest decade', () => {
    const chart: ResultChart = { title: 'cold vs warm', mark: 'bar', x: { column: 'configuration', type: 'nominal' }, y: { column: 'p50 ms', scale: 'log' }, series: 'call' };
    const spec = resultChartSpec(chart, COLD, 'per runtime') as unknown as Record<string, Record<string, unknown>>;
    expect(spec.title).toEqual({ text: 'cold vs warm', subtitle: 'per runtime' });
    expect(spec.encoding!.y).toEqual({
      field: 'y',
      type: 'quantitative',
      title: 'p50 ms (log scale)',
      scale: { type: 'log', domain: [1, 1000], nice: false },
      axis: { values: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], format: ',~g' },
    });
    expect(spec.encoding!.y2).toEqual({ datum: 1 });
    expect(spec.encoding!.x).toEqual({ field: 'x', type: 'nominal', title: 'configuration', sort: null, axis: { labelAngle: 0, labelLimit: 0 } });
  });

  it('colours one series per value of the series column, in table order, bars side by side', () => {
    const chart: ResultChart = { title: 'cold vs warm', mark: 'bar', x: { column: 'configuration', type: 'nominal' }, y: { column: 'p50 ms' }, series: 'call' };
    const spec = resultChartSpec(chart, COLD) as unknown as Record<string, Record<string, unknown>>;
    expect(spec.data!.values).toEqual([
      { x: 'node/128', y: 310, series: 'cold' },
      { x: 'node/128', y: 2.5, series: 'warm' },
      { x: 'py/128', y: 450, series: 'cold' },
      { x: 'py/128', y: 3, series: 'warm' },
    ]);
    expect(spec.encoding!.color).toEqual({
      field: 'series',
      type: 'nominal',
      scale: { domain: ['cold', 'warm'], range: ['#4c78a8', '#f58518'] },
      legend: { title: 'call', orient: 'top', direction: 'horizontal', labelLimit: 0 },
    });
    expect(spec.encoding!.xOffset).toEqual({ field: 'series', type: 'nominal', sort: ['cold', 'warm'] });
    expect(spec.encoding!.y2).toBeUndefined();
  });

  it('renders every mark with a series and a log axis without warnings, one bar per row', async () => {
    for (const mark of ['line', 'bar', 'point'] as const) {
      const rendered = await renderChart(resultChartSpec({ title: 't', mark, x: { column: 'configuration', type: 'nominal' }, y: { column: 'p50 ms', scale: 'log' }, series: 'call' }, COLD));
      expect(rendered.warnings, mark).toEqual([]);
      if (mark === 'bar') expect(rendered.svg.match(/<path[^>]*aria-roledescription="bar"/g)).toHaveLength(4);
    }
  }, 20_000);
});

describe('resultCharts', () => {
  it('draws the declared charts in order from their tables and leaves out, with a note, one that names no column', () => {
    const stored = parseStoredResult({
      ...SWEEP,
      notes: ['n'],
      tables: [{ name: 'cold', title: 'cold against warm', ...COLD }],
      charts: [
        { title: 'Speed per size!', mark: 'line', x: { column: 'memory MB', type: 'ordinal' }, y: { column: 'avg billed ms' } },
        { title: 'cold', table: 'cold', mark: 'bar', x: { column: 'configuration', type: 'nominal' }, y: { column: 'p50 ms' }, series: 'call' },
        { title: 'broken', mark: 'bar', x: { column: 'nope' }, y: { column: 'avg billed ms' } },
        { title: 'not a chart', mark: 'pie', x: { column: 'memory MB' }, y: { column: 'avg billed ms' } },
      ],
    })!;
    const { charts, notes } = resultCharts(stored);
    expect(charts.map((c) => [c.name, c.title])).toEqual([
      ['result-1-speed-per-size', 'Speed per size!'],
      ['result-2-cold', 'cold'],
    ]);
    expect((charts[1]!.spec as { title: unknown }).title).toEqual({ text: 'cold', subtitle: 'cold against warm' });
    expect(notes).toEqual(['The result\'s chart "broken" is left out: chart "broken" x: no column "nope" in the main table (columns: memory MB, avg billed ms, USD per 1M calls).']);
  });

  it('reads nothing from a row that holds no main table', () => {
    expect(parseStoredResult({ error: 'x' })).toBeNull();
    expect(parseStoredResult({ columns: ['a'], rows: [[{}]] })).toBeNull();
  });
});
