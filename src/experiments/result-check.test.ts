import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from './define.ts';
import { resultProblems } from './result-check.ts';

const base: ExperimentResult = {
  columns: ['memory MB', 'cost', 'label'],
  rows: [
    [128, 0.5, 'a'],
    [256, null, 'b'],
  ],
  tables: [{ name: 'long', title: 'long', columns: ['x', 'y', 'kind'], rows: [[1, 2, 'k']] }],
};

describe('resultProblems', () => {
  it('passes charts whose tables and columns exist, with numbers (or null gaps) on their scales', () => {
    const result = { ...base, charts: [{ title: 'c', mark: 'line', x: { column: 'memory MB' }, y: { column: 'cost' } }, { title: 'd', table: 'long', mark: 'bar', x: { column: 'kind', type: 'nominal' }, y: { column: 'y' }, series: 'kind' }] } satisfies ExperimentResult;
    expect(resultProblems(result)).toEqual([]);
  });

  it('names the chart, the table and the column that would not draw', () => {
    const result: ExperimentResult = {
      ...base,
      rows: [...base.rows, [512, 1]],
      charts: [
        { title: 'missing table', table: 'nope', mark: 'line', x: { column: 'x' }, y: { column: 'y' } },
        { title: 'missing column', mark: 'line', x: { column: 'memory' }, y: { column: 'cost' } },
        { title: 'text on a scale', mark: 'line', x: { column: 'memory MB' }, y: { column: 'label' } },
        { title: 'log of nothing', table: 'long', mark: 'point', x: { column: 'x', scale: 'log' }, y: { column: 'y' }, series: 'colour' },
      ],
    };
    expect(resultProblems(result)).toEqual([
      'the main table: row 3 has 2 cells for 3 columns',
      'chart "missing table": no table "nope" in the result',
      'chart "missing column" x: no column "memory" in the main table (columns: memory MB, cost, label)',
      'chart "text on a scale" y: column "label" of the main table, row 1: expected a number or null, got "a"',
      'chart "log of nothing" series: no column "colour" in table "long" (columns: x, y, kind)',
    ]);
    expect(resultProblems({ ...base, charts: [{ title: 'log', table: 'long', mark: 'line', x: { column: 'x', scale: 'log' }, y: { column: 'y' } }], tables: [{ name: 'long', title: 'l', columns: ['x', 'y'], rows: [[0, 1]] }] })).toEqual([
      'chart "log" x: column "x" of table "long", row 1: expected a positive number or null, got 0',
    ]);
  });
});
