/**
 * The record of each call, written as its outcome is known: answered, dropped at the in-flight
 * bound, or given up after the drain. Each record is one object literal of the record's full
 * shape, so every record of a run shares one hidden class and nothing else is built per call.
 */
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import type { PlannedInvocation } from '../core/load-plan.ts';
import type { InvokeResult } from '../core/provider.ts';
import type { CallTracer } from '../spans/client-spans.ts';
import type { AnswerHandler, InFlightTable, Slot } from './in-flight.ts';
import type { Progress } from './progress.ts';

export interface CallRecordsOptions {
  readonly runId: string;
  readonly sink: { write(record: InvocationRecord): void };
  readonly progress: Progress;
  readonly spans?: CallTracer | undefined;
  readonly onAnswer?: ((call: PlannedInvocation, result: InvokeResult) => void) | undefined;
}

export class CallRecords implements AnswerHandler {
  /** Set once the table exists: the two refer to each other. */
  table!: InFlightTable;

  constructor(private readonly o: CallRecordsOptions) {}

  answered(slot: Slot, result: InvokeResult, receivedUs: number): void {
    if (slot.recorded) return;
    slot.recorded = true;
    const { call } = slot;
    const facts = result.facts;
    try {
      this.#write(slot, {
        runId: this.o.runId,
        seq: call.seq,
        fn: call.fn,
        phase: call.phase,
        tag: call.tag ?? null,
        plannedUs: slot.plannedUs,
        requestId: facts.requestId,
        instanceId: facts.instanceId,
        cold: facts.cold,
        initMs: facts.initMs,
        durationMs: facts.durationMs,
        billedMs: facts.billedMs,
        memoryMb: facts.memoryMb,
        maxMemoryMb: facts.maxMemoryMb,
        sentUs: slot.sentUs,
        receivedUs,
        latencyMs: (receivedUs - slot.sentUs) / 1000,
        status: result.status,
        httpStatus: result.httpStatus,
        errorClass: result.errorClass,
      });
      this.o.progress.markDone(result.status);
      this.o.onAnswer?.(call, result);
    } finally {
      // Freed even when a sink throws: the slot must not hold the run's end open.
      this.table.release(slot);
    }
  }

  /** A provider must not reject; if one does, the call still gets a record that says so. */
  failed(slot: Slot, err: unknown, receivedUs: number): void {
    const result: InvokeResult = { status: 'transport-error', httpStatus: null, payload: Buffer.alloc(0), errorClass: `ProviderFailure: ${(err as Error)?.message ?? String(err)}`, facts: NO_FACTS };
    this.answered(slot, result, receivedUs);
  }

  dropped(call: PlannedInvocation, plannedUs: number): void {
    this.o.sink.write(this.#unsent(call, plannedUs, null, 'dropped', 'InFlightLimit'));
    this.o.progress.markDone('dropped');
  }

  /** Still in flight when the drain bound passed: sent, never answered. The slot stays taken. */
  unanswered(slot: Slot): void {
    if (slot.recorded) return;
    slot.recorded = true;
    this.#write(slot, this.#unsent(slot.call, slot.plannedUs, slot.sentUs, 'transport-error', 'Unanswered'));
    this.o.progress.markDone('transport-error');
  }

  #write(slot: Slot, record: InvocationRecord): void {
    this.o.sink.write(record);
    // The span only queues the record: it is built and exported later, off this path.
    if (slot.trace) this.o.spans?.end(record, slot.trace);
  }

  /** A record with no answer, in the same field order as an answered one. */
  #unsent(call: PlannedInvocation, plannedUs: number, sentUs: number | null, status: 'dropped' | 'transport-error', errorClass: string): InvocationRecord {
    return {
      runId: this.o.runId,
      seq: call.seq,
      fn: call.fn,
      phase: call.phase,
      tag: call.tag ?? null,
      plannedUs,
      requestId: null,
      instanceId: null,
      cold: null,
      initMs: null,
      durationMs: null,
      billedMs: null,
      memoryMb: null,
      maxMemoryMb: null,
      sentUs,
      receivedUs: null,
      latencyMs: null,
      status,
      httpStatus: null,
      errorClass,
    };
  }
}
