/**
 * Fetching a window's traces through `@aws-sdk/client-xray`, from AWS X-Ray or the local platform's
 * X-Ray API alike: GetTraceSummaries page by page (in slices X-Ray accepts), then BatchGetTraces
 * five ids a call, a few calls in flight. Each trace comes back with its segment documents parsed.
 */
import type { XRayClient } from '@aws-sdk/client-xray';
import type { JsonValue } from '../store/store.ts';
import type { TraceWindow, XraySource } from './traces-source.ts';

/** AWS X-Ray answers GetTraceSummaries over at most 6 hours: longer windows are asked in slices. */
const SLICE_US = 6 * 3600 * 1e6;
/** BatchGetTraces' limit per call. */
const IDS_PER_BATCH = 5;
/** Batches in flight at once: enough to hide a round trip, few enough for X-Ray's request rate. */
const BATCHES_IN_FLIGHT = 4;

export interface FetchedTrace {
  readonly traceId: string;
  readonly segments: JsonValue[];
}

export interface FetchOutcome {
  readonly inWindow: number;
  readonly traces: FetchedTrace[];
  /** Ids the summaries named that BatchGetTraces did not return (AWS: not yet processed). */
  readonly unprocessed: string[];
}

export async function xrayClient(source: XraySource): Promise<XRayClient> {
  const { XRayClient } = await import('@aws-sdk/client-xray');
  const endpoint = source.endpoint ? { endpoint: source.endpoint, region: source.region ?? 'us-east-1' } : source.region ? { region: source.region } : {};
  // An endpoint takes any credentials on loopback; the local platform's token goes as the access key id.
  const credentials = source.endpoint && !source.profile ? { credentials: { accessKeyId: source.token ?? 'faasbench', secretAccessKey: 'faasbench' } } : source.profile ? { profile: source.profile } : {};
  return new XRayClient({ ...endpoint, ...credentials });
}

/** Every trace that started in the window, with its documents. */
export async function fetchTraces(client: XRayClient, window: TraceWindow): Promise<FetchOutcome> {
  const ids = await traceIdsIn(client, window);
  const { traces, unprocessed } = await batchGet(client, ids);
  return { inWindow: ids.length, traces, unprocessed };
}

/**
 * Whether a trace is one of the run's calls: one of its Lambda segments carries a request id the
 * run recorded (a root's; the calls nested under it share its trace). Without recorded request ids
 * (a provider that reports none), every trace in the window is the run's.
 */
export function isRunTrace(trace: FetchedTrace, requestIds: ReadonlySet<string>): boolean {
  if (requestIds.size === 0) return true;
  return trace.segments.some((s) => {
    const doc = s as { origin?: unknown; aws?: { request_id?: unknown } } | null;
    return doc?.origin === 'AWS::Lambda' && typeof doc.aws?.request_id === 'string' && requestIds.has(doc.aws.request_id);
  });
}

async function traceIdsIn(client: XRayClient, window: TraceWindow): Promise<string[]> {
  const { paginateGetTraceSummaries } = await import('@aws-sdk/client-xray');
  const ids = new Set<string>();
  for (let from = window.startUs; from < window.endUs; from += SLICE_US) {
    const to = Math.min(window.endUs, from + SLICE_US);
    const pages = paginateGetTraceSummaries({ client }, { StartTime: new Date(from / 1000), EndTime: new Date(to / 1000), TimeRangeType: 'TraceId' });
    for await (const page of pages) for (const summary of page.TraceSummaries ?? []) if (summary.Id) ids.add(summary.Id);
  }
  return [...ids];
}

async function batchGet(client: XRayClient, ids: readonly string[]): Promise<{ traces: FetchedTrace[]; unprocessed: string[] }> {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_BATCH) batches.push(ids.slice(i, i + IDS_PER_BATCH));
  const traces: FetchedTrace[] = [];
  const unprocessed: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const got = await oneBatch(client, batch);
      traces.push(...got.traces);
      unprocessed.push(...got.unprocessed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, worker));
  // In the order the summaries gave them (by start time), whichever batch came back first.
  const order = new Map(ids.map((id, i) => [id, i]));
  traces.sort((a, b) => order.get(a.traceId)! - order.get(b.traceId)!);
  return { traces, unprocessed };
}

/** One BatchGetTraces call, following its NextToken: X-Ray pages a trace with many segments. */
async function oneBatch(client: XRayClient, TraceIds: string[]): Promise<{ traces: FetchedTrace[]; unprocessed: string[] }> {
  const { BatchGetTracesCommand } = await import('@aws-sdk/client-xray');
  const segments = new Map<string, JsonValue[]>();
  const unprocessed = new Set<string>();
  let NextToken: string | undefined;
  do {
    const out = await client.send(new BatchGetTracesCommand({ TraceIds, NextToken }));
    for (const trace of out.Traces ?? []) {
      if (!trace.Id) continue;
      const docs = segments.get(trace.Id) ?? [];
      for (const s of trace.Segments ?? []) if (s.Document) docs.push(JSON.parse(s.Document) as JsonValue);
      segments.set(trace.Id, docs);
    }
    for (const id of out.UnprocessedTraceIds ?? []) unprocessed.add(id);
    NextToken = out.NextToken;
  } while (NextToken);
  return { traces: [...segments].map(([traceId, docs]) => ({ traceId, segments: docs })), unprocessed: [...unprocessed].filter((id) => !segments.has(id)) };
}
