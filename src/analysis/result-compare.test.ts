// Two experiments' stored result tables compared: which columns key a row, what each cell's change is.
import { describe, expect, it } from 'vitest';
import { compareResults, compareTables, keyColumns, resultTables, type StoredTable } from './result-compare.ts';

const table = (columns: string[], rows: (string | number | boolean | null)[][], name = 'result'): StoredTable => ({ name, title: name, columns, rows });

describe('resultTables', () => {
  it('reads the main table and each further table of a stored result', () => {
    const stored = { columns: ['x', 'y'], rows: [[1, 'a']], notes: ['n'], tables: [{ name: 'probes', title: 'Probes', columns: ['gap s'], rows: [[1], [2]] }] };
    expect(resultTables(stored)).toEqual([table(['x', 'y'], [[1, 'a']]), { name: 'probes', title: 'Probes', columns: ['gap s'], rows: [[1], [2]] }]);
  });

  it('is null for a row that holds no table, and skips a further table that is not one', () => {
    expect(resultTables(null)).toBeNull();
    expect(resultTables({ columns: ['x'], rows: [[{ nested: 1 }]] })).toBeNull();
    expect(resultTables({ rows: [] })).toBeNull();
    expect(resultTables({ columns: ['x'], rows: [], tables: [{ name: 'bad', columns: 'x', rows: [] }, 3] })).toEqual([table(['x'], [])]);
  });
});

describe('keyColumns', () => {
  it('is the first column when every column holds numbers (a memory sweep)', () => {
    const sweep = table(['memory MB', 'avg billed ms'], [[128, 315.57], [256, 160.2]]);
    expect(keyColumns(sweep, sweep)).toEqual(['memory MB']);
  });

  it('is the leading columns without numbers (a trace replay: function and proxy)', () => {
    const replay = table(['function', 'proxy', 'trace calls'], [['f1', 'lab', 10], ['f2', 'lab', 20]]);
    expect(keyColumns(replay, replay)).toEqual(['function', 'proxy']);
  });

  it('takes in the next columns until each row has its own key (cold-start: runtime x memory x start)', () => {
    const cold = table(['runtime', 'memory MB', 'start', 'cold p50 ms'], [['nodejs', 128, 'on-demand', 120], ['nodejs', 128, 'provisioned', 3], ['nodejs', 256, 'on-demand', 90]]);
    expect(keyColumns(cold, cold)).toEqual(['runtime', 'memory MB', 'start']);
  });

  it('uses only the columns both tables have', () => {
    expect(keyColumns(table(['run', 'n', 'v'], [['x', 1, 2]]), table(['n', 'v'], [[1, 3]]))).toEqual(['n']);
  });
});

describe('compareTables', () => {
  it('gives each shared cell A, B, B - A and the change in percent of A, rows matched by key in any order', () => {
    const a = table(['memory MB', 'avg billed ms', 'errors', 'note'], [[128, 200, 0, 'ok'], [256, 100, 2, 'ok'], [512, 50, 0, 'ok']]);
    const b = table(['memory MB', 'avg billed ms', 'errors', 'note'], [[256, 110, 0, 'slow'], [128, 150, 3, 'ok'], [1024, 20, 0, 'ok']]);
    expect(compareTables(a, b)).toEqual({
      name: 'result',
      title: 'result',
      keyColumns: ['memory MB'],
      rows: [
        {
          key: [128],
          cells: [
            { column: 'avg billed ms', a: 200, b: 150, change: -50, percent: -25 },
            { column: 'errors', a: 0, b: 3, change: 3, percent: null },
            { column: 'note', a: 'ok', b: 'ok', change: null, percent: null },
          ],
        },
        {
          key: [256],
          cells: [
            { column: 'avg billed ms', a: 100, b: 110, change: 10, percent: 10 },
            { column: 'errors', a: 2, b: 0, change: -2, percent: -100 },
            { column: 'note', a: 'ok', b: 'slow', change: null, percent: null },
          ],
        },
      ],
      onlyInA: [[512]],
      onlyInB: [[1024]],
      columnsOnlyInA: [],
      columnsOnlyInB: [],
    });
  });

  it('a change of a negative figure is in percent of its size; 0 to 0 is 0%', () => {
    const t = compareTables(table(['k', 'v', 'w'], [['x', -4, 0]]), table(['k', 'v', 'w'], [['x', -2, 0]]));
    expect(t.rows[0]!.cells).toEqual([
      { column: 'v', a: -4, b: -2, change: 2, percent: 50 },
      { column: 'w', a: 0, b: 0, change: 0, percent: 0 },
    ]);
  });

  it('names the columns one table has and the other lacks, and compares the rest', () => {
    const t = compareTables(table(['k', 'old', 'v'], [['x', 1, 2]]), table(['k', 'v', 'new'], [['x', 3, 4]]));
    expect([t.columnsOnlyInA, t.columnsOnlyInB]).toEqual([['old'], ['new']]);
    expect(t.rows).toEqual([{ key: ['x'], cells: [{ column: 'v', a: 2, b: 3, change: 1, percent: 50 }] }]);
  });
});

describe('compareResults', () => {
  it('pairs tables by name and lists the ones only one result has', () => {
    const a = [table(['k', 'v'], [['x', 1]]), table(['gap s', 'cold'], [[1, true]], 'probes'), table(['n'], [], 'old')];
    const b = [table(['k', 'v'], [['x', 2]]), table(['gap s', 'cold'], [[1, false]], 'probes'), table(['n'], [], 'new')];
    const r = compareResults(a, b);
    expect(r.tables.map((t) => t.name)).toEqual(['result', 'probes']);
    expect(r.tables[1]!.rows).toEqual([{ key: [1], cells: [{ column: 'cold', a: true, b: false, change: null, percent: null }] }]);
    expect([r.tablesOnlyInA, r.tablesOnlyInB]).toEqual([['old'], ['new']]);
  });
});
