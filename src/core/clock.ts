/**
 * The hi-res wall clock every timestamp in a record comes from: epoch microseconds, monotonic
 * within a process (unlike Date.now, which NTP may step) and comparable across processes on one
 * host (the invoker, the platform, the instances) to within microseconds.
 *
 * Not `performance.timeOrigin + performance.now()`: Node samples the wall clock for timeOrigin at
 * another point of its start-up than its monotonic origin, so two processes disagree by up to about
 * a millisecond, enough to put a nested call's start before its parent's. The anchor here is taken
 * right at a tick of Date.now() (a spin of at most 1 ms, once per process).
 */
import { performance } from 'node:perf_hooks';

const anchor = ((): { wallMs: number; monotonicMs: number } => {
  const first = Date.now();
  let wallMs = Date.now();
  while (wallMs === first) wallMs = Date.now();
  return { wallMs, monotonicMs: performance.now() };
})();

/** Epoch µs as a float; 2026's values (~1.8e15) are exact in a double well below 2^53. */
export function epochMicros(): number {
  return (anchor.wallMs + (performance.now() - anchor.monotonicMs)) * 1000;
}

/** Monotonic ms since this process started, for durations. */
export function monotonicMs(): number {
  return performance.now();
}
