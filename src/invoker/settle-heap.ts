/**
 * A full garbage collection before a timed run. Start-up (loading every command's modules) and
 * whatever ran before leave tens of MB of young garbage; collected in the run's first seconds it
 * paused the invoker for 5-12 ms at a time, which is what a load run's p99 lateness then measured.
 * Load generators settle the heap before measuring for the same reason.
 *
 * Called by whoever starts a timed load, before its schedule is fixed (the collection takes tens of
 * ms on a large heap), and not for a single call, which would only wait for it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

export function settleHeap(): void {
  if (collect === undefined) {
    // --expose-gc at run time puts gc() on new contexts only; the flag is put back afterwards.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
  }
  collect();
}
