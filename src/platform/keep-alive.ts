/**
 * How long an idle instance is kept, and what the pool recorded when it evicted one for idleness.
 *
 * The jitter of `keepAliveJitterS` is drawn per idle period from a seeded stream keyed by the
 * function, the instance's ordinal among that function's instances and the idle period's number:
 * a run that starts instances in the same order sees the same keep-alives, so an idle-timeout or
 * eviction experiment against jittered settings is reproducible, and a test can know the draw.
 */
import type { FunctionSettings } from '../core/function-package.ts';
import { createPrng } from '../core/prng.ts';
import type { Instance } from './instance.ts';

/** The seed under every keep-alive stream; the key tells the streams apart. */
const KEEP_ALIVE_SEED = 0;

export interface KeepAliveDraw {
  readonly fn: string;
  /** 1 for the function's first instance, 2 for its second... (counted across revisions). */
  readonly ordinal: number;
  /** 1 for the instance's first idle period, 2 for the next... */
  readonly period: number;
}

/** keepAliveS plus a uniform jitter in [0, keepAliveJitterS), in ms. */
export function keepAliveMs(settings: Pick<FunctionSettings, 'keepAliveS' | 'keepAliveJitterS'>, draw: KeepAliveDraw): number {
  const { keepAliveS, keepAliveJitterS } = settings;
  if (keepAliveJitterS === 0) return keepAliveS * 1000;
  const u = createPrng(KEEP_ALIVE_SEED, `keep-alive\0${draw.fn}\0${draw.ordinal}\0${draw.period}`).next();
  return (keepAliveS + u * keepAliveJitterS) * 1000;
}

export interface IdleEviction {
  /** The keep-alive drawn for the idle period that ended in eviction, in ms. */
  readonly keepAliveMs: number;
  /** How long the instance had been idle (since its last invocation ended) when it was killed, in ms. */
  readonly idleMs: number;
}

// Beside the instance rather than in it: instance.ts runs processes, the pool decides evictions.
// Weak, so a gone instance's record goes with the last reference to it.
const idleEvictions = new WeakMap<Instance, IdleEviction>();

export function recordIdleEviction(instance: Instance, eviction: IdleEviction): void {
  idleEvictions.set(instance, eviction);
}

/** What the pool recorded when it evicted this instance for idleness; undefined for any other end. */
export function idleEvictionOf(instance: Instance): IdleEviction | undefined {
  return idleEvictions.get(instance);
}
