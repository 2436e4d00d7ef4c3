import { PerformanceObserver, constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { epochMicros } from '../core/clock.ts';
import { MAX_IDLE_COUNT, nextIdleCount, spinUntil } from './wait-until.ts';

describe('spinUntil', () => {
  it('returns once the time has come, never before', () => {
    for (const aheadUs of [0, 1, 50, 100, 300]) {
      const target = epochMicros() + aheadUs;
      spinUntil(target);
      expect(epochMicros()).toBeGreaterThanOrEqual(target);
    }
  });

  it('spins a second in 100 µs stretches with a handful of young-generation collections', async () => {
    // Reading the clock back to back allocated a number each 50 ns, 20 MB a second: 15-19
    // collections in this second with this process's young generation, against 1-4 now.
    const minor: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(entry.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });
    for (let stretch = 0; stretch < 10_000; stretch++) spinUntil(epochMicros() + 100);
    await new Promise((resolve) => setTimeout(resolve, 50)); // gc entries are delivered after the spin
    observer.disconnect();
    expect(minor.length).toBeLessThan(8);
  });
});

describe('nextIdleCount', () => {
  it('doubles while reads come under 0.5 µs apart, halves when over 2 µs, keeps it between', () => {
    expect(nextIdleCount(16, 0.1)).toBe(32);
    expect(nextIdleCount(16, 1)).toBe(16);
    expect(nextIdleCount(16, 3)).toBe(8);
  });

  it('stays between 1 and its bound', () => {
    expect(nextIdleCount(1, 500)).toBe(1);
    expect(nextIdleCount(MAX_IDLE_COUNT, 0)).toBe(MAX_IDLE_COUNT);
  });
});
