import { describe, expect, it, vi } from 'vitest';
import { MAX_IDLE_COUNT, nextIdleCount, spinUntil } from './wait-until.ts';

/** Reads of the clock, counted: the spin's allocations are one number per read. */
const reads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../core/clock.ts', async (original) => {
  const clock = await original<typeof import('../core/clock.ts')>();
  return { ...clock, epochMicros: () => (reads.count++, clock.epochMicros()) };
});
const { epochMicros } = await import('../core/clock.ts');

describe('spinUntil', () => {
  it('returns once the time has come, never before', () => {
    for (const aheadUs of [0, 1, 50, 100, 300]) {
      const target = epochMicros() + aheadUs;
      spinUntil(target);
      expect(epochMicros()).toBeGreaterThanOrEqual(target);
    }
  });

  it('reads the clock at most about once a microsecond while it spins, not back to back', () => {
    // Back to back, a 100 µs spin read the clock 300-2,000 times (busy host to idle). Now a read
    // under 1 µs after the last doubles the idle count: there are at most as many such reads as
    // halvings (each after a read over 4 µs late) plus log2(MAX_IDLE_COUNT) + 1, and every other
    // read takes at least 1 µs.
    const most = 100 / 1 + 100 / 4 + Math.log2(MAX_IDLE_COUNT) + 2;
    for (let spin = 0; spin < 50; spin++) {
      const target = epochMicros() + 100;
      reads.count = 0;
      spinUntil(target);
      expect(reads.count).toBeLessThanOrEqual(most);
    }
  });
});

describe('nextIdleCount', () => {
  it('doubles while reads come under 1 µs apart, halves when over 4 µs, keeps it between', () => {
    expect(nextIdleCount(16, 0.5)).toBe(32);
    expect(nextIdleCount(16, 2)).toBe(16);
    expect(nextIdleCount(16, 5)).toBe(8);
  });

  it('stays between 1 and its bound', () => {
    expect(nextIdleCount(1, 500)).toBe(1);
    expect(nextIdleCount(MAX_IDLE_COUNT, 0)).toBe(MAX_IDLE_COUNT);
  });
});
