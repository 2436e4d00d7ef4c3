// The notes a user reads about odd percentile rows: which rows, by line, and what was done with them.
import { describe, expect, it } from 'vitest';
import { RowQuirks } from './row-quirks.ts';

const NON_MONOTONE = 'row(s) whose percentiles decrease or are negative';

describe('RowQuirks', () => {
  it('says nothing about rows whose percentiles rise or stay level', () => {
    const quirks = new RowQuirks('durations.csv');
    quirks.check(2, [1, 2, 5, 8, 10, 15, 20], 10);
    quirks.check(3, [7, 7, 7, 7, 7, 7, 7], 7);
    expect(quirks.notes()).toEqual([]);
  });

  it('reports a percentile lower than the one before it, anywhere in the row, with its line', () => {
    const quirks = new RowQuirks('durations.csv');
    quirks.check(2, [1, 2, 5, 8, 10, 15, 20], 10);
    quirks.check(3, [1, 2, 9, 8, 10, 15, 20], 10);
    quirks.check(4, [1, 2, 5, 8, 10, 15, 14], 10);
    expect(quirks.notes()).toEqual([`durations.csv: 2 ${NON_MONOTONE} (lines 3, 4); kept as written`]);
  });

  it('reports a negative percentile, even a first one that nothing precedes', () => {
    const quirks = new RowQuirks('memory.csv');
    quirks.check(6, [-1, 40, 45, 50, 55, 60, 65, 70], 55);
    expect(quirks.notes()).toEqual([`memory.csv: 1 ${NON_MONOTONE} (line 6); kept as written`]);
  });

  it('reports a row with a zero 75th percentile that also decreases under both notes', () => {
    const quirks = new RowQuirks('durations.csv');
    quirks.check(5, [3, 0, 0, 0, 0, 0, 0], 0);
    expect(quirks.notes()).toEqual([
      'durations.csv: 1 row(s) with a 75th percentile of 0 (line 5); kept: mapping treats 0 as the smallest measurable value',
      `durations.csv: 1 ${NON_MONOTONE} (line 5); kept as written`,
    ]);
  });

  it('names the first 8 lines and counts the rest', () => {
    const eight = new RowQuirks('durations.csv');
    for (let line = 2; line < 10; line++) eight.check(line, [2, 1], 1);
    expect(eight.notes()).toEqual([`durations.csv: 8 ${NON_MONOTONE} (lines 2, 3, 4, 5, 6, 7, 8, 9); kept as written`]);
    const eleven = new RowQuirks('durations.csv');
    for (let line = 2; line < 13; line++) eleven.check(line, [2, 1], 1);
    expect(eleven.notes()).toEqual([`durations.csv: 11 ${NON_MONOTONE} (lines 2, 3, 4, 5, 6, 7, 8, 9, and 3 more); kept as written`]);
  });
});
