import { describe, expect, it } from 'vitest';
import { COUNTED_BELOW_US, MicroCounts } from './micro-counts.ts';

describe('MicroCounts', () => {
  it('counts whole µs (in ms) and gives each value back as the same double, ascending, with its count', () => {
    const counts = new MicroCounts();
    for (const v of [1.234, 0.001, 1.234, 0, 4.096, 4.095, 1.234, 16_777.215]) expect(counts.tryAdd(v)).toBe(true);
    expect(counts.count).toBe(8);
    expect([...counts.ascending()]).toEqual([
      [0, 1],
      [0.001, 1],
      [1.234, 3],
      [4.095, 1],
      [4.096, 1],
      [16_777.215, 1],
    ]);
  });

  it('refuses what is not a whole µs in [0, 16.8 s), counting nothing for it', () => {
    const counts = new MicroCounts();
    for (const v of [1.2345, -0.001, -0, COUNTED_BELOW_US / 1000, 1e9, 0.0005]) expect(counts.tryAdd(v)).toBe(false);
    expect(counts.count).toBe(0);
    expect([...counts.ascending()]).toEqual([]);
  });

  it('forgets every count when cleared', () => {
    const counts = new MicroCounts();
    counts.tryAdd(2);
    counts.tryAdd(9_000);
    counts.clear();
    expect(counts.count).toBe(0);
    expect([...counts.ascending()]).toEqual([]);
    counts.tryAdd(3);
    expect([...counts.ascending()]).toEqual([[3, 1]]);
  });
});
