import { describe, expect, it } from 'vitest';
import { loadOf } from './run-load.ts';

describe('loadOf', () => {
  it("says an invoke run's pattern and rate as they were typed", () => {
    const invoke = (pattern: string, options: Record<string, string>, shard: string | null = null) => loadOf({ kind: 'invoke', params: { pattern, options, payload: { event: {} }, shard, maxInFlight: 1000 } });
    expect(invoke('constant', { rate: '20', duration: '5s' })).toBe('constant 20/s 5s');
    expect(invoke('sequential', { count: '10' })).toBe('sequential 10');
    expect(invoke('concurrent', { count: '4' })).toBe('concurrent 4');
    expect(invoke('ramp', { from: '0', to: '50', duration: '1m', arrivals: 'poisson' })).toBe('ramp 0-50/s 1m poisson');
    expect(invoke('rates', { rates: 'some/dir/minutes.csv' })).toBe('rates minutes.csv');
    expect(invoke('bursty', {})).toBe('bursty');
    expect(invoke('constant', { rate: '5', duration: '1m' }, '1/4')).toBe('constant 5/s 1m shard 1/4');
  });

  it("says a trace replay's functions and minutes, and an experiment's parameters cut to one line", () => {
    expect(loadOf({ kind: 'trace-replay', params: { functions: 5, minutes: '0-2', plan: null } })).toBe('trace 5 fns, minutes 0-2');
    expect(loadOf({ kind: 'trace-replay', params: { minutes: null } })).toBe('trace');
    expect(loadOf({ kind: 'trace-replay', params: { functions: 4, minutes: '6-6', speed: 6 } })).toBe('trace 4 fns, minutes 6-6, 6x speed');
    expect(loadOf({ kind: 'trace-replay', params: { functions: 4, minutes: '6-6', speed: 1 } })).toBe('trace 4 fns, minutes 6-6');
    expect(loadOf({ kind: 'experiment', params: { experiment: 'memory-sweep', values: { memories: [128, 256], calls: 20, fn: 'measure', note: null } } })).toBe('memories=128,256 calls=20 fn=measure');
    const long = loadOf({ kind: 'experiment', params: { experiment: 'x', values: { a: 'y'.repeat(100) } } })!;
    expect(long).toHaveLength(60);
    expect(long.endsWith('…')).toBe(true);
  });

  it('says nothing of params it cannot read', () => {
    expect(loadOf({ kind: 'invoke', params: null })).toBeNull();
    expect(loadOf({ kind: 'load', params: { other: 1 } })).toBeNull();
    expect(loadOf({ kind: 'experiment', params: { experiment: 'x' } })).toBeNull();
  });
});
