/**
 * The Store contract: what the invoker, experiments, analysis and the dashboard read and write,
 * whatever database sits behind it (DESIGN.md §8). One implementation (sql-store.ts) serves both
 * SQLite and PostgreSQL.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';
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
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly summary: JsonValue | null;
  /** The latest progress the writer reported, for a live dashboard. */
  readonly progress: JsonValue | null;
  readonly progressAt: string | null;
  /**
   * Invocations offered again under a (run, seq) already stored: kept out (the first write wins)
   * and counted here, so overlapping shards or a retried batch show up instead of doubling rows.
   */
  readonly duplicates: number;
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

export interface StoreOptions {
  /** Buffered invocations are written at most this long after they arrive. Default 250 ms. */
  readonly flushIntervalMs?: number;
  /** A flush starts as soon as this many invocations are buffered. Default 2,000. */
  readonly batchSize?: number;
  /** Called after each successful flush (progress, tests). */
  readonly onFlush?: (info: FlushInfo) => void;
  /** PostgreSQL only: the schema to keep the tables in (created when missing). Default: search_path. */
  readonly schema?: string;
  /** Every SQL statement run, for diagnostics and tests. */
  readonly onQuery?: (sql: string, parameters: readonly unknown[]) => void;
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
  createRun(meta: RunMeta): Promise<string>;
  /**
   * Buffers records and returns at once; they are written within `flushIntervalMs` or when a batch
   * fills. Resolves late only when the database falls far behind (back-pressure). Rejects when an
   * earlier write failed, so a dead database stops the writer instead of filling memory.
   */
  appendRecords(records: readonly InvocationRecord[]): Promise<void>;
  /** Writes everything buffered so far. */
  flush(): Promise<void>;
  /** running -> completed | failed | interrupted, once; flushes first so the run is whole when marked. */
  finishRun(runId: string, status: FinalRunStatus, summary?: JsonValue): Promise<void>;
  updateProgress(runId: string, progress: JsonValue): Promise<void>;
  /** Newest first. */
  listRuns(options?: { limit?: number }): Promise<Run[]>;
  getRun(id: string): Promise<Run | undefined>;
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
