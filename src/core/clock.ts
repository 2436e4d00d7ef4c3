/**
 * The hi-res wall clock every timestamp in a record comes from: epoch microseconds as
 * `performance.timeOrigin + performance.now()`, monotonic within a process (unlike Date.now, which
 * NTP may step) and comparable across processes on one host to the precision of timeOrigin.
 */
import { performance } from 'node:perf_hooks';

/** Epoch µs as a float; 2026's values (~1.8e15) are exact in a double well below 2^53. */
export function epochMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** Monotonic ms since this process started, for durations. */
export function monotonicMs(): number {
  return performance.now();
}
