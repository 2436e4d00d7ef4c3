/**
 * A run's trace breakdown from the store: the X-Ray traces `traces get` kept (records of kind
 * `xray-trace`, one per trace), each request broken into its parts, per function and overall.
 */
import type { JsonValue, Store } from '../store/store.ts';
import { breakdownByFunction, type FunctionBreakdown } from './trace-breakdown-stats.ts';
import { breakdownsOf, type RequestBreakdown, type TraceDocument } from './trace-breakdown.ts';

/** The record kind a fetched trace is stored under. */
export const XRAY_TRACE_KIND = 'xray-trace';

/** What `traces get` stores per trace: its id and every segment document, parsed. */
export interface StoredXrayTrace {
  readonly traceId: string;
  readonly segments: readonly TraceDocument[];
}

export interface RunBreakdown {
  readonly runId: string;
  readonly traces: number;
  readonly requests: RequestBreakdown[];
  readonly functions: FunctionBreakdown[];
}

export async function runBreakdown(store: Store, runId: string): Promise<RunBreakdown> {
  const requests: RequestBreakdown[] = [];
  let traces = 0;
  for await (const { row } of store.experimentRows(runId, { kind: XRAY_TRACE_KIND })) {
    const trace = storedTrace(row);
    if (!trace) continue;
    traces += 1;
    requests.push(...breakdownsOf(trace.traceId, trace.segments));
  }
  requests.sort((a, b) => a.startMs - b.startMs);
  return { runId, traces, requests, functions: breakdownByFunction(requests) };
}

/** Whether a run has any stored traces: the report and dashboard draw the breakdown only then. */
export async function hasStoredTraces(store: Store, runId: string): Promise<boolean> {
  for await (const _row of store.experimentRows(runId, { kind: XRAY_TRACE_KIND, pageSize: 1 })) return true;
  return false;
}

/** A stored row read back; null for one that is not a trace (written by something else under the kind). */
export function storedTrace(row: JsonValue): StoredXrayTrace | null {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return null;
  const { traceId, segments } = row as { traceId?: unknown; segments?: unknown };
  if (typeof traceId !== 'string' || !Array.isArray(segments) || !segments.every(isDocument)) return null;
  return { traceId, segments };
}

function isDocument(value: unknown): value is TraceDocument {
  const d = value as Partial<TraceDocument> | null;
  return typeof d === 'object' && d !== null && typeof d.id === 'string' && typeof d.name === 'string' && typeof d.start_time === 'number' && typeof d.end_time === 'number';
}

/** The per-function breakdown of a run's stored traces, or null when it has none (the report and dashboard then draw no chart). */
export async function storedBreakdown(store: Store, runId: string): Promise<FunctionBreakdown[] | null> {
  if (!(await hasStoredTraces(store, runId))) return null;
  return (await runBreakdown(store, runId)).functions;
}
