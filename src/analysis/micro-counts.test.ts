import { describe, expect, it } from 'vitest';
import { epochMicros } from '../core/clock.ts';
import { COUNTED_BELOW_US, MicroCounts, PAGE_BUDGET_FLOOR } from './micro-counts.ts';

describe('MicroCounts', () => {
  it('counts whole quarter µs (in ms) and gives each value back as the same double, ascending, with its count', () => {
    const counts = new MicroCounts();
    for (const v of [1.234, 0.001, 1.234, 0, 4.096, 4.095, 1.234, 0.00025, 1.23475, 16_777.21575]) expect(counts.tryAdd(v)).toBe(true);
    expect(counts.count).toBe(10);
    expect([...counts.ascending()]).toEqual([
      [0, 1],
      [0.00025, 1],
      [0.001, 1],
      [1.234, 3],
      [1.23475, 1],
      [4.095, 1],
      [4.096, 1],
      [16_777.21575, 1],
    ]);
  });

  it("counts every latency the clock gives: a difference of two epoch µs over 1000, as the invoker's records take it", () => {
    const counts = new MicroCounts();
    const gaps: number[] = [];
    let last = epochMicros();
    for (let i = 0; i < 500; i++) {
      const now = epochMicros();
      gaps.push((now - last) / 1000);
      last = now;
    }
    for (const g of gaps) expect(counts.tryAdd(g)).toBe(true);
    expect([...counts.ascending()].flatMap(([ms, times]) => Array<number>(times).fill(ms))).toEqual([...gaps].sort((a, b) => a - b));
  });

  it('refuses what is not a whole quarter µs in [0, 16.8 s), counting nothing for it', () => {
    const counts = new MicroCounts();
    for (const v of [1.23456, 0.0001, -0.001, -0, COUNTED_BELOW_US / 1000, 1e9, 0.0005 / 4]) expect(counts.tryAdd(v)).toBe(false);
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

  it('makes a page for a value only while its pages cost at most the floor plus 4 bytes a counted value', () => {
    const counts = new MicroCounts();
    const pageBytes = 4096 * 4;
    const floorPages = PAGE_BUDGET_FLOOR / pageBytes;
    // A page holds 4,096 quarter µs: 1.024 ms.
    const pageMs = (p: number): number => (p * 4096) / 4000;
    // One value in each 1.024 ms page: the first floorPages get pages, the next is refused.
    for (let p = 0; p < floorPages; p++) expect(counts.tryAdd(pageMs(p))).toBe(true);
    expect(counts.tryAdd(pageMs(floorPages))).toBe(false);
    // Values in pages already made are always counted; 4,096 more of them pay for one more page.
    for (let i = 0; i < 4096; i++) expect(counts.tryAdd(0.001)).toBe(true);
    expect(counts.tryAdd(pageMs(floorPages))).toBe(true);
    expect(counts.tryAdd(pageMs(floorPages + 1))).toBe(false);
    expect(counts.count).toBe(floorPages + 4096 + 1);
  });
});
