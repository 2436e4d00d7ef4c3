// The accumulator every figure is read from: exact values, one definition, no figure of nothing.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../core/prng.ts';
import { LatencyAccumulator, mergedPercentiles } from './latency-accumulator.ts';

const filled = (values: readonly number[]): LatencyAccumulator => {
  const acc = new LatencyAccumulator();
  for (const v of values) acc.add(v);
  return acc;
};

describe('LatencyAccumulator', () => {
  it('gives exact nearest-rank figures of 1..1,000 in any order', () => {
    const prng = createPrng(3, 'shuffle');
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    for (let i = values.length - 1; i > 0; i--) {
      const j = prng.int(0, i);
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    expect(filled(values).percentiles()).toEqual({ count: 1000, min: 1, p50: 500, p90: 900, p99: 990, p999: 999, max: 1000, mean: 500.5, precision: 'exact' });
  });

  it('has no figures for no values (null, never 0) and every figure the value for one', () => {
    expect(new LatencyAccumulator().percentiles()).toBeNull();
    expect(new LatencyAccumulator().percentile(50)).toBeNull();
    expect(filled([7.25]).percentiles()).toEqual({ count: 1, min: 7.25, p50: 7.25, p90: 7.25, p99: 7.25, p999: 7.25, max: 7.25, mean: 7.25, precision: 'exact' });
  });

  it('never gives a percentile above the max, at any size', () => {
    const prng = createPrng(5, 'sizes');
    for (const n of [1, 2, 3, 10, 99, 100, 101, 999, 1000, 1001, 4097]) {
      const p = filled(Array.from({ length: n }, () => prng.next() * 1000)).percentiles()!;
      expect([p.p50, p.p90, p.p99, p.p999].every((v) => v <= p.max && v >= p.min)).toBe(true);
      expect(p.count).toBe(n);
    }
  });

  it('reads several accumulators together as one holding all their values, the mean to the last bit', () => {
    const prng = createPrng(9, 'parts');
    const values = Array.from({ length: 5000 }, () => prng.exponential(20) + 0.1);
    const parts = Array.from({ length: 7 }, () => new LatencyAccumulator());
    values.forEach((v) => parts[prng.int(0, 6)]!.add(v));
    parts.push(new LatencyAccumulator());
    expect(mergedPercentiles(parts)).toEqual(filled(values).percentiles());
    expect(mergedPercentiles([new LatencyAccumulator()])).toBeNull();
    expect(mergedPercentiles([])).toBeNull();
  });

  it('grows past its first buffer and keeps adding after a figure was read', () => {
    const acc = filled(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(acc.percentile(100)).toBe(100);
    for (let i = 101; i <= 200; i++) acc.add(i);
    expect(acc.percentiles()).toMatchObject({ count: 200, p50: 100, max: 200 });
  });

  it('refuses a value that is not a finite number', () => {
    expect(() => new LatencyAccumulator().add(Number.NaN)).toThrow(/expected a finite number/);
  });
});

describe('LatencyAccumulator with an expected count', () => {
  it('gives the same figures as one without, whether the values fall short of the expectation, meet it or pass it', () => {
    const random = createPrng(7, 'expected');
    const values = Array.from({ length: 5_000 }, () => random.next() * 100);
    for (const expected of [10, 5_000, 20_000]) {
      const sized = new LatencyAccumulator({ expected });
      const plain = new LatencyAccumulator();
      for (const v of values) {
        sized.add(v);
        plain.add(v);
      }
      expect(sized.percentiles()).toEqual(plain.percentiles());
      expect(sized.percentiles()!.count).toBe(5_000);
    }
  });

  it('still turns to the histogram at exactUpTo when more values are expected than it keeps', () => {
    const acc = new LatencyAccumulator({ exactUpTo: 100, expected: 1_000_000 });
    for (let i = 1; i <= 100; i++) acc.add(i);
    expect(acc.precision).toBe('exact');
    acc.add(101);
    expect(acc.precision).toBe('hdr-3-digits');
    expect(acc.percentiles()).toMatchObject({ count: 101, min: 1, max: 101 });
  });
});

describe('LatencyAccumulator with exactUpTo', () => {
  it('stays exact up to the bound, then states the histogram precision and never exceeds the exact max', () => {
    const bounded = new LatencyAccumulator({ exactUpTo: 1000 });
    for (let v = 1; v <= 1000; v++) bounded.add(v);
    expect(bounded.percentiles()).toMatchObject({ count: 1000, p999: 999, max: 1000, precision: 'exact' });
    for (let v = 1001; v <= 2000; v++) bounded.add(v + 0.123);
    const figures = bounded.percentiles()!;
    expect(figures.precision).toBe('hdr-3-digits');
    expect([figures.count, figures.min, figures.max]).toEqual([2000, 1, 2000.123]);
    // Nearest rank 1,000 of 2,000 is 1,000 exactly; the bucket's top is at most 0.1% above it.
    expect(figures.p50).toBeGreaterThanOrEqual(1000);
    expect(figures.p50).toBeLessThanOrEqual(1001);
    expect(figures.p999).toBeLessThanOrEqual(figures.max);
    expect(() => bounded.sorted()).toThrow(/histogram/);
  });
});

describe('LatencyAccumulator counting whole µs', () => {
  const counted = (values: readonly number[], exactUpTo?: number): LatencyAccumulator => {
    const acc = new LatencyAccumulator({ counted: true, ...(exactUpTo === undefined ? {} : { exactUpTo }) });
    for (const v of values) acc.add(v);
    return acc;
  };
  // Whole µs as the invoker measures them (integer µs / 1000), with values it keeps one by one among
  // them: fractions of a µs, 16.8 s and more, negatives.
  const prng = createPrng(21, 'counted');
  const values = [
    ...Array.from({ length: 20_000 }, () => Math.round(prng.exponential(1.5) * 1000) / 1000),
    ...Array.from({ length: 5_000 }, () => Math.round(prng.exponential(1.5) * 4000) / 4000),
    ...Array.from({ length: 300 }, () => prng.next() * 50),
    16_777.216,
    20_000,
    16_777.215,
    -3,
    0,
  ];

  it('gives exactly the figures of one keeping every value: percentiles, min, max, mean to the last bit, count', () => {
    const acc = counted(values);
    const plain = filled(values);
    expect(acc.percentiles()).toEqual(plain.percentiles());
    for (const p of [1, 25, 50, 95, 99.99, 100]) expect(acc.percentile(p)).toBe(plain.percentile(p));
    expect(acc.count).toBe(values.length);
  });

  it('writes its values out ascending when asked for them, and goes on counting after', () => {
    const acc = counted(values);
    expect([...acc.sorted()]).toEqual([...filled(values).sorted()]);
    const more = [0.5, 1.25, 17_000, 0.001];
    for (const v of more) acc.add(v);
    expect(acc.percentiles()).toEqual(filled([...values, ...more]).percentiles());
    expect(mergedPercentiles([acc, counted([2, 3.5])])).toEqual(filled([...values, ...more, 2, 3.5]).percentiles());
  });

  it('bounds only the values it keeps one by one: counted ones never turn it to the histogram', () => {
    const whole = Array.from({ length: 5000 }, (_, i) => (i % 700) / 1000);
    const acc = counted(whole, 10);
    expect(acc.precision).toBe('exact');
    expect(acc.percentiles()).toEqual(filled(whole).percentiles());
    const slow = Array.from({ length: 11 }, (_, i) => 20_000 + i);
    for (const v of slow) acc.add(v);
    expect(acc.precision).toBe('hdr-3-digits');
    const figures = acc.percentiles()!;
    expect(figures.count).toBe(5011);
    // Values written out of the counts by sorted() stay outside the bound too.
    const written = counted(whole, 10);
    expect(written.sorted().length).toBe(5000);
    for (const v of [0.0001, 0.0002, 0.0003]) written.add(v);
    expect(written.precision).toBe('exact');
    expect(written.percentiles()).toEqual(filled([...whole, 0.0001, 0.0002, 0.0003]).percentiles());
    expect([figures.min, figures.max]).toEqual([0, 20_010]);
    const exactP50 = filled([...whole, ...slow]).percentile(50)!;
    expect(figures.p50).toBeGreaterThanOrEqual(exactP50);
    expect(figures.p50).toBeLessThanOrEqual(exactP50 * 1.001);
  });
});
