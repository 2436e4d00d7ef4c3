/**
 * Waiting until an absolute time with sub-millisecond accuracy. setTimeout fires up to ~2 ms early
 * or late, so it only gets close; the last stretch yields with setImmediate (so responses keep
 * being read) and, for the final ~100 µs, spins on the clock.
 */
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import { epochMicros } from '../core/clock.ts';

/** How far before the target the coarse timer hands over to the fine loop. */
const TIMER_MARGIN_US = 2000;
/** Below this, yielding to I/O could overshoot; spin instead. */
const SPIN_US = 100;

export async function waitUntil(targetUs: number, signal?: AbortSignal): Promise<void> {
  let remaining = targetUs - epochMicros();
  if (remaining > TIMER_MARGIN_US) {
    await sleep((remaining - TIMER_MARGIN_US) / 1000, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
  while ((remaining = targetUs - epochMicros()) > SPIN_US) {
    if (signal?.aborted) return;
    await yieldToIo();
  }
  while (epochMicros() < targetUs) {
    /* spin: the last ~100 µs */
  }
}
