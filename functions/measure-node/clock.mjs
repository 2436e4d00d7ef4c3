// Wall-clock time in fractional ms, and sleeps that end on time.
import { setTimeout as delay } from 'node:timers/promises';

/**
 * How early the timer hands over to the spin. Timers are only good to about a ms; a longer spin
 * outlasts the scheduler's slice on a busy machine (and a small instance's CPU quota) and gets
 * preempted, which makes it later, not earlier.
 */
const TIMER_MARGIN_MS = 1;

/**
 * Epoch ms with sub-ms resolution. Date.now() has whole ms only, so a monotonic offset is added
 * to one Date.now() sample taken per invocation; sampling again each call keeps it on wall time
 * even if the instance's monotonic clock stood still while it was frozen. It reads at most 1 ms
 * behind the wall clock, never ahead, so sleepTill never wakes early.
 */
export function wallClock() {
  const epoch = Date.now();
  const mono = performance.now();
  return () => epoch + (performance.now() - mono);
}

/** Sleeps `ms` and returns the ms actually slept. */
export async function sleepFor(now, ms) {
  const start = now();
  await delay(ms);
  // libuv's timers run on a millisecond loop clock and can end a fraction of a ms early by this
  // clock: spin out the rest, so a sleep never reports (or lasts) less than was asked.
  while (now() - start < ms) {
    // spin
  }
  return now() - start;
}

/** Sleeps until epoch ms `target` (a timer, then a spin) and returns the epoch ms it woke at. */
export async function sleepTill(now, target) {
  const lead = target - now() - TIMER_MARGIN_MS;
  if (lead > 0) await delay(lead);
  while (now() < target) {
    // spin: the last ms, where a timer would overshoot
  }
  return now();
}
