/**
 * The store a load run writes to, as the thread that sends the run holds it: where it is and how
 * the store writer's thread opens it (threaded-sink.ts), with no driver loaded. That thread writes
 * the records and the run row; kysely, better-sqlite3 or pg and a connection of this thread's own
 * cost the CLI 5-7 MB of resident memory while it sends (3 MB of it module code on the V8 heap).
 * This thread opens the store only when something needs it here: the writer thread failed, a
 * store no other thread can open (in memory), a shard waiting for its run.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';
import { rememberReopen } from './reopen.ts';
import { ensureStoreFile, refuseNonDatabase } from './sqlite-file.ts';
import type { FinalRunStatus, JsonValue, RunMeta, Store, StoreOptions, WriteOptions, WriteResult } from './store.ts';
import { isPostgresUrl, storeLocation, storeTarget } from './store-target.ts';
import type { RunSinkStore } from './threaded-sink.ts';

export class RunStore implements RunSinkStore {
  readonly location: string;
  readonly #target: string;
  readonly #options: StoreOptions;
  #store: Promise<Store> | undefined;

  /**
   * `target` as openStore takes it. A missing SQLite file is made now, as openStore would make it
   * (onCreate says so), so a command says where its new store is before it starts; the schema is
   * applied by the first connection.
   */
  constructor(target: string | undefined, options: StoreOptions = {}) {
    this.#target = storeTarget(target);
    this.#options = options;
    this.location = storeLocation(this.#target, options.schema);
    const postgres = isPostgresUrl(this.#target);
    if (!postgres) {
      ensureStoreFile(this.#target, options);
      refuseNonDatabase(this.location);
    }
    rememberReopen(this, postgres ? this.#target : this.location, options);
  }

  /** The store on this thread, opened at the first call (the drivers load then); a failed open is tried again at the next. */
  open(): Promise<Store> {
    // 'refuse': the file was made above; one removed since is a failing store, not a new empty one.
    this.#store ??= import('./open.ts')
      .then(({ openStore }) => openStore(this.#target, { ...this.#options, ifMissing: 'refuse' }))
      .catch((err: unknown) => {
        this.#store = undefined;
        throw err;
      });
    return this.#store;
  }

  async writeRecords(records: readonly InvocationRecord[], options?: WriteOptions): Promise<WriteResult> {
    return (await this.open()).writeRecords(records, options);
  }

  async createRun(meta: RunMeta): Promise<string> {
    return (await this.open()).createRun(meta);
  }

  async heartbeat(runId: string, intervalMs: number): Promise<void> {
    return (await this.open()).heartbeat(runId, intervalMs);
  }

  async updateProgress(runId: string, progress: JsonValue): Promise<void> {
    return (await this.open()).updateProgress(runId, progress);
  }

  async finishRun(runId: string, status: FinalRunStatus, summary?: JsonValue): Promise<void> {
    return (await this.open()).finishRun(runId, status, summary);
  }

  /** Closes what open() opened, if anything. */
  async close(): Promise<void> {
    const store = await this.#store?.catch(() => undefined);
    await store?.close();
  }
}
