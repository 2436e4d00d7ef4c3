// The workload an invoke step hands its hook: the registry's plan, with the run's seed where the
// pattern takes one and was given none (as faasbench invoke gives its --seed), checked up front.
import { describe, expect, it } from 'vitest';
import { planPattern } from '../workload/registry.ts';
import { stepWorkload } from './lifecycle-workload.ts';

const offsets = (plan: Iterable<{ offsetUs: number }>): number[] => Array.from(plan, (c) => c.offsetUs);

describe('stepWorkload', () => {
  it('plans with the run seed when the words give none, and with theirs when they do', () => {
    const words = { rate: '10', duration: '2s', arrivals: 'poisson' };
    const target = { fn: 'hello', payload: { event: {} } };
    const bySeed = (seed: string) => offsets(planPattern('bursty', { ...words, seed }, target));
    expect(bySeed('7')).not.toEqual(bySeed('42'));
    expect(offsets(stepWorkload({ name: 'bursty', options: words }, 7).plan('hello'))).toEqual(bySeed('7'));
    expect(offsets(stepWorkload({ name: 'bursty', options: { ...words, seed: '42' } }, 7).plan('hello'))).toEqual(bySeed('42'));
  });

  it('keeps the options as given, plans for the function named, with an empty event by default', () => {
    const workload = stepWorkload({ name: 'sequential', options: { count: '3' } }, 42);
    expect([workload.pattern, workload.options]).toEqual(['sequential', { count: '3' }]);
    const calls = Array.from(workload.plan('fn-a'), (c) => [c.seq, c.fn, c.offsetUs, c.payload]);
    expect(calls).toEqual([[0, 'fn-a', 0, { event: {} }], [1, 'fn-a', 0, { event: {} }], [2, 'fn-a', 0, { event: {} }]]);
    expect(Array.from(workload.plan('fn-b', { input: 'small' }), (c) => c.payload)).toEqual([{ input: 'small' }, { input: 'small' }, { input: 'small' }]);
  });

  it('refuses a bad option before anything is planned, naming it', () => {
    expect(() => stepWorkload({ name: 'bursty', options: { rate: 'fast' } }, 42)).toThrow('bursty: --rate must be a rate in calls/s greater than 0 (e.g. 100 or 0.5), got "fast"');
  });
});
