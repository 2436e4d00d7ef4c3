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
/** Iterations of idle() between two reads of the clock in spinUntil; follows the speed the code runs at (interpreted, optimised). */
let idleCount = 16;
/** Where idle() leaves its sum, so the loop is not optimised away. */
let idleSink = 0;

export async function waitUntil(targetUs: number, signal?: AbortSignal): Promise<void> {
  if (epochMicros() - lastYieldUs > MAX_BUSY_US) await yieldUntil(0, signal);
  const remaining = targetUs - epochMicros();
  if (remaining <= 0) return;
  if (remaining > TIMER_MARGIN_US) {
    await sleep((remaining - TIMER_MARGIN_US) / 1000, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
  if (targetUs - epochMicros() > SPIN_US) await yieldUntil(targetUs - SPIN_US, signal);
  if (!signal?.aborted) spinUntil(targetUs);
}

/**
 * Whether the loop may send a call planned at targetUs without waiting: the time has come (or is
 * within the final spin) and the loop has not gone without reading I/O for longer than
 * MAX_BUSY_US. A send loop checks this before each call so it awaits only when it must sleep.
 */
export function dueWithoutYield(targetUs: number, nowUs: number): boolean {
  return targetUs - nowUs <= SPIN_US && nowUs - lastYieldUs <= MAX_BUSY_US;
}

/**
 * The final stretch of a wait, when dueWithoutYield said it needs no turn of the event loop.
 *
 * Each read of the clock allocates the number it returns (performance.now is a native call), and
 * a spin that read it back to back, some 20 million numbers a second, was a third of everything
 * the sending thread allocated at 10,000 calls/s: a young-generation collection, and its pause,
 * every 40 ms. Between reads the spin counts idly, 1-4 µs' worth, which is also what it may
 * overshoot its target by.
 */
export function spinUntil(targetUs: number): void {
  let before = epochMicros();
  while (before < targetUs) {
    idle(idleCount);
    const now = epochMicros();
    idleCount = nextIdleCount(idleCount, now - before);
    before = now;
  }
}

function idle(iterations: number): void {
  let sum = idleSink;
  for (let i = 0; i < iterations; i++) sum = (sum + i) | 0;
  idleSink = sum;
}

/** A bound the idle count cannot pass. */
export const MAX_IDLE_COUNT = 1 << 16;

/** The idle count after reads `elapsedUs` apart: towards one read every 1-4 µs (a preemption halves it, never doubles it). */
export function nextIdleCount(count: number, elapsedUs: number): number {
  if (elapsedUs < 1) return Math.min(count * 2, MAX_IDLE_COUNT);
  if (elapsedUs > 4) return Math.max(count >> 1, 1);
  return count;
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
