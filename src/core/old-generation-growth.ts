/**
 * How far V8 lets the old generation grow past what its last full collection kept before it
 * collects it again. V8's own factor, chosen for throughput, let the sending thread's old
 * generation reach about twice its live size at 10,000 calls/s: the few call objects a second that
 * outlive two young collections (undici's timers, a response's header strings) piled up for a
 * minute before V8 collected them. At 30% V8 collects them every 10-20 s, incrementally and
 * concurrently, with a final pause of about 3 ms (`--trace-gc`): peak RSS of the CLI over 60 s at
 * 10,000/s 156-157 MB against 165-168 MB, with the same lateness.
 *
 * The setting is V8's and the process's (every thread's heap follows it from its next full
 * collection on), so a load sets it once before it collects its heap (settle-heap.ts), and the
 * limit that collection leaves already follows it.
 */
import { setFlagsFromString } from 'node:v8';

export const OLD_GENERATION_GROWTH_PERCENT = 30;

let set = false;

/** Sets the growth for the whole process (once; later calls do nothing). */
export function keepOldGenerationNearLive(): void {
  if (set) return;
  set = true;
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
