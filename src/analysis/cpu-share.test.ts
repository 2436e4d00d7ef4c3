import { describe, expect, it } from 'vitest';
import { cpuShareOf } from './cpu-share.ts';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('cpuShareOf', () => {
  it('an unthrottled loop: one run, share 1', () => {
    expect(cpuShareOf(range(1000, 1100))).toEqual({ share: 1, runs: 1, spanMs: 100, windowMs: 100, busyMs: 100, medianGapMs: null });
  });

  it('a 7 ms quota per 100 ms period: 0.07 exactly, over whole cycles', () => {
    // The loop starts with 3 ms of a period's quota left, then runs 7 ms of each period from 96 on.
    const bursts = [range(0, 3), ...Array.from({ length: 10 }, (_, k) => range(96 + 100 * k, 103 + 100 * k))];
    const out = cpuShareOf(bursts.flat());
    // From the 2nd run's start (96) to the last's (996): 9 bursts of 7 ms in 900 ms.
    expect(out).toEqual({ share: 0.07, runs: 11, spanMs: 1003, windowMs: 900, busyMs: 63, medianGapMs: 93 });
    // Over the whole span it would be (3 + 10 x 7) / 1003 = 0.0728, by luck near here; a loop
    // starting on a full quota would read (7 + 10 x 7) / 1003 = 0.077.
    expect(cpuShareOf([range(0, 7), ...bursts.slice(1)].flat()).share).toBe(0.07);
  });

  it('an unthrottled loop with stray gaps: the whole span, when whole cycles would cover under half of it', () => {
    const out = cpuShareOf([...range(0, 40), ...range(43, 60), ...range(62, 94)]);
    // Runs of 40, 17 and 32 ms over 94 ms.
    expect(out).toEqual({ share: 89 / 94, runs: 3, spanMs: 94, windowMs: 94, busyMs: 89, medianGapMs: 2 });
  });

  it('reads timestamps in any order, repeated or not; one timestamp has no share', () => {
    expect(cpuShareOf([5, 3, 4, 4, 3])).toMatchObject({ share: 1, runs: 1, spanMs: 2 });
    expect(cpuShareOf([7])).toEqual({ share: null, runs: 1, spanMs: 0, windowMs: 0, busyMs: 0, medianGapMs: null });
    expect(cpuShareOf([])).toEqual({ share: null, runs: 0, spanMs: 0, windowMs: 0, busyMs: 0, medianGapMs: null });
  });
});
