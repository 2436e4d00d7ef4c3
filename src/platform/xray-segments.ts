/**
 * The X-Ray segment documents of one invocation on the local platform, shaped as Lambda's are: an
 * `AWS::Lambda` segment for the call as the service saw it (an Event attempt's `Dwell Time` in the
 * async queue, and `Queue wait` for a slot on a warm call)
 * and an `AWS::Lambda::Function` segment under it for the function's part (`Initialization` on a
 * cold start, `Overhead` until the handler ran, `Invocation`). Built from the same timings as the
 * platform's OTLP spans (invocation-spans.ts), only when a segment is asked for.
 */
import type { InvocationTimings } from '../spans/platform-spans.ts';

/** One invocation as the trace store keeps it: its ids and its timings, not its documents. */
export interface XrayInvocation {
  /** `1-<8 hex>-<24 hex>`: the Root the function's trace header carries. */
  readonly traceId: string;
  /** The `AWS::Lambda` segment's id. */
  readonly serviceSegmentId: string;
  /** The `AWS::Lambda::Function` segment's id: the Parent the function's trace header names, so its nested calls hang under it. */
  readonly functionSegmentId: string;
  /** The caller's segment or span (the Parent of its X-Amzn-Trace-Id), if it sent one. */
  readonly parentId: string | undefined;
  /** The function's ARN: the deployment's own string, shared, not a copy per invocation. */
  readonly arn: string;
  readonly timings: InvocationTimings;
}

/** A segment document as X-Ray stores it (the JSON in BatchGetTraces' `Document`). */
export interface SegmentDocument {
  readonly name: string;
  readonly id: string;
  readonly trace_id?: string;
  readonly parent_id?: string;
  /** Epoch seconds with microseconds as fractions. */
  readonly start_time: number;
  readonly end_time: number;
  readonly origin?: string;
  readonly fault?: boolean;
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly subsegments?: readonly SegmentDocument[];
}

/** The subsegment names, as Lambda's X-Ray integration names its own, and `Queue wait` for a warm call's wait for a slot. */
export const SUBSEGMENT = { dwell: 'Dwell Time', queue: 'Queue wait', init: 'Initialization', overhead: 'Overhead', invocation: 'Invocation' } as const;

/** When the call's `AWS::Lambda` segment starts: an Event attempt's, when it began waiting in the async queue (Lambda's Dwell Time). */
export function callStartUs(t: InvocationTimings): number {
  return t.event ? Math.min(t.event.queuedSinceUs, t.startUs) : t.startUs;
}

/**
 * The invocation's phases as consecutive instants (epoch µs) that never go backwards, so the parts
 * tile the call exactly: taken [t0], slot or instance ready [t2] (a warm call's wait ends at t1 = t2;
 * a cold call's wait is its process starting, part of init as in its OTLP span), handler started [t3],
 * result ready [t4].
 */
export interface Phases {
  readonly takenUs: number;
  readonly queuedUntilUs: number;
  readonly readyUs: number;
  readonly handlerUs: number;
  readonly endUs: number;
}

export function phasesOf(t: InvocationTimings): Phases {
  const endUs = Math.max(t.startUs, t.endUs);
  const clamp = (us: number): number => Math.min(endUs, Math.max(t.startUs, us));
  const queuedUntilUs = t.cold ? t.startUs : clamp(t.startUs + t.queueMs * 1000);
  const readyUs = t.cold ? clamp(t.startUs + (t.queueMs + (t.initMs ?? 0)) * 1000) : queuedUntilUs;
  const handlerUs = Math.max(readyUs, endUs - t.durationMs * 1000);
  return { takenUs: t.startUs, queuedUntilUs, readyUs, handlerUs, endUs };
}

const seconds = (us: number): number => us / 1e6;

/** The two documents of an invocation: the `AWS::Lambda` segment, then the `AWS::Lambda::Function` one. */
export function segmentDocuments(call: XrayInvocation): [SegmentDocument, SegmentDocument] {
  const { arn } = call;
  const t = call.timings;
  const p = phasesOf(t);
  const fault = t.errorType !== undefined ? { fault: true } : {};
  const sub = (name: string, startUs: number, endUs: number): SegmentDocument => ({ name, id: subsegmentId(call.functionSegmentId, name), start_time: seconds(startUs), end_time: seconds(endUs) });
  const startUs = callStartUs(t);
  const serviceSubsegments = [...(t.event ? [sub(SUBSEGMENT.dwell, startUs, p.takenUs)] : []), ...(t.cold ? [] : [sub(SUBSEGMENT.queue, p.takenUs, p.queuedUntilUs)])];
  const service: SegmentDocument = {
    name: t.fn,
    id: call.serviceSegmentId,
    trace_id: call.traceId,
    ...(call.parentId !== undefined ? { parent_id: call.parentId } : {}),
    start_time: seconds(startUs),
    end_time: seconds(p.endUs),
    origin: 'AWS::Lambda',
    ...fault,
    aws: { request_id: t.requestId, function_arn: arn, resource_names: [t.fn], ...(t.event ? { attempt: t.event.attempt } : {}) },
    ...(serviceSubsegments.length ? { subsegments: serviceSubsegments } : {}),
  };
  const functionSubsegments = [
    ...(t.cold ? [sub(SUBSEGMENT.init, p.takenUs, p.readyUs)] : []),
    sub(SUBSEGMENT.overhead, p.readyUs, p.handlerUs),
    sub(SUBSEGMENT.invocation, p.handlerUs, p.endUs),
  ];
  const fn: SegmentDocument = {
    name: t.fn,
    id: call.functionSegmentId,
    trace_id: call.traceId,
    parent_id: call.serviceSegmentId,
    start_time: seconds(p.queuedUntilUs),
    end_time: seconds(p.endUs),
    origin: 'AWS::Lambda::Function',
    ...fault,
    aws: { request_id: t.requestId, function_arn: arn, faasbench: { instance_id: t.instanceId, cold: t.cold, ...(t.errorType !== undefined ? { error_type: t.errorType } : {}) } },
    subsegments: functionSubsegments,
  };
  return [service, fn];
}

/**
 * A subsegment's id, derived from its segment's: 16 hex digits, distinct per name, the same on
 * every fetch, and nothing more to keep per invocation.
 */
export function subsegmentId(segmentId: string, name: string): string {
  let hash = 0x811c9dc5;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const high = (parseInt(segmentId.slice(0, 8), 16) ^ hash) >>> 0;
  return high.toString(16).padStart(8, '0') + segmentId.slice(8);
}
