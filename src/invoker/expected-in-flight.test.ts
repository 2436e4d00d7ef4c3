// How many connections a run asks its provider to open ahead: the most calls within one expected latency.
import { describe, expect, it } from 'vitest';
import { planOf, type LoadPlan } from '../core/load-plan.ts';
import { EXPECTED_LATENCY_US, expectedInFlight } from './expected-in-flight.ts';
import { readHead } from './plan-head.ts';

/** The estimate as runPlan makes it, from the plan's head. */
const expected = (p: LoadPlan, maxInFlight: number): number => expectedInFlight(p, readHead(p, 10_000).head, maxInFlight);

function plan(offsetsUs: readonly number[], meta: Partial<Omit<LoadPlan, typeof Symbol.iterator>> = {}): LoadPlan {
  return planOf({ functions: ['f'], count: offsetsUs.length, durationUs: offsetsUs.at(-1) ?? 0, ...meta }, function* () {
    for (const [seq, offsetUs] of offsetsUs.entries()) yield { seq, offsetUs, fn: 'f', payload: { event: {} }, phase: 'measure' };
  });
}

describe('expectedInFlight', () => {
  it('is the plan rate times the expected latency for a constant plan', () => {
    // 1,000/s: 20 calls in any 20 ms window; the mean over the plan rounds up to 21.
    const spaced = Array.from({ length: 2_000 }, (_, i) => i * 1_000);
    expect(EXPECTED_LATENCY_US).toBe(20_000);
    expect(expected(plan(spaced), 10_000)).toBe(21);
  });

  it('counts a burst planned at one instant whole, capped at maxInFlight', () => {
    const burst = [...Array(300).fill(0), 5_000_000];
    expect(expected(plan(burst), 10_000)).toBe(300);
    expect(expected(plan(burst), 64)).toBe(64);
  });

  it('reads the plan once, and hands every call on in order after its head', () => {
    let yielded = 0;
    const counted = planOf({ functions: ['f'], count: 5 }, function* () {
      for (let seq = 0; seq < 5; seq++, yielded++) yield { seq, offsetUs: seq, fn: 'f', payload: { event: {} }, phase: 'measure' };
    });
    const { head, calls } = readHead(counted, 3);
    expect(head.map((c) => c.seq)).toEqual([0, 1, 2]);
    const all: number[] = [];
    for (let next = calls.next(); !next.done; next = calls.next()) all.push(next.value.seq);
    expect(all).toEqual([0, 1, 2, 3, 4]);
    expect(yielded).toBe(5);
  });

  it('expects one call in flight for a closed loop, and none for an empty plan', () => {
    expect(expected(plan([0, 0, 0], { closedLoop: { gapUs: 0 } }), 1_000)).toBe(1);
    expect(expected(plan([]), 1_000)).toBe(0);
  });
});
