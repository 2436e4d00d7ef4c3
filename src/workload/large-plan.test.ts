import { describe, expect, it } from 'vitest';
import type { PlannedInvocation } from '../core/load-plan.ts';
import { settleHeap } from '../core/settle-heap.ts';
import { planPattern } from './registry.ts';

const target = { fn: 'f', payload: { input: 'small' } } as const;
const MB = 1024 * 1024;

/**
 * Walks the plan, calling `check` on each call; returns the peak growth of the live heap seen on
 * the way. Each sample follows a full collection: heapUsed alone counts garbage not yet collected,
 * which a worker whose earlier test files grew its heap limit leaves for longer (460 MB of it
 * once, in a test process shared with other files), and what is asked is what the plan holds.
 */
function walk(plan: Iterable<PlannedInvocation>, check: (call: PlannedInvocation) => void): number {
  const liveHeap = (): number => {
    settleHeap();
    return process.memoryUsage().heapUsed;
  };
  const startHeap = liveHeap();
  let peakGrowth = 0;
  let seen = 0;
  for (const call of plan) {
    check(call);
    if (++seen % 250_000 === 0) peakGrowth = Math.max(peakGrowth, liveHeap() - startHeap);
  }
  return peakGrowth;
}

describe('a 10-million-call plan', () => {
  it('iterates in order without holding the calls in memory', () => {
    const plan = planPattern('constant', { rate: '100000', duration: '100s' }, target);
    expect(plan.count).toBe(10_000_000);
    let seen = 0;
    let wrong = 0;
    let last = -1;
    const growth = walk(plan, (call) => {
      if (call.seq !== seen || call.offsetUs !== seen * 10) wrong++;
      last = call.offsetUs;
      seen++;
    });
    expect(seen).toBe(10_000_000);
    expect(wrong).toBe(0);
    expect(last).toBe(plan.durationUs);
    expect(growth).toBeLessThan(50 * MB);
  }, 120_000);

  it('a Poisson plan counts itself and iterates without holding the calls either', () => {
    const plan = planPattern('constant', { rate: '100000', duration: '100s', arrivals: 'poisson', seed: '3' }, target);
    expect(Math.abs(plan.count - 10_000_000)).toBeLessThan(20_000); // sd ~3,162
    let seen = 0;
    let last = 0;
    let disorder = 0;
    const growth = walk(plan, (call) => {
      if (call.seq !== seen || call.offsetUs < last) disorder++;
      last = call.offsetUs;
      seen++;
    });
    expect(seen).toBe(plan.count);
    expect(disorder).toBe(0);
    expect(last).toBe(plan.durationUs);
    expect(growth).toBeLessThan(50 * MB);
  }, 120_000);
});
