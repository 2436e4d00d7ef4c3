/**
 * Waiting until an absolute time with sub-millisecond accuracy. setTimeout fires up to ~2 ms early
 * or late, so it only gets close; the last stretch yields with setImmediate (so responses keep
 * being read) and, for the final ~100 µs, spins on the clock.
 *
 * The yielding loop runs hundreds of thousands of times a second at high rates, so it is written
 * with callbacks: a promise per turn made the garbage collector run every 15 ms.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { epochMicros } from '../core/clock.ts';

/** How far before the target the coarse timer hands over to the fine loop. */
const TIMER_MARGIN_US = 2000;
/** Below this, yielding to I/O could overshoot; spin instead. */
const SPIN_US = 100;

export async function waitUntil(targetUs: number, signal?: AbortSignal): Promise<void> {
  const remaining = targetUs - epochMicros();
  if (remaining <= 0) return;
  if (remaining > TIMER_MARGIN_US) {
    await sleep((remaining - TIMER_MARGIN_US) / 1000, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
  if (targetUs - epochMicros() > SPIN_US) await yieldUntil(targetUs - SPIN_US, signal);
  while (epochMicros() < targetUs && !signal?.aborted) {
    /* spin: the last ~100 µs */
  }
}

function yieldUntil(untilUs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const turn = (): void => {
      if (epochMicros() >= untilUs || signal?.aborted) resolve();
      else setImmediate(turn);
    };
    setImmediate(turn);
  });
}
