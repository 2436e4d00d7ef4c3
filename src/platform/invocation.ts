/**
 * What one invocation on the local platform is and what it yields. Shared by the instance that runs
 * it, the pool that places it and the APIs that report it.
 */
import type { FunctionSettings } from '../core/function-package.ts';
import type { Runtime } from '../core/runtime-id.ts';
import type { SpanContext } from '../spans/trace-context.ts';
import type { FunctionMeasurement } from './measurement.ts';

/** The deployed function as an instance sees it; a new revision means new instances. */
export interface FunctionSnapshot {
  readonly name: string;
  readonly arn: string;
  readonly runtime: Runtime;
  /** The identifier the function was deployed with (`nodejs20.x`, `python`...). */
  readonly runtimeId: string;
  readonly handler: string;
  readonly codeDir: string;
  readonly settings: FunctionSettings;
  readonly revision: number;
  /** `$LATEST`, or a published version's number: each has instances of its own, as on Lambda. */
  readonly version: string;
}

/** How an instance came to be: on-demand for a call, or ahead of calls for provisioned concurrency. */
export type InitializationType = 'on-demand' | 'provisioned-concurrency';

export interface InvokeRequest {
  readonly requestId: string;
  readonly payload: Buffer;
  /** Base64 JSON, as the Lambda API's X-Amz-Client-Context carries it; decoded for the runtime. */
  readonly clientContext?: string;
  /** The caller's X-Amzn-Trace-Id: the invocation's trace keeps its Root. */
  readonly traceId?: string;
  /**
   * A traced call's span the function runs under (invocation-spans.ts): the runtime's trace header
   * then carries the caller's trace as Root and this span as Parent, instead of a trace of its own.
   */
  readonly parent?: SpanContext;
  /** The function's X-Ray segment (xray-call.ts): the Parent its trace header names; drawn at random when absent. */
  readonly segmentId?: string;
  /** The ARN the caller named (with its alias or version), which the runtime is told; default the function's. */
  readonly invokedArn?: string;
  /** Where a streamed response goes as the runtime sends it (InvokeWithResponseStream); else it is buffered. */
  readonly stream?: ResponseSink;
}

/**
 * A caller reading a response as it is streamed: told once when the first bytes come (with the
 * response's content type and the version running), then each chunk. The end, and any error, come
 * with the InvocationResult as for every call.
 */
export interface ResponseSink {
  start(contentType: string, executedVersion: string): void;
  chunk(bytes: Buffer): void;
}

/** Lambda's limit on a streamed response (20 MiB); past it the call ends with Function.ResponseSizeTooLarge. */
export const STREAM_MAX_BYTES = 20 * 1024 * 1024;

export type InvocationOutcome =
  | { readonly kind: 'success'; readonly payload: Buffer }
  /** Lambda reports every function error as "Unhandled"; errorType tells them apart. */
  | { readonly kind: 'function-error'; readonly payload: Buffer; readonly errorType: string };

export interface InvocationResult {
  readonly functionName: string;
  /** `$LATEST` or the version number that ran (X-Amz-Executed-Version). */
  readonly executedVersion: string;
  readonly requestId: string;
  readonly instanceId: string;
  readonly cold: boolean;
  readonly initMs?: number;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryMb: number;
  readonly maxMemoryMb: number;
  /** The CPU share the instance's cgroup was given, in vCPUs; null when none was applied. */
  readonly cpuVcpus: number | null;
  /** Time spent waiting for an instance slot when the function queues at its limit. */
  readonly queueMs: number;
  readonly outcome: InvocationOutcome;
  /** The invocation's log: INIT_START (cold), START, function output, END, REPORT. */
  readonly log: string;
  /** What was measured inside the call (measure-call.ts); absent for a call never delivered. */
  readonly measurement?: FunctionMeasurement;
}

export type EvictionReason = 'idle' | 'config-change' | 'exit' | 'oom' | 'timeout' | 'init-error' | 'removed' | 'shutdown';

/**
 * Lambda's synchronous limits differ by 100 bytes, and its own error messages state both: a request
 * "must be smaller than 6291456 bytes for the InvokeFunction operation"; a response "exceeded
 * maximum allowed payload size (6291556 bytes)".
 */
export const SYNC_REQUEST_MAX_BYTES = 6_291_456;
export const SYNC_PAYLOAD_MAX_BYTES = 6_291_556;

export const RESPONSE_TOO_LARGE = 'Function.ResponseSizeTooLarge';

/** What Lambda answers for a response over the limit; the size is known when the runtime declared it. */
export function responseTooLargePayload(sizeBytes: number | undefined): Buffer {
  const size = sizeBytes === undefined ? '' : ` (${sizeBytes} bytes)`;
  const errorMessage = `Response payload size${size} exceeded maximum allowed payload size (${SYNC_PAYLOAD_MAX_BYTES} bytes).`;
  return Buffer.from(JSON.stringify({ errorMessage, errorType: RESPONSE_TOO_LARGE }));
}

export function errorPayload(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}
