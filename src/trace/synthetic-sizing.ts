/**
 * What each `synthetic` stand-in is deployed with, from the calls it will get: memory for its
 * largest draw and a timeout for its longest. A fixed timeout (the package's 60 s) failed every
 * call drawn longer than that (0.13% of calls on a 500-function sample, the longest 905 s).
 */
import type { CallBatch, ScheduledFunction } from './schedule.ts';

/** The runtime's own footprint on top of what synthetic is asked to hold. */
const HEADROOM_MB = 64;
/** Lambda's bounds, which the local platform keeps too. */
const MIN_MEMORY_MB = 128;
const MAX_MEMORY_MB = 10_240;
const MAX_TIMEOUT_S = 900;
/** Start-up and allocation on top of the drawn duration: a tenth more, plus 5 s. */
const TIMEOUT_FACTOR = 1.1;
const TIMEOUT_EXTRA_S = 5;

export interface SyntheticSize {
  readonly memoryMb: number;
  readonly timeoutS: number;
}

export interface SyntheticSizing {
  /** By deployed name; only synthetic functions. */
  readonly sizes: ReadonlyMap<string, SyntheticSize>;
  /** Said to the user: functions whose longest draw does not fit Lambda's 900 s. */
  readonly notes: readonly string[];
}

/** `defaultTimeoutS` is the package's own: never deployed shorter. */
export function sizeSynthetic(functions: readonly ScheduledFunction[], batches: Iterable<CallBatch>, defaultTimeoutS: number): SyntheticSizing {
  if (!functions.some((f) => f.payload.kind === 'synthetic')) return { sizes: new Map(), notes: [] };
  const memoryMb = new Float64Array(functions.length);
  const durationMs = new Float64Array(functions.length);
  for (const batch of batches) {
    for (let i = 0; i < batch.fns.length; i++) {
      const f = batch.fns[i]!;
      if (batch.memoryMb[i]! > memoryMb[f]!) memoryMb[f] = batch.memoryMb[i]!;
      if (batch.durationMs[i]! > durationMs[f]!) durationMs[f] = batch.durationMs[i]!;
    }
  }
  const sizes = new Map<string, SyntheticSize>();
  const capped: string[] = [];
  functions.forEach((fn, f) => {
    if (fn.payload.kind !== 'synthetic') return;
    const timeout = syntheticTimeout(durationMs[f]!, defaultTimeoutS);
    if (timeout.capped) capped.push(`${fn.name} (${(durationMs[f]! / 1000).toFixed(1)} s)`);
    sizes.set(fn.name, { memoryMb: syntheticMemoryMb(memoryMb[f]!), timeoutS: timeout.timeoutS });
  });
  return { sizes, notes: cappedNotes(capped) };
}

/** Memory for a largest draw of `heldMb`, in Lambda's 64 MB steps and bounds. */
export function syntheticMemoryMb(heldMb: number): number {
  return Math.min(MAX_MEMORY_MB, Math.max(MIN_MEMORY_MB, Math.ceil((heldMb + HEADROOM_MB) / 64) * 64));
}

/** The timeout for a longest draw of `longestMs`: never under `defaultTimeoutS`, capped at Lambda's 900 s. */
export function syntheticTimeout(longestMs: number, defaultTimeoutS: number): { timeoutS: number; capped: boolean } {
  const wantedS = Math.ceil((longestMs / 1000) * TIMEOUT_FACTOR + TIMEOUT_EXTRA_S);
  return { timeoutS: Math.min(MAX_TIMEOUT_S, Math.max(defaultTimeoutS, wantedS)), capped: wantedS > MAX_TIMEOUT_S };
}

/** The note for functions (named with their longest draw) whose timeout was capped; none when none was. */
export function cappedNotes(capped: readonly string[]): string[] {
  if (capped.length === 0) return [];
  return [`synthetic: ${capped.length} function(s) with draws too long for Lambda's ${MAX_TIMEOUT_S} s timeout (longest draw, a tenth more and 5 s), deployed with ${MAX_TIMEOUT_S} s (a call drawn past it times out): ${capped.slice(0, 8).join(', ')}${capped.length > 8 ? ', ...' : ''}`];
}
