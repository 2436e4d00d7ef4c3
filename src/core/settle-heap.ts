/**
 * A full garbage collection before a timed run. Start-up (loading every command's modules) and
 * whatever ran before leave tens of MB of young garbage; collected in the run's first seconds it
 * paused the invoker for 5-12 ms at a time, which is what a load run's p99 lateness then measured.
 * Load generators settle the heap before measuring for the same reason.
 *
 * Called by whoever starts a timed load, before its schedule is fixed (the collection takes tens of
 * ms on a large heap), and not for a single call, which would only wait for it; and by threads
 * off the send path that keep their heaps small (the store writer's heap-keeper.ts). It collects
 * the calling thread's heap only: each thread has its own.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

export function settleHeap(): void {
  collect ??= gcFunction() ?? (() => undefined);
  collect();
}

/** Attempts at finding gc(): another thread can put the process-wide flag back between our two steps. */
const GC_ATTEMPTS = 5;

/**
 * gc() from a new context created while --expose-gc is on; the flag is put back afterwards. V8's
 * flags are the process's, not the thread's: with shard threads settling at once, one thread's
 * --no-expose-gc could land before another's context and leave it without gc (a run failed with
 * "gc is not defined"), so a miss is tried again, and a heap that cannot be settled is left as is.
 */
function gcFunction(): (() => void) | undefined {
  for (let attempt = 0; attempt < GC_ATTEMPTS; attempt++) {
    setFlagsFromString('--expose-gc');
    const found = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
    setFlagsFromString('--no-expose-gc');
    if (found) return found;
  }
  return undefined;
}
