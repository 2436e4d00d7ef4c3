/**
 * The local platform's X-Ray traces, in memory and bounded: a ring of traces, the oldest dropped
 * whole once the segments or the bytes they hold pass their limit. Each invocation is kept as its
 * ids and timings (about 300 bytes) and becomes documents only when fetched (xray-segments.ts).
 */
import { FaasbenchError } from '../core/errors.ts';
import { callStartUs, type XrayInvocation } from './xray-segments.ts';

export interface XrayLimits {
  /** Segments kept at most (two per invocation); default 500,000. */
  readonly maxSegments?: number;
  /** Bytes the kept invocations may hold at most (estimated); default 256 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_SEGMENTS = 500_000;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Segments each invocation adds: the AWS::Lambda one and the AWS::Lambda::Function one. */
export const SEGMENTS_PER_INVOCATION = 2;
/**
 * What an invocation costs beyond its strings: the object, its timings object and the array slot,
 * as V8 lays them out (about 20 fields of 8 bytes each, plus headers), rounded up.
 */
const INVOCATION_OVERHEAD_BYTES = 256;

/** One trace: its invocations in the order they ended, and the span of time they cover. */
export interface StoredTrace {
  readonly id: string;
  readonly invocations: XrayInvocation[];
  startUs: number;
  endUs: number;
  bytes: number;
}

export class XrayTraces {
  private readonly traces = new Map<string, StoredTrace>();
  private segments = 0;
  private bytes = 0;
  /** Traces dropped to stay within the limits since the platform started. */
  evicted = 0;
  readonly maxSegments: number;
  readonly maxBytes: number;

  constructor(limits: XrayLimits = {}) {
    this.maxSegments = limits.maxSegments ?? DEFAULT_MAX_SEGMENTS;
    this.maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  add(call: XrayInvocation): void {
    const size = invocationBytes(call);
    const startUs = callStartUs(call.timings);
    let trace = this.traces.get(call.traceId);
    if (!trace) {
      trace = { id: call.traceId, invocations: [], startUs, endUs: call.timings.endUs, bytes: 0 };
      this.traces.set(call.traceId, trace);
    }
    trace.invocations.push(call);
    trace.startUs = Math.min(trace.startUs, startUs);
    trace.endUs = Math.max(trace.endUs, call.timings.endUs);
    trace.bytes += size;
    this.segments += SEGMENTS_PER_INVOCATION;
    this.bytes += size;
    this.evict();
  }

  get(id: string): StoredTrace | undefined {
    return this.traces.get(id);
  }

  /** Every kept trace, oldest first (by when its first invocation ended). */
  all(): IterableIterator<StoredTrace> {
    return this.traces.values();
  }

  get size(): { readonly traces: number; readonly segments: number; readonly bytes: number } {
    return { traces: this.traces.size, segments: this.segments, bytes: this.bytes };
  }

  /** Drops the oldest traces until both limits hold; the newest trace stays even alone over them. */
  private evict(): void {
    for (const [id, trace] of this.traces) {
      if ((this.segments <= this.maxSegments && this.bytes <= this.maxBytes) || this.traces.size === 1) return;
      this.traces.delete(id);
      this.segments -= trace.invocations.length * SEGMENTS_PER_INVOCATION;
      this.bytes -= trace.bytes;
      this.evicted += 1;
    }
  }
}

/** An invocation's estimated size: its strings (one byte a character, as V8 keeps ASCII) and its objects. */
export function invocationBytes(call: XrayInvocation): number {
  const t = call.timings;
  const strings = [call.traceId, call.serviceSegmentId, call.functionSegmentId, call.parentId, t.fn, t.requestId, t.instanceId, t.errorType];
  return INVOCATION_OVERHEAD_BYTES + strings.reduce((sum, s) => sum + (s?.length ?? 0), 0);
}

/**
 * Limits from FAASBENCH_XRAY_MAX_SEGMENTS and FAASBENCH_XRAY_MAX_BYTES, so a platform started by any
 * command (`platform start`, a run's own) can be given them; unset means the defaults.
 */
export function xrayLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): XrayLimits {
  const read = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < SEGMENTS_PER_INVOCATION) throw new FaasbenchError('InvalidParameterValue', `${name}: expected a whole number of at least ${SEGMENTS_PER_INVOCATION}, got "${text}"`);
    return value;
  };
  const maxSegments = read('FAASBENCH_XRAY_MAX_SEGMENTS');
  const maxBytes = read('FAASBENCH_XRAY_MAX_BYTES');
  return { ...(maxSegments !== undefined ? { maxSegments } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}) };
}
