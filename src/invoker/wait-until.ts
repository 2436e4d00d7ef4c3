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
/**
 * At high rates every call is due within SPIN_US of the last, so the loop would only spin and
 * never let responses be read: it yields to I/O at least this often whatever the schedule.
 */
const MAX_BUSY_US = 500;
let lastYieldUs = 0;

export async function waitUntil(targetUs: number, signal?: AbortSignal): Promise<void> {
  if (epochMicros() - lastYieldUs > MAX_BUSY_US) await yieldUntil(0, signal);
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

/**
 * Whether the loop may send a call planned at targetUs without waiting: the time has come (or is
 * within the final spin) and the loop has not gone without reading I/O for longer than
 * MAX_BUSY_US. A send loop checks this before each call so it awaits only when it must sleep.
 */
export function dueWithoutYield(targetUs: number, nowUs: number): boolean {
  return targetUs - nowUs <= SPIN_US && nowUs - lastYieldUs <= MAX_BUSY_US;
}

/** The final stretch of a wait, when dueWithoutYield said it needs no turn of the event loop. */
export function spinUntil(targetUs: number): void {
  while (epochMicros() < targetUs) {
    /* spin: at most SPIN_US */
  }
}

/** Turns of the event loop (each reads what I/O is ready) until untilUs; at least one. */
function yieldUntil(untilUs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const turn = (): void => {
      lastYieldUs = epochMicros();
      if (lastYieldUs >= untilUs || signal?.aborted) resolve();
      else setImmediate(turn);
    };
    setImmediate(turn);
  });
}
