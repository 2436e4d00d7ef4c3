/**
 * What the X-Ray API answers from the platform's traces (xray-traces.ts): GetTraceSummaries over a
 * time range, a page at a time, and BatchGetTraces' traces with their segment documents. Pure over
 * the trace store; xray-api.ts reads the requests and writes the answers.
 */
import { FaasbenchError } from '../core/errors.ts';
import { callStartUs, segmentDocuments } from './xray-segments.ts';
import type { StoredTrace, XrayTraces } from './xray-traces.ts';

/** Summaries per GetTraceSummaries page. */
export const SUMMARY_PAGE_SIZE = 1000;
/** BatchGetTraces takes at most 5 trace ids a call, as AWS X-Ray does. */
export const MAX_TRACE_IDS = 5;

export interface SummaryQuery {
  readonly startUs: number;
  readonly endUs: number;
  readonly nextToken?: string | undefined;
}

/** X-Ray's TraceSummary, with the fields a summary of local calls can fill. */
export interface TraceSummary {
  readonly Id: string;
  /** Epoch seconds: when the trace's first segment started. */
  readonly StartTime: number;
  readonly Duration: number;
  readonly ResponseTime: number;
  readonly HasFault: boolean;
  readonly HasError: boolean;
  readonly HasThrottle: boolean;
  readonly IsPartial: boolean;
  readonly EntryPoint: { readonly Name: string; readonly Names: string[]; readonly Type: string };
  readonly ResourceARNs: { readonly ARN: string }[];
}

export interface SummaryPage {
  readonly summaries: TraceSummary[];
  /** The traces the query matched in all, over every page. */
  readonly matched: number;
  readonly nextToken: string | undefined;
}

/**
 * The sorted matches of the last query, so each further page costs a binary search instead of a
 * scan and sort of every kept trace (250 pages of a 250,000-trace window would sort 250 times).
 * A page whose query differs scans again; traces evicted meanwhile are skipped.
 */
const lastQuery = new WeakMap<XrayTraces, { startUs: number; endUs: number; sorted: StoredTrace[] }>();

/** The traces that started within [startUs, endUs], ordered by start then id, from after the token's trace. */
export function traceSummaries(traces: XrayTraces, query: SummaryQuery, pageSize = SUMMARY_PAGE_SIZE): SummaryPage {
  const after = query.nextToken === undefined ? undefined : readToken(query.nextToken);
  const sorted = matchesOf(traces, query, after === undefined);
  const from = after === undefined ? 0 : firstAfter(sorted, after);
  const page: TraceSummary[] = [];
  let index = from;
  for (; index < sorted.length && page.length < pageSize; index++) {
    const trace = sorted[index]!;
    if (traces.get(trace.id) === trace) page.push(summaryOf(trace));
  }
  const last = sorted[index - 1];
  return { summaries: page, matched: sorted.length, nextToken: index < sorted.length && last ? tokenOf(last) : undefined };
}

function matchesOf(traces: XrayTraces, query: SummaryQuery, firstPage: boolean): StoredTrace[] {
  const cached = lastQuery.get(traces);
  if (!firstPage && cached && cached.startUs === query.startUs && cached.endUs === query.endUs) return cached.sorted;
  const sorted = [...traces.all()].filter((t) => t.startUs >= query.startUs && t.startUs <= query.endUs).sort(byStart);
  lastQuery.set(traces, { startUs: query.startUs, endUs: query.endUs, sorted });
  return sorted;
}

const byStart = (a: { startUs: number; id: string }, b: { startUs: number; id: string }): number => a.startUs - b.startUs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The index of the first trace ordered after the token's. */
function firstAfter(sorted: readonly StoredTrace[], after: { startUs: number; id: string }): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byStart(sorted[mid]!, after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The token names the last trace returned: opaque to the client, as X-Ray's is. */
function tokenOf(trace: StoredTrace): string {
  return Buffer.from(JSON.stringify({ s: trace.startUs, i: trace.id })).toString('base64url');
}

function readToken(token: string): { startUs: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; i?: unknown };
    if (typeof value.s === 'number' && typeof value.i === 'string') return { startUs: value.s, id: value.i };
  } catch {
    /* answered below */
  }
  throw invalidRequest(`NextToken "${token}" is not a token this API gave: pass the NextToken of the previous page as it came`);
}

function summaryOf(trace: StoredTrace): TraceSummary {
  const root = trace.invocations.find((c) => !trace.invocations.some((p) => p.functionSegmentId === c.parentId)) ?? trace.invocations[0]!;
  const durationS = (trace.endUs - trace.startUs) / 1e6;
  return {
    Id: trace.id,
    StartTime: trace.startUs / 1e6,
    Duration: durationS,
    ResponseTime: (root.timings.endUs - callStartUs(root.timings)) / 1e6,
    HasFault: trace.invocations.some((c) => c.timings.errorType !== undefined),
    HasError: false,
    HasThrottle: false,
    IsPartial: false,
    EntryPoint: { Name: root.timings.fn, Names: [root.timings.fn], Type: 'AWS::Lambda' },
    ResourceARNs: [...new Set(trace.invocations.map((c) => c.arn))].map((ARN) => ({ ARN })),
  };
}

/** X-Ray's Trace: every segment document of the trace, each as a JSON string. */
export interface TraceOut {
  readonly Id: string;
  readonly Duration: number;
  readonly LimitExceeded: boolean;
  readonly Segments: { readonly Id: string; readonly Document: string }[];
}

export function batchTraces(traces: XrayTraces, ids: readonly string[]): { traces: TraceOut[]; unprocessed: string[] } {
  if (ids.length === 0) throw invalidRequest('TraceIds: expected 1 to 5 trace ids, got none');
  if (ids.length > MAX_TRACE_IDS) throw invalidRequest(`TraceIds: expected at most ${MAX_TRACE_IDS} trace ids a call (as AWS X-Ray), got ${ids.length}`);
  const out: TraceOut[] = [];
  const unprocessed: string[] = [];
  for (const id of ids) {
    const trace = traces.get(id);
    if (trace) out.push(traceOut(trace));
    else unprocessed.push(id);
  }
  return { traces: out, unprocessed };
}

function traceOut(trace: StoredTrace): TraceOut {
  const documents = trace.invocations.flatMap((c) => segmentDocuments(c));
  return { Id: trace.id, Duration: (trace.endUs - trace.startUs) / 1e6, LimitExceeded: false, Segments: documents.map((d) => ({ Id: d.id, Document: JSON.stringify(d) })) };
}

/** X-Ray's 400 for a request it cannot take; its type is what the SDK throws (InvalidRequestException). */
export function invalidRequest(message: string): FaasbenchError {
  return new FaasbenchError('InvalidParameterValue', message, { reason: 'InvalidRequestException' });
}
