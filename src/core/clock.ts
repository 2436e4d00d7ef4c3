/**
 * The hi-res wall clock every timestamp in a record comes from: epoch microseconds, monotonic
 * within a process (unlike Date.now, which NTP may step) and comparable across processes on one
 * host (the invoker, the platform, the instances) to within microseconds.
 *
 * Not `performance.timeOrigin + performance.now()`: Node samples the wall clock for timeOrigin at
 * another point of its start-up than its monotonic origin, so two processes disagree by up to about
 * a millisecond, enough to put a nested call's start before its parent's. The anchor here is taken
 * at a tick of Date.now(), the narrowest of up to three (a spin of 1-3 ms, once per process), so a
 * preemption while it is taken does not shift the process's clock.
 */
import { performance } from 'node:perf_hooks';

const anchor: { wallMs: number; monotonicMs: number } = (() => {
  // A tick of Date.now() happens between the last read that saw the old value and the first that saw
  // the new one; a preemption between the two widens that window. Keep the narrowest window of up
  // to three ticks (one is enough when it is tight) and anchor at its middle.
  let best = { wallMs: 0, monotonicMs: 0, windowMs: Infinity };
  let prevBefore = performance.now();
  let prevWall = Date.now();
  for (let ticks = 0; ticks < 3 && best.windowMs > 0.05; ) {
    const before = performance.now();
    const wall = Date.now();
    const after = performance.now();
    if (wall !== prevWall) {
      ticks += 1;
      if (wall === prevWall + 1 && after - prevBefore < best.windowMs) best = { wallMs: wall, monotonicMs: (prevBefore + after) / 2, windowMs: after - prevBefore };
    }
    prevBefore = before;
    prevWall = wall;
  }
  // A clock stepping by more than 1 ms at each tick leaves no window: the last read is as good as any.
  return best.windowMs === Infinity ? { wallMs: Date.now(), monotonicMs: performance.now() } : { wallMs: best.wallMs, monotonicMs: best.monotonicMs };
})();

/** Epoch µs as a float; 2026's values (~1.8e15) are exact in a double well below 2^53. */
export function epochMicros(): number {
  return (anchor.wallMs + (performance.now() - anchor.monotonicMs)) * 1000;
}

/** Monotonic ms since this process started, for durations. */
export function monotonicMs(): number {
  return performance.now();
}
