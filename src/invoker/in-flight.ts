/**
 * The invoker's table of calls in flight: a pool of slots, each reused once its call is recorded,
 * with the answer callbacks bound once per slot. A run at thousands of calls a second then
 * allocates no entry, map node or closure per call; the table grows to the run's peak in-flight
 * count and stays there.
 */
import { epochMicros } from '../core/clock.ts';
import type { PlannedInvocation } from '../core/load-plan.ts';
import type { InvokeResult } from '../core/provider.ts';
import type { CallTrace } from '../spans/client-spans.ts';

/** What the table hands its owner when a call's answer (or the provider's failure) arrives. */
export interface AnswerHandler {
  answered(slot: Slot, result: InvokeResult, receivedUs: number): void;
  failed(slot: Slot, err: unknown, receivedUs: number): void;
}

/** One call in flight; its fields are rewritten for each call the slot carries. */
export class Slot {
  call: PlannedInvocation;
  plannedUs = 0;
  sentUs = 0;
  trace: CallTrace | undefined = undefined;
  /** Set by the first record written for the call: a late answer after the drain bound is ignored. */
  recorded = false;
  /** Where the slot sits in the table's list of active slots, for removal in O(1). */
  position = -1;
  /**
   * Bound once, handed to every call's promise: the time is read first, where the provider's
   * answer arrives, so a busy loop does not stretch the latency it records.
   */
  readonly onResult = (result: InvokeResult): void => this.handler.answered(this, result, epochMicros());
  readonly onFailure = (err: unknown): void => this.handler.failed(this, err, epochMicros());

  constructor(
    private readonly handler: AnswerHandler,
    call: PlannedInvocation,
  ) {
    this.call = call;
  }
}

export class InFlightTable {
  /** Slots carrying a call, densely packed (a slot's `position` is its index). */
  readonly #active: Slot[] = [];
  readonly #free: Slot[] = [];
  #emptied: (() => void) | undefined;

  constructor(private readonly handler: AnswerHandler) {}

  get size(): number {
    return this.#active.length;
  }

  /** A slot for a call about to go out; the caller fills its times. */
  take(call: PlannedInvocation, plannedUs: number, sentUs: number, trace: CallTrace | undefined): Slot {
    const slot = this.#free.pop() ?? new Slot(this.handler, call);
    slot.call = call;
    slot.plannedUs = plannedUs;
    slot.sentUs = sentUs;
    slot.trace = trace;
    slot.recorded = false;
    slot.position = this.#active.length;
    this.#active.push(slot);
    return slot;
  }

  /** Gives back a slot whose call is recorded; it may carry the next call at once. */
  release(slot: Slot): void {
    const last = this.#active.pop()!;
    if (last !== slot) {
      this.#active[slot.position] = last;
      last.position = slot.position;
    }
    slot.position = -1;
    slot.call = PLACEHOLDER;
    slot.trace = undefined;
    this.#free.push(slot);
    if (this.#active.length === 0 && this.#emptied) {
      const resolve = this.#emptied;
      this.#emptied = undefined;
      resolve();
    }
  }

  /** The calls in flight now, as a copy: a reader (a journaling sink) may keep it past the next send. */
  entries(): Slot[] {
    return this.#active.slice();
  }

  /** Resolves when no call is in flight (at once when none is). */
  whenEmpty(): Promise<void> {
    if (this.#active.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#emptied;
      this.#emptied = previous ? () => (previous(), resolve()) : resolve;
    });
  }
}

/** What a free slot points at instead of its last call, so the call can be collected. */
const PLACEHOLDER: PlannedInvocation = { seq: -1, offsetUs: 0, fn: '', payload: { event: null }, phase: 'measure' };
