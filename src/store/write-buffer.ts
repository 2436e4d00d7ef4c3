/**
 * Batches many small appends into few transactions. An item waits at most `intervalMs` (longer
 * only while the previous batch is still being written), so a writer killed with SIGKILL loses at
 * most what arrived in its last interval. One batch is written at a time, in arrival order, so
 * what is stored after a crash is always a prefix of what was appended.
 */
export interface WriteBufferOptions {
  readonly intervalMs: number;
  readonly batchSize: number;
  /** add() waits for the writes when this many items are pending: the database is falling behind. */
  readonly highWater: number;
}

export class WriteBuffer<T> {
  readonly #write: (batch: T[]) => Promise<void>;
  readonly #options: WriteBufferOptions;
  #pending: T[] = [];
  #inFlight: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Set while the last write failed; its batch is back in #pending for the next attempt. */
  #failure: unknown;
  #hasFailure = false;
  /** A flush was due while one was running: start the next as soon as it ends. */
  #again = false;

  constructor(write: (batch: T[]) => Promise<void>, options: WriteBufferOptions) {
    this.#write = write;
    this.#options = options;
  }

  get pending(): number {
    return this.#pending.length;
  }

  async add(items: readonly T[]): Promise<void> {
    if (this.#hasFailure) throw this.#failure;
    for (const item of items) this.#pending.push(item);
    if (this.#pending.length >= this.#options.batchSize) this.#kick();
    else this.#schedule();
    if (this.#pending.length >= this.#options.highWater) await this.flush();
  }

  /** Writes everything pending; rejects with the write's error if it fails. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#inFlight !== undefined) {
        await this.#inFlight;
        continue;
      }
      if (this.#pending.length === 0) return;
      this.#kick();
      await this.#inFlight;
      if (this.#hasFailure) throw this.#failure;
    }
  }

  /** Stops the timer; what is pending stays pending (call flush first to keep it). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#pending.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, this.#options.intervalMs);
    // A process that forgets close() should still exit; what it buffered is then lost, as documented.
    this.#timer.unref();
  }

  #kick(): void {
    if (this.#inFlight !== undefined) {
      this.#again = true;
      return;
    }
    this.stop();
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#inFlight = this.#run(batch);
  }

  /** Never rejects: a failure is kept for add()/flush() to report. */
  async #run(batch: T[]): Promise<void> {
    try {
      await this.#write(batch);
      this.#hasFailure = false;
      this.#failure = undefined;
    } catch (err) {
      this.#pending = batch.concat(this.#pending);
      this.#hasFailure = true;
      this.#failure = err;
    } finally {
      this.#inFlight = undefined;
      const again = this.#again;
      this.#again = false;
      // After a failure, retry on the timer rather than at once: a dead database is not hammered.
      if (again && !this.#hasFailure && this.#pending.length > 0) this.#kick();
      else this.#schedule();
    }
  }
}
