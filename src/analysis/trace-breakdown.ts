/**
 * Where each request's time went, from its X-Ray trace (AWS's or the local platform's, which share
 * the shape): queueing, initialisation, the handler's own work, nested calls and platform overhead.
 * The parts tile the request's end-to-end time (its root `AWS::Lambda` segment): overhead is what
 * the others leave, so they always add up.
 */

/** A segment or subsegment document, as far as the breakdown reads it. */
export interface TraceDocument {
  readonly name: string;
  readonly id: string;
  readonly parent_id?: string;
  readonly start_time: number;
  readonly end_time: number;
  readonly origin?: string;
  readonly aws?: { readonly request_id?: string };
  readonly subsegments?: readonly TraceDocument[];
}

export const BREAKDOWN_PARTS = ['queueMs', 'initMs', 'handlerMs', 'nestedMs', 'overheadMs'] as const;
export type BreakdownPart = (typeof BREAKDOWN_PARTS)[number];

/** One request (a root call and the calls under it): its parts in ms, which sum to totalMs. */
export interface RequestBreakdown {
  readonly traceId: string;
  readonly fn: string;
  readonly requestId: string | null;
  /** Epoch ms when the platform took the call. */
  readonly startMs: number;
  readonly totalMs: number;
  readonly queueMs: number;
  readonly initMs: number;
  readonly handlerMs: number;
  readonly nestedMs: number;
  readonly overheadMs: number;
  readonly cold: boolean;
  /** Calls made under this one, at any depth. */
  readonly nestedCalls: number;
}

/** Subsegment names that are queueing: the local platform's wait for a slot, Lambda's async queue. */
const QUEUE_NAMES = new Set(['Queue wait', 'Dwell Time']);
const SERVICE = 'AWS::Lambda';
const FUNCTION = 'AWS::Lambda::Function';

interface Interval {
  readonly start: number;
  readonly end: number;
}

const ms = (seconds: number): number => seconds * 1000;

/** The breakdown of every root request in one trace's segments (usually one). */
export function breakdownsOf(traceId: string, segments: readonly TraceDocument[]): RequestBreakdown[] {
  const owner = ownerOfIds(segments);
  const services = segments.filter((s) => s.origin === SERVICE);
  const roots = services.filter((s) => s.parent_id === undefined || !owner.has(s.parent_id));
  return roots.map((root) => requestBreakdown(traceId, root, segments, owner));
}

/** Every id in the trace (segments and nested subsegments) mapped to the top-level segment holding it. */
function ownerOfIds(segments: readonly TraceDocument[]): Map<string, TraceDocument> {
  const owner = new Map<string, TraceDocument>();
  const visit = (doc: TraceDocument, top: TraceDocument): void => {
    owner.set(doc.id, top);
    for (const sub of doc.subsegments ?? []) visit(sub, top);
  };
  for (const s of segments) visit(s, s);
  return owner;
}

function requestBreakdown(traceId: string, root: TraceDocument, segments: readonly TraceDocument[], owner: Map<string, TraceDocument>): RequestBreakdown {
  const span: Interval = { start: root.start_time, end: Math.max(root.start_time, root.end_time) };
  const fn = segments.find((s) => s.origin === FUNCTION && s.parent_id === root.id);
  const subs = fn?.subsegments ?? [];
  const queue = sumOf((root.subsegments ?? []).filter((s) => QUEUE_NAMES.has(s.name)), span);
  const init = sumOf(subs.filter((s) => s.name === 'Initialization'), span);
  const invocation = subs.find((s) => s.name === 'Invocation');
  const handlerSpan = invocation ? clip(invocation, span) : null;
  const children = fn ? childCalls(fn, segments, owner) : [];
  const nested = handlerSpan ? unionLength(children.map((c) => clip(c, handlerSpan)).filter((c): c is Interval => c !== null)) : 0;
  const handler = handlerSpan ? handlerSpan.end - handlerSpan.start - nested : 0;
  const total = span.end - span.start;
  return {
    traceId,
    fn: root.name,
    requestId: root.aws?.request_id ?? null,
    startMs: ms(root.start_time),
    totalMs: ms(total),
    queueMs: ms(queue),
    initMs: ms(init),
    handlerMs: ms(handler),
    nestedMs: ms(nested),
    overheadMs: ms(Math.max(0, total - queue - init - handler - nested)),
    cold: subs.some((s) => s.name === 'Initialization'),
    nestedCalls: descendants(root, segments, owner),
  };
}

/** The `AWS::Lambda` segments called from within a function segment (its id, or a subsegment's, as their parent). */
function childCalls(fn: TraceDocument, segments: readonly TraceDocument[], owner: Map<string, TraceDocument>): TraceDocument[] {
  return segments.filter((s) => s.origin === SERVICE && s.parent_id !== undefined && owner.get(s.parent_id) === fn);
}

function descendants(service: TraceDocument, segments: readonly TraceDocument[], owner: Map<string, TraceDocument>): number {
  const fn = segments.find((s) => s.origin === FUNCTION && s.parent_id === service.id);
  if (!fn) return 0;
  return childCalls(fn, segments, owner).reduce((n, child) => n + 1 + descendants(child, segments, owner), 0);
}

function clip(doc: { start_time: number; end_time: number } | Interval, to: Interval): Interval | null {
  const start = Math.max('start' in doc ? doc.start : doc.start_time, to.start);
  const end = Math.min('end' in doc ? doc.end : doc.end_time, to.end);
  return end > start ? { start, end } : null;
}

function sumOf(docs: readonly TraceDocument[], within: Interval): number {
  return unionLength(docs.map((d) => clip(d, within)).filter((c): c is Interval => c !== null));
}

/** The length of a union of intervals: concurrent nested calls count once. */
export function unionLength(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let end = -Infinity;
  for (const i of sorted) {
    if (i.end <= end) continue;
    total += i.end - Math.max(i.start, end);
    end = i.end;
  }
  return total;
}
