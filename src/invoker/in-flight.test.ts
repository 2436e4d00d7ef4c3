// The table of calls in flight: slots reused, entries as the sink reads them, the drain's wait.
import { describe, expect, it } from 'vitest';
import { NO_FACTS } from '../core/invocation-record.ts';
import type { PlannedInvocation } from '../core/load-plan.ts';
import type { InvokeResult } from '../core/provider.ts';
import { InFlightTable, type AnswerHandler, type Slot } from './in-flight.ts';

const call = (seq: number): PlannedInvocation => ({ seq, offsetUs: 0, fn: 'f', payload: { event: {} }, phase: 'measure' });
const OK: InvokeResult = { status: 'ok', httpStatus: 200, payload: Buffer.alloc(0), errorClass: null, facts: NO_FACTS };

/** Records each answer's seq and frees its slot, as the invoker's records do. */
function table(): { table: InFlightTable; answered: number[] } {
  const answered: number[] = [];
  const handler: AnswerHandler = {
    answered: (slot) => {
      answered.push(slot.call.seq);
      t.release(slot);
    },
    failed: (slot) => t.release(slot),
  };
  const t = new InFlightTable(handler);
  return { table: t, answered };
}

describe('InFlightTable', () => {
  it('carries a thousand calls one after another on a single slot', () => {
    const { table: t, answered } = table();
    const slots = new Set<Slot>();
    for (let seq = 0; seq < 1000; seq++) {
      const slot = t.take(call(seq), seq, seq + 1, undefined);
      slots.add(slot);
      slot.onResult(OK);
    }
    expect(slots.size).toBe(1);
    expect(answered).toEqual([...Array(1000).keys()]);
    expect(t.size).toBe(0);
  });

  it('grows to the peak in flight and lists exactly the calls not yet answered, whatever order they answer in', () => {
    const { table: t } = table();
    const slots = [0, 1, 2, 3, 4].map((seq) => t.take(call(seq), 100 + seq, 200 + seq, undefined));
    slots[1]!.onResult(OK);
    slots[3]!.onResult(OK);
    expect(t.entries().map((s) => [s.call.seq, s.plannedUs, s.sentUs, s.recorded]).sort()).toEqual([
      [0, 100, 200, false],
      [2, 102, 202, false],
      [4, 104, 204, false],
    ]);
    // The two freed slots carry the next two calls; no third is made.
    const next = [5, 6].map((seq) => t.take(call(seq), 0, 0, undefined));
    expect(new Set([...next, slots[1], slots[3]]).size).toBe(2);
    expect(t.size).toBe(5);
  });

  it('resolves whenEmpty once the last call in flight is answered', async () => {
    const { table: t } = table();
    const a = t.take(call(0), 0, 0, undefined);
    const b = t.take(call(1), 0, 0, undefined);
    let emptied = 0;
    const waiting = t.whenEmpty().then(() => emptied++);
    a.onResult(OK);
    await Promise.resolve();
    expect(emptied).toBe(0);
    b.onFailure(new Error('x'));
    await waiting;
    expect(emptied).toBe(1);
    await t.whenEmpty();
  });
});
