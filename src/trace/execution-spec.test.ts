import { describe, expect, it } from 'vitest';
import type { Prng } from '../core/prng.ts';
import { drawFromPercentiles, memoryPoints } from './execution-spec.ts';
import type { MemoryStats } from './trace-function.ts';

const fixed = (u: number, intPick = 0.5): Prng => ({ next: () => u, int: (min, max) => min + Math.floor(intPick * (max - min + 1)), exponential: () => 1 });

// Duration percentiles 0,1,25,50,75,99,100 -> 10, 20, 30, 40, 80, 100, 200 ms.
const POINTS = [[0, 10], [1, 20], [25, 30], [50, 40], [75, 80], [99, 100], [100, 200]] as const;

describe('drawFromPercentiles', () => {
  it('linear interpolates the inverse CDF between percentile points', () => {
    expect(drawFromPercentiles(POINTS, 'linear', fixed(0.6))).toBeCloseTo(40 + (10 / 25) * 40, 10);
    expect(drawFromPercentiles(POINTS, 'linear', fixed(0.005))).toBeCloseTo(15, 10);
    expect(drawFromPercentiles(POINTS, 'linear', fixed(0.995))).toBeCloseTo(150, 10);
  });

  it('bracket picks the bracket the draw falls in, then a whole number between its ends', () => {
    expect(drawFromPercentiles(POINTS, 'bracket', fixed(0.6, 0))).toBe(40);
    expect(drawFromPercentiles(POINTS, 'bracket', fixed(0.6, 0.999))).toBe(80);
    expect(drawFromPercentiles(POINTS, 'bracket', fixed(0.995, 0.5))).toBe(150);
  });

  it('memory below its 1st percentile is the 1st percentile', () => {
    const memory: MemoryStats = { sampleCount: 1, averageMb: 100, percentilesMb: { 1: 90, 5: 91, 25: 95, 50: 100, 75: 105, 95: 110, 99: 120, 100: 130 } };
    expect(drawFromPercentiles(memoryPoints(memory), 'linear', fixed(0.005))).toBe(90);
  });
});
