/**
 * The X-Ray ids of one call, drawn before it runs: its trace (the caller's Root, or a new one), its
 * two segments, and the caller's segment it hangs under. The function's trace header then names the
 * function segment as Parent, so a nested call it makes with that header lands under it.
 */
import { xrayRoot } from '../spans/xray-trace.ts';
import { newSpanId } from '../spans/trace-context.ts';
import type { TracedRun } from './invocation-spans.ts';
import { callerRoot, newRoot } from './trace-id.ts';
import type { XrayInvocation } from './xray-segments.ts';

export type XrayCall = Omit<XrayInvocation, 'timings' | 'arn'>;

const PARENT = /(?:^|;)\s*Parent=([0-9a-f]{16})\s*(?:;|$)/;

/**
 * A traced call (a caller's span context) keeps its trace: the function runs under the platform's
 * invoke span, which is then its function segment too. An untraced call keeps the Root of its
 * caller's X-Amzn-Trace-Id, sampled or not: that is how a nested call's header links it.
 */
export function xrayCall(callerHeader: string | undefined, traced: TracedRun | undefined): XrayCall {
  const serviceSegmentId = newSpanId();
  if (traced) {
    // Without the platform's spans the function runs under the caller's own span: that id is taken.
    const own = traced.parent.spanId !== traced.caller.spanId;
    return { traceId: xrayRoot(traced.caller.traceId), serviceSegmentId, functionSegmentId: own ? traced.parent.spanId : newSpanId(), parentId: traced.caller.spanId };
  }
  const parentId = callerHeader === undefined ? undefined : PARENT.exec(callerHeader)?.[1];
  return { traceId: callerRoot(callerHeader) ?? newRoot(), serviceSegmentId, functionSegmentId: newSpanId(), parentId };
}

/**
 * What the invoke request carries so the runtime's header names this call's trace and function
 * segment. The caller's header (`sent`) stays as it came unless it lacks the Root the call kept; a
 * traced call's header is made from its span context (trace-id.ts) and needs neither.
 */
export function xrayRequestFields(call: XrayCall, sent: string | undefined, traced: boolean): { traceId?: string; segmentId: string } {
  const keepsSent = traced || callerRoot(sent) === call.traceId;
  return { ...(keepsSent ? {} : { traceId: `Root=${call.traceId}` }), segmentId: call.functionSegmentId };
}

/**
 * The caller's header as this call kept it (its Root, and its Parent if it sent one): an Event
 * call's retries are given it, so every attempt lands in the trace of the first.
 */
export function keptCallerHeader(call: XrayCall): string {
  return `Root=${call.traceId}${call.parentId !== undefined ? `;Parent=${call.parentId}` : ''}`;
}
