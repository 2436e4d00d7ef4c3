/**
 * InvocationRecord: one row per call, what every consumer downstream of the invoker reads
 * (DESIGN.md §8). Times are epoch µs from core/clock; the platform's own account (cold, init,
 * billed...) is present when the provider reports it and null when it does not.
 */
import type { Phase } from './load-plan.ts';

export type InvocationStatus =
  /** The function answered. */
  | 'ok'
  /** The function ran and failed (Lambda's X-Amz-Function-Error, a 5xx from a trigger). */
  | 'function-error'
  /** The platform refused the call for capacity (429). */
  | 'throttled'
  /** The platform refused the call as bad (4xx other than 429). */
  | 'rejected'
  /** No response: connection refused or reset, client timeout. */
  | 'transport-error'
  /** Never sent: the in-flight bound was reached at its planned time (overload, counted, not hidden). */
  | 'dropped'
  /**
   * Sent, and the invoker stopped (killed) before an answer was recorded: the call may have run.
   * Written provisionally at send time and replaced by the real outcome when it arrives.
   */
  | 'unknown';

/** What the platform says about one invocation, from headers or a REPORT line. */
export interface PlatformFacts {
  readonly requestId: string | null;
  readonly instanceId: string | null;
  readonly cold: boolean | null;
  readonly initMs: number | null;
  readonly durationMs: number | null;
  readonly billedMs: number | null;
  readonly memoryMb: number | null;
  readonly maxMemoryMb: number | null;
}

export const NO_FACTS: PlatformFacts = {
  requestId: null,
  instanceId: null,
  cold: null,
  initMs: null,
  durationMs: null,
  billedMs: null,
  memoryMb: null,
  maxMemoryMb: null,
};

export interface InvocationRecord extends PlatformFacts {
  readonly runId: string;
  readonly seq: number;
  readonly fn: string;
  readonly phase: Phase;
  readonly tag: string | null;
  readonly plannedUs: number;
  /** Null when dropped. sent - planned is the lateness. */
  readonly sentUs: number | null;
  readonly receivedUs: number | null;
  /** received - sent, ms; null when there was no response. */
  readonly latencyMs: number | null;
  readonly status: InvocationStatus;
  /** HTTP status, when the provider speaks HTTP. */
  readonly httpStatus: number | null;
  /** A stable class for counting: Lambda's errorType, `TooManyRequestsException`, `ECONNRESET`... */
  readonly errorClass: string | null;
}
