/**
 * How far V8 lets the old generation grow past what its last full collection kept before it
 * collects it again, while a load runs. V8's own factor, chosen for throughput, let the sending
 * thread's old generation reach about twice its live size at 10,000 calls/s: the few call objects
 * a second that outlive two young collections (undici's timers, a response's header strings)
 * piled up for a minute before V8 collected them. At 30% V8 collects them every 10-20 s,
 * incrementally and concurrently, with a final pause of about 3 ms (`--trace-gc`): peak RSS of
 * the CLI over 60 s at 10,000/s 156-157 MB against 165-168 MB, with the same lateness.
 *
 * The setting is V8's and the process's (every thread's heap follows it from its next full
 * collection on), so it is held only while a load runs, set before the run collects its heap
 * (settle-heap.ts) so that the limit that collection leaves already follows it, and V8's own
 * factor is given back when the last load of the thread ends: a process that embeds the invoker
 * (or a test runner's worker) keeps its own heap policy the rest of the time.
 */
import { setFlagsFromString } from 'node:v8';

export const OLD_GENERATION_GROWTH_PERCENT = 30;

/** Loads of this thread holding the setting. */
let holders = 0;

/** Holds the growth at OLD_GENERATION_GROWTH_PERCENT until the returned release is called (once). */
export function keepOldGenerationNearLive(): () => void {
  if (holders++ === 0) setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // 0 is V8's default: its own factor, from the collector's speed and the heap's use.
    if (--holders === 0) setFlagsFromString('--heap-growing-percent=0');
  };
}
