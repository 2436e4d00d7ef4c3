/**
 * The store writer thread's own connection to the run's store, opened from how the sending thread
 * opened it (open.ts: reopenOf). A connection that cannot be made now fails the write that needed
 * it, like any failed write: the record sink journals and retries, and the next write tries to
 * connect again. So a store that is away when the writer starts loses nothing either.
 */
import { openStore } from './open.ts';
import type { StoreReopen } from './reopen.ts';
import type { SinkStore } from './record-sink.ts';
import type { Store, WriteOptions, WriteResult } from './store.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';

export interface WriteBlockHook {
  /** A test hook only (writer-protocol.ts: WRITE_BLOCK_ENV): the first write blocks the thread this long first. */
  readonly blockMs: number;
  readonly onBlocked: (fromMs: number, ms: number) => void;
}

export class ReopenedStore implements SinkStore {
  readonly location: string;
  readonly #reopen: StoreReopen;
  readonly #hook: WriteBlockHook;
  #store: Promise<Store> | undefined;
  #blocked = false;

  constructor(reopen: StoreReopen, location: string, hook: WriteBlockHook) {
    this.#reopen = reopen;
    this.location = location;
    this.#hook = hook;
  }

  /** The connection, made now if there is none; a failure is forgotten, so the next call tries again. */
  connect(): Promise<Store> {
    // 'refuse': a store file removed during the run is a failing store, not a new empty one elsewhere.
    this.#store ??= openStore(this.#reopen.target, { ...this.#reopen.options, ifMissing: 'refuse' }).catch((err: unknown) => {
      this.#store = undefined;
      throw err;
    });
    return this.#store;
  }

  async writeRecords(records: readonly InvocationRecord[], options?: WriteOptions): Promise<WriteResult> {
    this.#blockOnce();
    return (await this.connect()).writeRecords(records, options);
  }

  async close(): Promise<void> {
    const store = await this.#store?.catch(() => undefined);
    await store?.close();
  }

  /** The test hook: the whole thread stops, as a commit stalled on a slow disk would stop it. */
  #blockOnce(): void {
    if (this.#blocked || !(this.#hook.blockMs > 0)) return;
    this.#blocked = true;
    const fromMs = Date.now();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.#hook.blockMs);
    this.#hook.onBlocked(fromMs, Date.now() - fromMs);
  }
}
