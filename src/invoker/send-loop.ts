/**
 * The send loop: takes the plan's calls in order and sends each at its planned time. Every call
 * already due goes out in the same turn, one after another; the loop awaits only to sleep until
 * the next call's time (or, when it has been busy for MAX_BUSY_US, to let answers be read). So a
 * call costs its provider request, a slot of the in-flight table and its record, not a promise
 * and closures of the loop's own.
 */
import { epochMicros } from '../core/clock.ts';
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';
import type { Provider } from '../core/provider.ts';
import type { CallTracer } from '../spans/client-spans.ts';
import { CallRecords } from './call-records.ts';
import { InFlightTable, type Slot } from './in-flight.ts';
import type { Progress } from './progress.ts';
import { within } from '../core/within.ts';
import { dueWithoutYield, spinUntil, waitUntil } from './wait-until.ts';

export interface SendLoopOptions {
  readonly plan: LoadPlan;
  /** The plan's calls, read once (plan-head.ts). */
  readonly calls: Iterator<PlannedInvocation>;
  readonly provider: Provider;
  readonly payloadOf: (call: PlannedInvocation) => Buffer;
  readonly records: CallRecords;
  readonly progress: Progress;
  readonly maxInFlight: number;
  readonly startUs: number;
  readonly signal?: AbortSignal | undefined;
  readonly drainTimeoutMs?: number | undefined;
  readonly spans?: CallTracer | undefined;
  /** Sees the table of calls in flight for the run's length; returns the unwatch. */
  readonly watch?: ((inFlight: () => Iterable<Slot>) => () => void) | undefined;
}

/** Sends the plan, then awaits the calls in flight up to the drain bound and records the rest as unanswered. */
export async function sendLoop(o: SendLoopOptions): Promise<void> {
  const { records, signal } = o;
  const table = new InFlightTable(records);
  records.table = table;
  const unwatch = o.watch?.(() => table.entries());
  // A plan that throws (a payload that cannot be built) still leaves its calls in flight recorded.
  let threw = false;
  try {
    await (o.plan.closedLoop ? closedLoop(o, table, o.plan.closedLoop.gapUs) : openLoop(o, table));
  } catch (err) {
    threw = true;
    throw err;
  } finally {
    await within(table.whenEmpty(), o.drainTimeoutMs ?? (signal?.aborted || threw ? 10_000 : 900_000));
    for (const slot of table.entries()) records.unanswered(slot);
    unwatch?.();
  }
}

async function openLoop(o: SendLoopOptions, table: InFlightTable): Promise<void> {
  const { signal, startUs } = o;
  const { calls } = o;
  for (let next = calls.next(); !next.done; next = calls.next()) {
    const call = next.value;
    const plannedUs = startUs + call.offsetUs;
    const now = epochMicros();
    if (!dueWithoutYield(plannedUs, now)) await waitUntil(plannedUs, signal);
    else if (plannedUs > now) spinUntil(plannedUs);
    if (signal?.aborted) return;
    sendOne(o, table, call, plannedUs);
  }
}

/** One call in flight at a time: call k+1 goes at the later of its offset and call k's answer plus the gap. */
async function closedLoop(o: SendLoopOptions, table: InFlightTable, gapUs: number): Promise<void> {
  const { signal, startUs } = o;
  let first = true;
  for (let next = o.calls.next(); !next.done; next = o.calls.next()) {
    const call = next.value;
    let plannedUs = startUs + call.offsetUs;
    if (!first) {
      await table.whenEmpty();
      plannedUs = Math.max(plannedUs, epochMicros() + gapUs);
    }
    first = false;
    await waitUntil(plannedUs, signal);
    if (signal?.aborted) return;
    sendOne(o, table, call, plannedUs);
  }
}

function sendOne(o: SendLoopOptions, table: InFlightTable, call: PlannedInvocation, plannedUs: number): void {
  if (table.size >= o.maxInFlight) {
    o.records.dropped(call, plannedUs);
    return;
  }
  const payload = o.payloadOf(call);
  const trace = o.spans?.begin();
  const sentUs = epochMicros();
  const slot = table.take(call, plannedUs, sentUs, trace);
  try {
    o.provider.invoke(call.fn, payload, trace).then(slot.onResult, slot.onFailure);
  } catch (err) {
    // A provider that throws instead of rejecting: the call is recorded as its failure all the same.
    slot.onFailure(err);
  }
  o.progress.markSent(sentUs - plannedUs);
}
