/**
 * The Store contract: what the invoker, experiments, analysis and the dashboard read and write,
 * whatever database sits behind it (DESIGN.md §8). One implementation (sql-store.ts) serves both
 * SQLite and PostgreSQL.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a run's writer stores. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';
/**
 * What a reader is shown: the stored status, or 'abandoned' for a running run whose writers
 * stopped beating (run-status.ts). Derived when the run is read; never stored.
 */
export type ShownRunStatus = RunStatus | 'abandoned';
export type FinalRunStatus = Exclude<RunStatus, 'running'>;
export const FINAL_RUN_STATUSES: readonly FinalRunStatus[] = ['completed', 'failed', 'interrupted'];

/** What a run is, fixed when it starts. */
export interface RunMeta {
  /**
   * Given when several processes (shards) write one run: one of them creates it with this id and
   * the others append to it. Generated when absent.
   */
  readonly id?: string;
  /** What started the run: 'invoke', 'experiment', 'load'... */
  readonly kind: string;
  /** The experiment's name, or what was invoked. */
  readonly name: string;
  readonly provider: string;
  readonly params?: JsonValue;
  readonly seed?: number | null;
  /** Facts about the machine that ran it (cpu, memory, os, node version...). */
  readonly host?: JsonValue;
  readonly toolVersion: string;
  /** ISO 8601; now when absent. */
  readonly startedAt?: string;
  /**
   * The user's name for the run (`--label`), to find it again; absent or null for none. When
   * absent, the store's `runLabel` option applies.
   */
  readonly label?: string | null;
}

export interface Run {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly provider: string;
  readonly params: JsonValue;
  readonly seed: number | null;
  readonly host: JsonValue;
  readonly toolVersion: string;
  readonly status: ShownRunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly summary: JsonValue | null;
  /** The latest progress the writer reported, for a live dashboard. */
  readonly progress: JsonValue | null;
  readonly progressAt: string | null;
  /**
   * Final invocations offered again under a (run, seq) already stored: kept out (the first final
   * write wins; it replaces a provisional 'unknown' row) and counted here, so overlapping shards
   * or a retried batch show up instead of doubling rows.
   */
  readonly duplicates: number;
  /**
   * When a writer of the run last said it is alive, and the interval it promised to say so at;
   * null for runs from before heartbeats. A running run whose writer stopped is shown as
   * abandoned (run-status.ts); nothing writes that status.
   */
  readonly heartbeatAt: string | null;
  readonly heartbeatMs: number | null;
  /** The user's name for the run (`--label`); null when none was given. */
  readonly label: string | null;
}

/**
 * Which runs listRuns returns: a run matches when, for every field given, its value is one of the
 * values listed (fields AND, values of one field OR). `status` is the shown status, so
 * 'abandoned' finds running runs whose writers stopped beating and 'running' only the live ones.
 */
export interface RunFilter {
  readonly kind?: readonly string[];
  readonly name?: readonly string[];
  readonly provider?: readonly string[];
  readonly status?: readonly ShownRunStatus[];
  readonly label?: readonly string[];
}

export interface ListRunsOptions {
  readonly limit?: number;
  readonly filter?: RunFilter;
}

/** What deleteRun removed with the run. */
export interface DeletedRun {
  readonly runId: string;
  readonly invocations: number;
  readonly records: number;
}

/** An experiment-specific row (`bench.record(kind, row)`), stored as JSON. */
export interface ExperimentRow {
  readonly runId: string;
  readonly kind: string;
  readonly at: string;
  readonly row: JsonValue;
}

export interface FlushInfo {
  /** Invocation rows offered in this flush. */
  readonly rows: number;
  /** Of those, how many were duplicates kept out. */
  readonly duplicates: number;
  /** Rows offered by this store since it opened, all flushed. */
  readonly totalRows: number;
}

/** What one writeRecords call did. */
export interface WriteResult {
  /** Records offered. */
  readonly rows: number;
  /** Rows inserted, or 'unknown' rows replaced by the call's final outcome. */
  readonly stored: number;
  /** Final records offered under a (run, seq) whose final record was already stored: kept out. */
  readonly duplicates: number;
}

export interface WriteOptions {
  /**
   * Count duplicates on their run (default). A journal loaded again by `store recover` offers
   * what is already stored by design: not an overlap worth counting.
   */
  readonly countDuplicates?: boolean;
}

export interface StoreOptions {
  /** Buffered invocations are written at most this long after they arrive. Default 250 ms. */
  readonly flushIntervalMs?: number;
  /** A flush starts as soon as this many invocations are buffered. Default 2,000. */
  readonly batchSize?: number;
  /** Called after each successful flush (progress, tests). */
  readonly onFlush?: (info: FlushInfo) => void;
  /** PostgreSQL only: the schema to keep the tables in (created when missing). Default: search_path. */
  readonly schema?: string;
  /** PostgreSQL only: a statement with no answer within this long fails. Default 30 s. */
  readonly queryTimeoutMs?: number;
  /** Every SQL statement run, for diagnostics and tests. */
  readonly onQuery?: (sql: string, parameters: readonly unknown[]) => void;
  /**
   * SQLite only: what to do when the file does not exist. 'create' (default) makes a new store
   * there; 'refuse' fails with ResourceNotFound naming the absolute path and creates nothing:
   * what a command that only reads runs wants, so a mistyped path is an error, not an empty store.
   */
  readonly ifMissing?: 'create' | 'refuse';
  /** SQLite only: called with the file's absolute path when opening created a new store. */
  readonly onCreate?: (location: string) => void;
  /** The label of the runs this store creates whose RunMeta gives none: a command's `--label`. */
  readonly runLabel?: string;
}

export interface ReadOptions {
  /** Rows fetched per query; memory holds at most one page. Default 1,000. */
  readonly pageSize?: number;
}

/** An invocation field, by its record name, that a reader can ask for on its own. */
export type InvocationField = keyof InvocationRecord;

/** An invocation holding only the fields asked for. */
export type InvocationFields<F extends InvocationField> = Pick<InvocationRecord, F>;

export interface Store {
  /** 'sqlite' or 'postgres'. */
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Where the store is, as openStore takes it: the SQLite file's absolute path (or ':memory:'), or
   * the PostgreSQL URL with its password masked and its schema (if any) as a search_path option.
   */
  readonly location: string;
  createRun(meta: RunMeta): Promise<string>;
  /**
   * Buffers records and returns at once; they are written within `flushIntervalMs` or when a batch
   * fills. Resolves late only when the database falls far behind (back-pressure). Rejects when an
   * earlier write failed, so a dead database stops the writer instead of filling memory.
   */
  appendRecords(records: readonly InvocationRecord[]): Promise<void>;
  /**
   * Writes `records` now in one transaction, past the buffer: resolves once they are committed,
   * rejects with none of them stored. For a caller that keeps what is not yet written itself (the
   * record sink). A final record replaces a stored 'unknown' one of the same (run, seq); an
   * 'unknown' record never replaces anything; a final record over a final one is a duplicate.
   */
  writeRecords(records: readonly InvocationRecord[], options?: WriteOptions): Promise<WriteResult>;
  /** Writes everything buffered so far. */
  flush(): Promise<void>;
  /** running -> completed | failed | interrupted, once; flushes first so the run is whole when marked. */
  finishRun(runId: string, status: FinalRunStatus, summary?: JsonValue): Promise<void>;
  updateProgress(runId: string, progress: JsonValue): Promise<void>;
  /** The writer of a running run is alive and will say so again within `intervalMs`. */
  heartbeat(runId: string, intervalMs: number): Promise<void>;
  /** Newest first, the ones the filter matches (all without one), at most `limit`. */
  listRuns(options?: ListRunsOptions): Promise<Run[]>;
  getRun(id: string): Promise<Run | undefined>;
  /**
   * Deletes a run with its invocations and experiment rows, in one transaction; undefined when
   * there is no such run. It does not ask whether the run is still being written: callers do.
   */
  deleteRun(id: string): Promise<DeletedRun | undefined>;
  /** A run's invocations in seq order, a page at a time. */
  records(runId: string, options?: ReadOptions): AsyncIterable<InvocationRecord>;
  /**
   * A run's invocations in seq order with only `fields`, a page (array) at a time: what a reader
   * of a large run uses when it needs a few columns. The database sends and the driver builds
   * only those columns, as arrays rather than objects (building 20 properties per row is most of
   * what reading a whole record costs), and the caller loops over each page without awaiting
   * every record. Values are decoded as records() decodes them; fields not asked for are
   * undefined (they are not in the type). An unknown run has no pages.
   */
  recordPages<F extends InvocationField>(runId: string, fields: readonly F[], options?: ReadOptions): AsyncIterable<InvocationFields<F>[]>;
  countRecords(runId: string): Promise<number>;
  addRecord(runId: string, kind: string, row: JsonValue): Promise<void>;
  /** Experiment rows of a run in the order they were added, optionally of one kind. */
  experimentRows(runId: string, options?: ReadOptions & { kind?: string }): AsyncIterable<ExperimentRow>;
  kvGet(namespace: string, key: string): Promise<JsonValue | undefined>;
  kvSet(namespace: string, key: string, value: JsonValue): Promise<void>;
  kvDelete(namespace: string, key: string): Promise<void>;
  /** Flushes, then releases the database. Idempotent. */
  close(): Promise<void>;
}
