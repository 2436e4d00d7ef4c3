/**
 * What the main thread and a shard's worker thread say to each other. Plain data only (structured
 * clone): a Provider, a LoadPlan and a RecordSink cannot cross threads, so a worker is given what
 * builds its own (the provider's name and options, where the plan comes from, the resolved
 * payloads) and hands back records and counts in batches.
 */
import type { InvocationStatus } from '../core/invocation-record.ts';
import type { Phase, PlannedInvocation } from '../core/load-plan.ts';
import type { InvokeResult } from '../core/provider.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { PayloadSpec } from './shard-payloads.ts';
import type { PlanSource } from './shard-plan.ts';
import type { RecordColumnBatch } from './record-columns.ts';

export interface ShardWorkerData {
  /** The whole plan, which each worker builds and takes its shard of. */
  readonly source: PlanSource;
  readonly shard: { readonly index: number; readonly total: number };
  readonly provider: { readonly name: string; readonly options: Readonly<Record<string, unknown>> };
  readonly payloads: PayloadSpec;
  /** This worker's part of the run's in-flight bound. */
  readonly maxInFlight: number;
  readonly drainTimeoutMs: number | undefined;
}

export type ToShard =
  | { readonly kind: 'start'; readonly runId: string; readonly startUs: number; readonly watchSends: boolean }
  | { readonly kind: 'abort' };

/** A call in flight as the main thread's sink needs it for a provisional row. */
export interface SendRow {
  readonly seq: number;
  readonly fn: string;
  readonly phase: Phase;
  readonly tag: string | null;
  readonly plannedUs: number;
  readonly sentUs: number;
}

export interface ShardBatch {
  readonly kind: 'batch';
  readonly records: RecordColumnBatch;
  /** Lateness (µs) of each call sent since the last batch, for the one progress line. */
  readonly sentLatenessUs: Float64Array;
  /** Calls finished since the last batch, by status (dropped included), for the same. */
  readonly done: Partial<Record<InvocationStatus, number>>;
  /** The calls in flight now; null when the run's sink does not watch sends. */
  readonly inFlight: SendRow[] | null;
}

export interface ShardFailure {
  readonly code: ErrorCode | null;
  readonly message: string;
  readonly reason: string | undefined;
}

export type FromShard =
  /** threadId: the worker's kernel thread id (null where the OS does not say), so the main thread can leave it the CPU's first claim. */
  | { readonly kind: 'ready'; readonly threadId: number | null }
  | ShardBatch
  | { readonly kind: 'done'; readonly status: 'completed' | 'interrupted'; readonly last: LastAnswer | null }
  | { readonly kind: 'failed'; readonly error: ShardFailure };

/** The last answer the shard got, for a run of one call to print. */
export interface LastAnswer {
  readonly call: PlannedInvocation;
  readonly result: InvokeResult;
  readonly receivedUs: number;
}
