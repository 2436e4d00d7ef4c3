import { describe, expect, it } from 'vitest';
import { createPrng } from '../core/prng.ts';
import { CumulativeInverse, expectedCalls, hold, poissonOffsets, uniformCount, uniformOffsets, type RateSegment } from './rate-curve.ts';

const S = 1e6;

describe('uniform arrivals', () => {
  it('spaces a constant rate evenly from offset 0', () => {
    const offsets = [...uniformOffsets([hold(2 * S, 4)])];
    expect(offsets).toEqual([0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000, 1_500_000, 1_750_000]);
  });

  it('rounds a rate whose spacing is not whole µs to the nearest µs, never drifting', () => {
    const offsets = [...uniformOffsets([hold(10 * S, 3)])];
    expect(offsets).toHaveLength(30);
    offsets.forEach((offset, k) => expect(offset).toBe(Math.round((k * S) / 3)));
  });

  it('places ramp calls where the cumulative rate passes each whole call', () => {
    // 0 -> 100 calls/s over 10 s: Λ(t) = 5 t², 500 calls, call k at sqrt(k / 5) s.
    const offsets = [...uniformOffsets([{ durationUs: 10 * S, fromRate: 0, toRate: 100 }])];
    expect(offsets).toHaveLength(500);
    offsets.forEach((offset, k) => expect(offset).toBe(Math.round(Math.sqrt(k / 5) * S)));
  });

  it('handles a falling ramp: 100 -> 0 over 10 s is 500 calls, ever wider apart', () => {
    const offsets = [...uniformOffsets([{ durationUs: 10 * S, fromRate: 100, toRate: 0 }])];
    expect(offsets).toHaveLength(500);
    // Λ(t) = 100 t - 5 t², so call k is at 10 - sqrt(100 - k/5) s.
    offsets.forEach((offset, k) => expect(Math.abs(offset - (10 - Math.sqrt(100 - k / 5)) * S)).toBeLessThanOrEqual(1));
    expect(offsets[499]! - offsets[498]!).toBeGreaterThan(offsets[1]! - offsets[0]!);
  });

  it('skips stretches at rate 0 and carries the phase across segments', () => {
    const segments: RateSegment[] = [hold(1 * S, 0), hold(1 * S, 2.5), hold(2 * S, 0), hold(1 * S, 2)];
    // 2.5 calls in the second second: k = 0, 1, 2 at 1.0, 1.4, 1.8 s; Λ reaches 2.5 there and
    // 3 at 4.25 s, 4 at 4.75 s.
    expect([...uniformOffsets(segments)]).toEqual([1_000_000, 1_400_000, 1_800_000, 4_250_000, 4_750_000]);
  });

  it('counts every whole call below the area, ignoring float noise in the area', () => {
    expect(uniformCount(10_000)).toBe(10_000);
    expect(uniformCount(23_999.999999996)).toBe(24_000);
    expect(uniformCount(24_000.000000004)).toBe(24_000);
    expect(uniformCount(2.5)).toBe(3);
    expect(uniformCount(0)).toBe(0);
    const twenty = Array.from({ length: 20 }, () => hold(0.1 * S, 3.3));
    expect(expectedCalls(twenty)).toBeCloseTo(6.6, 12);
    expect([...uniformOffsets(twenty)]).toHaveLength(7);
  });

  it('maps the whole area back to the end of the curve', () => {
    const inverse = new CumulativeInverse([hold(1 * S, 10), hold(1 * S, 0)]);
    expect(inverse.timeAt(5)).toBe(500_000);
    expect(inverse.timeAt(10)).toBe(2_000_000);
  });
});

describe('poisson arrivals', () => {
  const constant = [hold(100 * S, 1000)];
  const draw = (seed: number, segments: RateSegment[] = constant) => [...poissonOffsets(segments, createPrng(seed, 'pattern:f'))];

  it('is the same for the same seed and differs for another', () => {
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8).slice(0, 100)).not.toEqual(a.slice(0, 100));
  });

  it('has exponential inter-arrival times with mean 1/rate', () => {
    const offsets = draw(1);
    const gaps = offsets.map((offset, i) => offset - (i === 0 ? 0 : offsets[i - 1]!));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(Math.abs(mean - 1000)).toBeLessThan(15); // ~100,000 gaps: the mean's sd is ~3 µs
    expect(Math.abs(sd / mean - 1)).toBeLessThan(0.02); // exponential: sd = mean (uniform would be 0)
    // P(gap > mean) = 1/e for an exponential.
    expect(Math.abs(gaps.filter((g) => g > 1000).length / gaps.length - Math.exp(-1))).toBeLessThan(0.01);
  });

  it('plans close to rate × duration calls over a long window, inside the window, in order', () => {
    for (const seed of [1, 2, 3]) {
      const offsets = draw(seed);
      expect(Math.abs(offsets.length - 100_000)).toBeLessThan(1_500); // sd ~316
      expect(offsets.every((offset, i) => i === 0 || offset >= offsets[i - 1]!)).toBe(true);
      expect(offsets[0]!).toBeGreaterThanOrEqual(0);
      expect(offsets.at(-1)!).toBeLessThanOrEqual(100 * S);
    }
  });

  it('follows a ramp: the count is near its area and most calls come late', () => {
    const offsets = draw(3, [{ durationUs: 100 * S, fromRate: 0, toRate: 200 }]);
    expect(Math.abs(offsets.length - 10_000)).toBeLessThan(400); // sd 100
    // Λ(t) = t²: the first half of the time holds a quarter of the calls.
    const firstHalf = offsets.filter((o) => o < 50 * S).length / offsets.length;
    expect(Math.abs(firstHalf - 0.25)).toBeLessThan(0.02);
  });
});
