// Types of random.mjs.

export interface SeededRandom {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Fills `bytes` with random bytes and returns it. */
  fill<T extends Uint8Array>(bytes: T): T;
}

export function seededUint32(seed: number): () => number;
export function seededRandom(seed: number): SeededRandom;
