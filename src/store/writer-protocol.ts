/**
 * The messages between a threaded record sink (threaded-sink.ts, on the sending thread) and its
 * store writer (writer-worker.ts, in a worker thread). Plain data only: they are structured-cloned,
 * and the batches' buffers transferred.
 */
import { FaasbenchError, isFaasbenchError, type ErrorCode } from '../core/errors.ts';
import type { EncodedBatch } from './record-codec.ts';
import type { JournalEnd } from './journal.ts';
import type { RecordSinkOptions, SinkOutcome } from './record-sink.ts';
import type { StoreReopen } from './reopen.ts';
import type { FinalRunStatus, JsonValue, RunMeta } from './store.ts';

/** Environment variable, a test hook only: the writer's first store write first blocks its thread this many ms. */
export const WRITE_BLOCK_ENV = 'FAASBENCH_TEST_WRITE_BLOCK_MS';

/** The record sink's options that can cross to the writer (its callbacks stay on the sending thread). */
export type WriterSinkOptions = Omit<RecordSinkOptions, 'onRecord' | 'onNotice' | 'onOverflow'>;

export interface WriterData {
  readonly store: StoreReopen;
  /** Store.location of the store as the sending thread opened it: what messages and journals say. */
  readonly location: string;
  readonly sink: WriterSinkOptions;
}

export type ToWriter =
  /**
   * Records written since the last batch, and every call in flight now (as provisional records;
   * none when no runner watches sends). The writer takes the records, then the calls: the calls
   * replace the last batch's, so a call answered since is no longer taken for one in flight.
   */
  | { readonly kind: 'batch'; readonly records: EncodedBatch | null; readonly sends: EncodedBatch }
  | { readonly kind: 'flush'; readonly id: number }
  /** The run row's writes, on the writer's connection (threaded-sink.ts: runRows). */
  | { readonly kind: 'create-run'; readonly id: number; readonly run: RunMeta }
  | { readonly kind: 'heartbeat'; readonly id: number; readonly runId: string; readonly intervalMs: number }
  | { readonly kind: 'progress'; readonly id: number; readonly runId: string; readonly progress: JsonValue }
  | { readonly kind: 'finish-run'; readonly id: number; readonly runId: string; readonly status: FinalRunStatus; readonly summary: JsonValue | undefined }
  /** The records' end: what is left is written or journaled. The connection stays, for the run row's last writes. */
  | { readonly kind: 'close'; readonly id: number; readonly end: JournalEnd | undefined }
  /** The connection's end, before the thread's. */
  | { readonly kind: 'end'; readonly id: number };

/** What the writer holds, as its sink says it: the sending thread's `waiting` and `backlog` add to it. */
export interface WriterState {
  /** Records the writer has taken from batches (the sending thread counts what it sent beyond). */
  readonly received: number;
  /** Records (provisional rows included) the store took. */
  readonly written: number;
  readonly waiting: number;
  readonly backlog: number;
}

export type FromWriter =
  /** The writer is up and has tried its store once: the sending thread can start the run. */
  | { readonly kind: 'ready' }
  | ({ readonly kind: 'state'; readonly rows: ArrayBuffer | null } & WriterState)
  | { readonly kind: 'notice'; readonly message: string }
  | { readonly kind: 'overflow' }
  | { readonly kind: 'flushed'; readonly id: number }
  /** A run row write done; `error` says why it failed. */
  | { readonly kind: 'written'; readonly id: number; readonly error: WriterError | null }
  | { readonly kind: 'closed'; readonly id: number; readonly outcome: SinkOutcome }
  | { readonly kind: 'ended'; readonly id: number }
  /** The test hook blocked the writer's thread from `fromMs` (epoch ms) for `ms`. */
  | { readonly kind: 'blocked'; readonly fromMs: number; readonly ms: number };

/**
 * A failed write's error as it crosses: a FaasbenchError keeps its code and reason, which say what
 * the sending thread does with it (a run already finished is a ResourceConflict it ignores) and
 * which exit code the command ends with.
 */
export interface WriterError {
  readonly message: string;
  readonly code: ErrorCode | null;
  readonly reason: string | null;
}

export function toWriterError(err: unknown): WriterError {
  if (isFaasbenchError(err)) return { message: err.message, code: err.code, reason: err.reason ?? null };
  return { message: (err as Error)?.message ?? String(err), code: null, reason: null };
}

export function fromWriterError(error: WriterError): Error {
  if (error.code === null) return new Error(error.message);
  return new FaasbenchError(error.code, error.message, error.reason === null ? {} : { reason: error.reason });
}
