/**
 * V8 compiles typed-array and Buffer code under the assumption that no ArrayBuffer in the isolate
 * has ever been detached, and the first detach (any postMessage or structuredClone that transfers
 * a buffer, as the store sink's batches are) throws away every optimised function compiled under
 * it at once. Made during a run, that first transfer came 200 ms after offset 0 with the first
 * batch and deoptimised the send path and undici's parser together:
 * the calls of the next few hundred ms went out 5-60 ms late while all of it was compiled again.
 * Detaching a throwaway buffer before a thread compiles its hot path (the invoker's warm-up, the
 * store writer's start: it hands row buffers back) means nothing compiled later depends on the
 * assumption. The protector is per isolate: each thread gives it up for itself.
 */

/** This thread has given it up already. */
let given = false;

/** Detaches one throwaway ArrayBuffer in this thread (once; later calls do nothing). */
export function giveUpNoDetachAssumption(): void {
  if (given) return;
  given = true;
  const buffer = new ArrayBuffer(8);
  structuredClone(buffer, { transfer: [buffer] });
}
