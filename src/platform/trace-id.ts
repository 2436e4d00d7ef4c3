/**
 * The X-Ray trace header an invocation carries (Lambda-Runtime-Trace-Id, then _X_AMZN_TRACE_ID in
 * the function): `Root=1-<epoch seconds, 8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0`.
 */
import { randomBytes } from 'node:crypto';
import { xrayTraceHeader } from '../spans/xray-trace.ts';
import type { InvokeRequest } from './invocation.ts';

const ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/;

/**
 * The header the runtime is given for a request: a traced call's own trace (the caller's trace as
 * Root, the span the function runs under as Parent, sampled, as the caller records it), else
 * invocationTraceHeader's.
 */
export function runtimeTraceHeader(request: Pick<InvokeRequest, 'traceId' | 'parent' | 'segmentId'>, nowMs = Date.now()): string {
  return request.parent ? xrayTraceHeader(request.parent) : invocationTraceHeader(request.traceId, nowMs, request.segmentId);
}

/**
 * A new header for one invocation. The caller's Root (from its X-Amzn-Trace-Id) is kept, so nested
 * calls stay in one trace; the Parent is the invocation's own segment (its X-Ray function segment
 * when the platform drew it, xray-call.ts). Sampled=0: the platform records its own segments, and a
 * nested call must not take the header for a caller's span that a collector receives.
 */
export function invocationTraceHeader(callerHeader?: string, nowMs = Date.now(), segmentId?: string): string {
  const bytes = randomBytes(20);
  const root = callerRoot(callerHeader) ?? newRoot(nowMs, bytes.subarray(0, 12));
  return `Root=${root};Parent=${segmentId ?? bytes.toString('hex', 12, 20)};Sampled=0`;
}

/** The well-formed Root of a caller's X-Amzn-Trace-Id, if it has one. */
export function callerRoot(header: string | undefined): string | undefined {
  return header === undefined ? undefined : ROOT.exec(header)?.[1];
}

/** A new trace's Root: `1-<epoch seconds, 8 hex>-<24 hex>`. */
export function newRoot(nowMs = Date.now(), random: Uint8Array = randomBytes(12)): string {
  return `1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${Buffer.from(random).toString('hex')}`;
}
