/**
 * Event (asynchronous) calls, run as Lambda runs them. Each function has a bounded queue of the
 * calls it accepted and has not finished; they run as capacity frees, never throttled and never
 * held to the synchronous queueTimeoutS; a function error is retried (eventRetryAttempts, after
 * eventRetryDelaysS) with the same request id. An event is dropped only when its queue is full (it
 * is then refused at the door with 429), when it outlives eventMaxAgeS, when its attempts are
 * spent, or when its function is removed or the platform stops; every drop is logged on stderr and
 * counted in /metrics. Lambda's documentation of this: invocation-async-error-handling.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { epochMicros } from '../core/clock.ts';
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import type { PlatformSpans } from '../spans/platform-spans.ts';
import type { SpanContext } from '../spans/trace-context.ts';
import type { FunctionSnapshot, InvocationResult, InvokeRequest } from './invocation.ts';
import { runSpans, timingsOf, traceRun } from './invocation-spans.ts';
import { keptCallerHeader, xrayCall, xrayRequestFields } from './xray-call.ts';
import type { XrayTraces } from './xray-traces.ts';

/** Lambda's Event payload limit: 1 MB (1,048,576 bytes) since October 2025; it was 256 KB. */
export const EVENT_PAYLOAD_MAX_BYTES = 1_048_576;

/**
 * Payload bytes held across every function's queue. The per-function count bound alone allows
 * 1,000 x 1 MB per function, enough to take the platform (and the invoker beside it) out of memory
 * long before any 429; past this budget a call is refused as queue-full instead.
 */
export const EVENT_QUEUE_MAX_BYTES = 256 * 1024 * 1024;

export type EventDropReason = 'queue-full' | 'max-age' | 'retries-exhausted' | 'removed' | 'shutdown' | 'platform-error';

export interface EventQueueState {
  readonly function: string;
  /** Accepted and not finished: waiting for a slot, running, or waiting to retry. */
  readonly events: number;
  readonly limit: number;
}

/** What the queue needs from the platform: a narrow view, so the queue is testable on its own. */
export interface EventRunner {
  /** One attempt, waiting for a slot up to `maxWaitMs`. */
  attempt(fn: FunctionSnapshot, request: InvokeRequest, maxWaitMs: number): Promise<InvocationResult>;
  /** The function as deployed now (a retry runs the current revision); undefined once removed. */
  current(fn: FunctionSnapshot): FunctionSnapshot | undefined;
  /** Where a traced event's spans go; none when absent or null. */
  spans?(): PlatformSpans | null;
  /** Where each attempt's X-Ray segments go (xray-traces.ts); none when absent. */
  xray?(): XrayTraces;
}

/** What an Event call keeps of its caller's trace for every attempt. */
export interface EventTrace {
  /** The caller's X-Amzn-Trace-Id, whose Root each attempt keeps. */
  readonly traceId?: string | undefined;
  /** The caller's span: each attempt's spans are its children. */
  readonly caller?: SpanContext | undefined;
}

export interface EventEvents {
  accepted(fn: string): void;
  finished(result: InvocationResult): void;
  retried(fn: string): void;
  dropped(fn: string, reason: EventDropReason): void;
}

/** A retry's wait, cut short when the platform stops. */
interface Pause {
  readonly timer: NodeJS.Timeout;
  readonly resume: () => void;
}

export class EventQueue {
  private readonly counts = new Map<string, number>();
  private readonly limits = new Map<string, number>();
  private readonly pauses = new Set<Pause>();
  private closed = false;
  private queuedBytes = 0;

  constructor(
    private readonly runner: EventRunner,
    private readonly events: EventEvents,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  /**
   * Accepts an Event call, or refuses it (413 over the payload limit, 429 with the queue full).
   * `done` settles once the call has run (after its retries) or been dropped; it never rejects.
   */
  submit(fn: FunctionSnapshot, payload: Buffer, requestId: string = randomUUID(), trace: EventTrace = {}): { requestId: string; done: Promise<void> } {
    if (payload.length > EVENT_PAYLOAD_MAX_BYTES) {
      throw new FaasbenchError('RequestTooLarge', `${payload.length} byte payload is too large for the Event invocation type (limit ${EVENT_PAYLOAD_MAX_BYTES} bytes)`);
    }
    if (this.closed) throw new FaasbenchError('ServiceUnavailable', 'the platform is stopping: Event calls are no longer accepted');
    this.announce(fn);
    const waiting = this.counts.get(fn.name) ?? 0;
    if (waiting >= fn.settings.eventQueueLimit) {
      this.drop(fn.name, requestId, 'queue-full', `the queue holds ${waiting} events (eventQueueLimit ${fn.settings.eventQueueLimit}); refused with 429`);
      throw new FaasbenchError('TooManyRequests', `Rate Exceeded. Function ${fn.name}: its event queue is full (${waiting} events, eventQueueLimit ${fn.settings.eventQueueLimit})`);
    }
    if (this.queuedBytes + payload.length > EVENT_QUEUE_MAX_BYTES) {
      this.drop(fn.name, requestId, 'queue-full', `queued events hold ${this.queuedBytes} bytes of the platform's ${EVENT_QUEUE_MAX_BYTES}; refused with 429`);
      throw new FaasbenchError('TooManyRequests', `Rate Exceeded. The platform's event queues hold ${this.queuedBytes} bytes (limit ${EVENT_QUEUE_MAX_BYTES})`);
    }
    this.counts.set(fn.name, waiting + 1);
    this.queuedBytes += payload.length;
    this.events.accepted(fn.name);
    const request = { requestId, payload, ...(trace.traceId !== undefined ? { traceId: trace.traceId } : {}) };
    const done = this.process(fn, request, performance.now(), trace.caller).finally(() => {
      this.counts.set(fn.name, (this.counts.get(fn.name) ?? 1) - 1);
      this.queuedBytes -= payload.length;
    });
    return { requestId, done };
  }

  state(): EventQueueState[] {
    return [...this.limits].map(([name, limit]) => ({ function: name, events: this.counts.get(name) ?? 0, limit }));
  }

  /** Stops retrying: events waiting out a retry delay are dropped (`shutdown`) at once. */
  close(): void {
    this.closed = true;
    for (const pause of this.pauses) {
      clearTimeout(pause.timer);
      pause.resume();
    }
    this.pauses.clear();
  }

  /** Logs a function's bound the first time it is used, and again whenever it changes. */
  private announce(fn: FunctionSnapshot): void {
    const { eventQueueLimit, eventRetryAttempts, eventRetryDelaysS, eventMaxAgeS } = fn.settings;
    if (this.limits.get(fn.name) === eventQueueLimit) return;
    this.limits.set(fn.name, eventQueueLimit);
    const delays = eventRetryDelaysS.slice(0, eventRetryAttempts).join(' s, ');
    const retries = eventRetryAttempts === 0 ? 'no retries' : `${eventRetryAttempts} ${eventRetryAttempts === 1 ? 'retry' : 'retries'} after ${delays} s`;
    this.log(`faasbench platform: event queue of ${fn.name}: up to ${eventQueueLimit} events (eventQueueLimit), ${retries}, maximum age ${eventMaxAgeS} s`);
  }

  private async process(first: FunctionSnapshot, request: InvokeRequest, acceptedAt: number, caller: SpanContext | undefined): Promise<void> {
    let fn = first;
    // A retry's wait for its delay is time in the queue too: from the last attempt's end.
    let queuedSinceUs = epochMicros();
    let xrayHeader = request.traceId;
    for (let attempt = 1; ; attempt += 1) {
      const ageLeftMs = fn.settings.eventMaxAgeS * 1000 - (performance.now() - acceptedAt);
      if (ageLeftMs <= 0) return this.drop(fn.name, request.requestId, 'max-age', `older than eventMaxAgeS ${fn.settings.eventMaxAgeS} s before attempt ${attempt}`);
      const spans = this.runner.spans?.() ?? null;
      const startUs = epochMicros();
      const run = traceRun(caller, spans, startUs);
      const xray = xrayCall(xrayHeader, run);
      xrayHeader = keptCallerHeader(xray);
      let result: InvocationResult;
      try {
        result = await this.runner.attempt(fn, { ...request, ...xrayRequestFields(xray, request.traceId, run !== undefined), ...(run ? { parent: run.parent } : {}) }, ageLeftMs);
      } catch (err) {
        return this.drop(fn.name, request.requestId, this.reasonOf(err), `attempt ${attempt}: ${(err as Error).message}`);
      }
      const endUs = epochMicros();
      runSpans(spans, run, result, { attempt, queuedSinceUs }, endUs);
      this.runner.xray?.().add({ ...xray, arn: fn.arn, timings: { ...timingsOf(result, startUs, endUs), event: { attempt, queuedSinceUs } } });
      queuedSinceUs = epochMicros();
      this.events.finished(result);
      if (result.outcome.kind === 'success') return;
      if (attempt > fn.settings.eventRetryAttempts) {
        return this.drop(fn.name, request.requestId, 'retries-exhausted', `${attempt} attempts failed, the last with ${result.outcome.errorType}`);
      }
      this.events.retried(fn.name);
      await this.pause((fn.settings.eventRetryDelaysS[attempt - 1] ?? 0) * 1000);
      const current = this.runner.current(fn);
      if (this.closed) return this.drop(fn.name, request.requestId, 'shutdown', `the platform stopped before retry ${attempt}`);
      if (!current) return this.drop(fn.name, request.requestId, 'removed', `the function was removed before retry ${attempt}`);
      fn = current;
    }
  }

  private reasonOf(err: unknown): EventDropReason {
    if (this.closed) return 'shutdown';
    if (isFaasbenchError(err, 'TooManyRequests')) return 'max-age';
    return isFaasbenchError(err, 'ResourceNotFound') ? 'removed' : 'platform-error';
  }

  private pause(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const pause: Pause = {
        timer: setTimeout(() => {
          this.pauses.delete(pause);
          resolve();
        }, ms),
        resume: resolve,
      };
      this.pauses.add(pause);
    });
  }

  private drop(fn: string, requestId: string, reason: EventDropReason, detail: string): void {
    this.events.dropped(fn, reason);
    this.log(`faasbench platform: event ${requestId} to ${fn} dropped (${reason}): ${detail}`);
  }
}
