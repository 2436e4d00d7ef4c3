/**
 * A small cache of promised results by key, for what is costly to recompute per request: the
 * analysis and the rendered charts of a run. An entry is reused while its version (the run's
 * status and finish time) is unchanged and, for a running run, for a short time only; a finished
 * run's entry lives until newer keys push it out. Concurrent requests share one computation, and
 * a failure is not kept, so the next request tries again.
 */
export class Memo<T> {
  readonly #entries = new Map<string, { version: string; expires: number; value: Promise<T> }>();

  constructor(
    private readonly capacity: number,
    private readonly now: () => number,
  ) {}

  get(key: string, version: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit && hit.version === version && hit.expires > this.now()) {
      // Map order is insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value;
    }
    const value = compute();
    const entry = { version, expires: this.now() + ttlMs, value };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }
}
