// The run page's elapsed time and ETA from what a run's writer stored, aged to the time of asking.
import { describe, expect, it } from 'vitest';
import type { Run } from '../store/store.ts';
import { progressTiming } from './run-progress.ts';

const T = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(T + ms).toISOString();
const run = (over: Partial<Run>): Run =>
  ({ id: 'r', kind: 'experiment', name: 'x', provider: 'local', params: null, seed: null, host: null, toolVersion: '0', status: 'running', startedAt: iso(0), finishedAt: null, summary: null, progress: null, progressAt: null, duplicates: 0, heartbeatAt: null, heartbeatMs: null, label: null, ...over }) as Run;

describe('progressTiming', () => {
  it("takes a load run's stored elapsed time and ETA, less the time since they were written", () => {
    const r = run({ kind: 'trace-replay', progress: { planned: 100, done: 25, dropped: 0, elapsedMs: 30_000, etaMs: 90_000 }, progressAt: iso(31_000) });
    expect(progressTiming(r, T + 33_000)).toEqual({ elapsedMs: 32_000, etaMs: 88_000, source: 'plan' });
  });

  it("extrapolates an experiment's steps done at the rate so far", () => {
    const r = run({ progress: { done: 2, total: 8, label: 'size 256' }, progressAt: iso(10_000) });
    // 2 steps in 10 s: 6 left take 30 s, 4 s of which have passed.
    expect(progressTiming(r, T + 14_000)).toEqual({ elapsedMs: 14_000, etaMs: 26_000, source: 'rate' });
  });

  it('has no ETA before anything is done, and no timing for a finished run', () => {
    expect(progressTiming(run({ progress: { done: 0, total: 8 }, progressAt: iso(1000) }), T + 5000)).toEqual({ elapsedMs: 5000, etaMs: null, source: null });
    expect(progressTiming(run({}), T + 5000)).toEqual({ elapsedMs: 5000, etaMs: null, source: null });
    expect(progressTiming(run({ status: 'completed', finishedAt: iso(9000) }), T + 5000)).toBeNull();
  });
});
