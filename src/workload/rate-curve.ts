/**
 * Rate curves and the arrival times they imply. A curve is a list of segments, each a linear
 * rate from `fromRate` to `toRate` calls/s (equal ends: a constant rate). Arrival times come from
 * inverting the cumulative rate Λ(t) = ∫₀ᵗ λ, so the number of calls is the curve's area, never a
 * sum of per-segment roundings:
 *
 * - uniform: call k goes out when Λ passes k (k = 0, 1, ... while k < Λ(end)): evenly spaced
 *   at 1/λ within a constant segment, continuing the phase across segment boundaries.
 * - poisson: the same map applied to a unit-rate Poisson process (cumulative Exp(1) draws), which
 *   gives exponential inter-arrival times with mean 1/λ on a constant segment and a
 *   non-homogeneous Poisson process on a ramp (the time-rescaling theorem).
 */
import type { Prng } from '../core/prng.ts';

export interface RateSegment {
  readonly durationUs: number;
  /** Calls/s at the segment's start. */
  readonly fromRate: number;
  /** Calls/s at the segment's end; equal to fromRate for a constant stretch. */
  readonly toRate: number;
}

export const hold = (durationUs: number, rate: number): RateSegment => ({ durationUs, fromRate: rate, toRate: rate });

/** Expected calls in a segment: the area under its rate. */
export const segmentCalls = (s: RateSegment): number => ((s.fromRate + s.toRate) / 2) * (s.durationUs / 1e6);

/** Expected calls over the whole curve, summed in the same order the inverse walks it. */
export function expectedCalls(segments: readonly RateSegment[]): number {
  let total = 0;
  for (const s of segments) total += segmentCalls(s);
  return total;
}

export function curveDurationUs(segments: readonly RateSegment[]): number {
  let total = 0;
  for (const s of segments) total += s.durationUs;
  return total;
}

/**
 * Calls a uniform plan makes for an area of `total`: every integer k with k < total. The slack
 * absorbs float noise in the area (20 segments of 1,200 calls may sum to 23,999.999999996).
 */
export function uniformCount(total: number): number {
  return Math.max(0, Math.ceil(total - 1e-9 * Math.max(1, total)));
}

/** Λ⁻¹ for non-decreasing arguments: walks the segments once however many points it maps. */
export class CumulativeInverse {
  private index = 0;
  private startUs = 0;
  private startCalls = 0;

  constructor(private readonly segments: readonly RateSegment[]) {}

  /** The first time, µs from the curve's start, at which Λ exceeds `calls` (the curve's end if never). */
  timeAt(calls: number): number {
    for (; this.index < this.segments.length; this.index++) {
      const segment = this.segments[this.index]!;
      const area = segmentCalls(segment);
      if (this.startCalls + area > calls) return this.startUs + secondsInto(segment, calls - this.startCalls) * 1e6;
      this.startCalls += area;
      this.startUs += segment.durationUs;
    }
    return this.startUs;
  }
}

/** Seconds into `segment` at which its area reaches `calls` (0 <= calls < its area). */
function secondsInto(segment: RateSegment, calls: number): number {
  if (calls <= 0) return 0;
  const a = segment.fromRate;
  const slope = (segment.toRate - segment.fromRate) / (segment.durationUs / 1e6);
  if (slope === 0) return calls / a;
  // Root of a·s + slope·s²/2 = calls, written so it stays exact when a is 0 and stable when slope is tiny.
  return (2 * calls) / (a + Math.sqrt(Math.max(0, a * a + 2 * slope * calls)));
}

/** Offsets (whole µs) of a uniform plan over the curve. */
export function* uniformOffsets(segments: readonly RateSegment[]): Generator<number> {
  const count = uniformCount(expectedCalls(segments));
  const inverse = new CumulativeInverse(segments);
  for (let k = 0; k < count; k++) yield Math.round(inverse.timeAt(k));
}

/** Offsets (whole µs) of a Poisson plan over the curve, drawn from `prng`. */
export function* poissonOffsets(segments: readonly RateSegment[], prng: Prng): Generator<number> {
  const total = expectedCalls(segments);
  const inverse = new CumulativeInverse(segments);
  for (let calls = prng.exponential(1); calls < total; calls += prng.exponential(1)) yield Math.round(inverse.timeAt(calls));
}
