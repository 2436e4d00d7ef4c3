// Bootstrap CIs against a brute-force reimplementation on fixed data and a fixed seed: same
// draws, sort every resample, pick ranks by hand.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../core/prng.ts';
import { bootstrapDifference, bootstrapQuantiles, Reservoir } from './bootstrap.ts';
import { nearestRank, percentileOfSorted } from './percentile.ts';

// 20 fixed latencies (ms), deliberately unsorted and with ties.
const DATA = [12, 7, 3, 45, 9, 9, 21, 5, 14, 30, 8, 11, 6, 18, 9, 60, 4, 13, 10, 25];
const SORTED = Float64Array.from(DATA).sort();

/** The textbook procedure: resample by index, sort, take the rank; then sort the statistics. */
function bruteForce(values: readonly number[], p: number, B: number, seed: number, key: string, level: number): { lo: number; hi: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const prng = createPrng(seed, key);
  const n = sorted.length;
  const stats: number[] = [];
  for (let b = 0; b < B; b++) {
    const resample: number[] = [];
    for (let i = 0; i < n; i++) resample.push(sorted[prng.int(0, n - 1)]!);
    resample.sort((x, y) => x - y);
    stats.push(resample[Math.ceil((p / 100) * n) - 1]!);
  }
  stats.sort((x, y) => x - y);
  const alpha = (1 - level) / 2;
  return { lo: stats[Math.ceil(alpha * B) - 1]!, hi: stats[Math.ceil((1 - alpha) * B) - 1]! };
}

describe('nearest-rank quantiles', () => {
  it('match values counted by hand', () => {
    // Sorted: 3 4 5 6 7 8 9 9 9 10 11 12 13 14 18 21 25 30 45 60
    expect(percentileOfSorted(SORTED, 50)).toBe(10); // rank 10
    expect(percentileOfSorted(SORTED, 90)).toBe(30); // rank 18
    expect(percentileOfSorted(SORTED, 99)).toBe(60); // rank ceil(19.8) = 20
    expect(percentileOfSorted(SORTED, 5)).toBe(3); // rank 1
    expect(percentileOfSorted(SORTED, 40)).toBe(9); // rank 8
  });

  it('does not skip a rank when p/100 * n lands an ulp above a whole number', () => {
    expect((99.9 / 100) * 1000).toBeGreaterThan(999);
    expect(nearestRank(99.9, 1000)).toBe(999);
    expect(nearestRank(100, 7)).toBe(7);
    expect(() => nearestRank(0, 7)).toThrow(RangeError);
  });
});

describe('bootstrapQuantiles', () => {
  it('equals the brute-force percentile bootstrap for the median and p99, seed 7, B = 500', () => {
    const r = bootstrapQuantiles({ sorted: SORTED }, [50, 99], { resamples: 500, seed: 7, key: 'k', level: 0.95 })!;
    const median = bruteForce(DATA, 50, 500, 7, 'k', 0.95);
    const p99 = bruteForce(DATA, 99, 500, 7, 'k', 0.95);
    expect(r.quantiles[0]).toEqual({ p: 50, estimate: 10, ...median });
    expect(r.quantiles[1]).toEqual({ p: 99, estimate: 60, ...p99 });
    expect([r.sample, r.n, r.scale, r.resamples]).toEqual([20, 20, 1, 500]);
    // The figures themselves, so a change in the PRNG or the procedure shows up here too.
    expect(median).toEqual({ lo: 8, hi: 14 });
    expect(p99).toEqual({ lo: 25, hi: 60 });
  });

  it('gives the same interval for the same seed and another for another seed', () => {
    const a = bootstrapQuantiles({ sorted: SORTED }, [50], { seed: 1, resamples: 200 });
    const b = bootstrapQuantiles({ sorted: SORTED }, [50], { seed: 1, resamples: 200 });
    expect(a).toEqual(b);
    const ps = [50, 90];
    const one = bootstrapQuantiles({ sorted: SORTED }, ps, { seed: 3, resamples: 300, level: 0.9 })!;
    expect(one.quantiles.map((q) => ({ lo: q.lo, hi: q.hi }))).toEqual(ps.map((p) => bruteForce(DATA, p, 300, 3, '', 0.9)));
  });

  it('scales a reservoir\'s deviations by sqrt(m/n) about the full-data estimate', () => {
    const whole = bootstrapQuantiles({ sorted: SORTED }, [50], { seed: 7, resamples: 500, key: 'k' })!.quantiles[0]!;
    const scaled = bootstrapQuantiles({ sorted: SORTED, n: 2000, estimates: [10.5] }, [50], { seed: 7, resamples: 500, key: 'k' })!;
    const s = Math.sqrt(20 / 2000);
    expect(scaled.scale).toBeCloseTo(0.1, 12);
    expect(scaled.quantiles[0]!.estimate).toBe(10.5);
    expect(scaled.quantiles[0]!.lo).toBeCloseTo(10.5 + s * (whole.lo - 10), 12);
    expect(scaled.quantiles[0]!.hi).toBeCloseTo(10.5 + s * (whole.hi - 10), 12);
  });

  it('returns null for an empty sample', () => {
    expect(bootstrapQuantiles({ sorted: [] }, [50])).toBeNull();
  });
});

describe('bootstrapDifference', () => {
  it('pairs independent resamples of a and b, and flags an interval that excludes 0', () => {
    const b = DATA.map((v) => v + 100);
    const sortedB = Float64Array.from(b).sort();
    const r = bootstrapDifference({ sorted: SORTED }, { sorted: sortedB }, [50], { seed: 5, resamples: 400, key: 'd' })!;
    // Brute force: the b-th difference is the b-th resampled median of b minus that of a.
    const stat = (values: Float64Array, prng: ReturnType<typeof createPrng>): number => {
      const n = values.length;
      const drawn = Array.from({ length: n }, () => values[prng.int(0, n - 1)]!).sort((x, y) => x - y);
      return drawn[Math.ceil(0.5 * n) - 1]!;
    };
    const pa = createPrng(5, 'd:a');
    const statsA = Array.from({ length: 400 }, () => stat(SORTED, pa));
    const pb = createPrng(5, 'd:b');
    const statsB = Array.from({ length: 400 }, () => stat(sortedB, pb));
    const d = statsB.map((v, i) => v - statsA[i]!).sort((x, y) => x - y);
    expect(r.differences[0]).toEqual({ p: 50, estimate: 100, lo: d[9]!, hi: d[389]!, significant: true });
  });

  it('does not flag two samples of the same data', () => {
    const r = bootstrapDifference({ sorted: SORTED }, { sorted: SORTED }, [50, 99], { seed: 2, resamples: 400 })!;
    expect(r.differences.map((x) => x.significant)).toEqual([false, false]);
    expect(r.differences.map((x) => x.estimate)).toEqual([0, 0]);
  });
});

describe('Reservoir', () => {
  it('keeps everything up to its capacity, then a seeded uniform sample of the stream', () => {
    const small = new Reservoir(1, 'x', 10);
    for (let i = 0; i < 10; i++) small.add(9 - i);
    expect(Array.from(small.sorted())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const fill = (seed: number): Reservoir => {
      const r = new Reservoir(seed, 'x', 1000);
      for (let i = 0; i < 100_000; i++) r.add(i);
      return r;
    };
    const r = fill(1);
    expect(r.seen).toBe(100_000);
    const kept = r.sorted();
    expect(kept.length).toBe(1000);
    expect(Array.from(fill(1).sorted())).toEqual(Array.from(kept));
    // Uniform: the kept median is near the stream's (binomial sd of its rank ~ 1.6% of the range).
    expect(percentileOfSorted(kept, 50)).toBeGreaterThan(45_000);
    expect(percentileOfSorted(kept, 50)).toBeLessThan(55_000);
  });
});
