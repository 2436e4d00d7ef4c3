// An experiment's calls split by their tags: one series per step in run order, pooled by
// dropping trailing `/` parts only past MAX_SERIES, and no split when tags add nothing.
import { describe, expect, it } from 'vitest';
import { coarsenTag, MAX_SERIES, StepTracker, type StepRecord } from './run-series.ts';

const rec = (fn: string, tag: string | null, over: Partial<StepRecord> = {}): StepRecord => ({ fn, tag, phase: 'measure', status: 'ok', latencyMs: 10, instanceId: 'i1', cold: false, ...over });

describe('StepTracker', () => {
  it('draws one series per tag of a function, in the order the steps ran, with their instances and cold starts', () => {
    const t = new StepTracker();
    t.add(rec('f', 'mem-512', { latencyMs: 5, instanceId: 'a', cold: true }));
    t.add(rec('f', 'mem-512', { latencyMs: 7, instanceId: 'a' }));
    t.add(rec('f', 'mem-128', { latencyMs: 20, instanceId: 'b', cold: true }));
    t.add(rec('f', 'mem-128', { latencyMs: null, status: 'function-error', instanceId: 'c' }));
    t.add(rec('f', 'mem-128', { phase: 'warmup' }));
    const s = t.result()!;
    expect(s.legend).toEqual({ title: 'step (call tag)', order: ['mem-512', 'mem-128'] });
    expect(s.cdf.calls).toEqual({ 'mem-512': 2, 'mem-128': 1 });
    expect(s.cdf.points).toEqual([
      { fn: 'mem-512', latencyMs: 5, fraction: 0 },
      { fn: 'mem-512', latencyMs: 5, fraction: 0.5 },
      { fn: 'mem-512', latencyMs: 7, fraction: 1 },
      { fn: 'mem-128', latencyMs: 20, fraction: 0 },
      { fn: 'mem-128', latencyMs: 20, fraction: 1 },
    ]);
    expect(s.steps).toEqual([
      { step: 'mem-512', calls: 2, instances: 1, cold: 1 },
      { step: 'mem-128', calls: 2, instances: 2, cold: 1 },
    ]);
    expect(s.labelOf('f', 'mem-128')).toBe('mem-128');
  });

  it('leaves functions as the series when no function has two tags (a trace replay tags each function once)', () => {
    const t = new StepTracker();
    t.add(rec('trace-a', 'hash-a'));
    t.add(rec('trace-b', 'hash-b'));
    expect(t.result()).toBeNull();
  });

  it('names series by function and tag when several functions run, a one-tag function by its name', () => {
    const t = new StepTracker();
    t.add(rec('f', 'burst-1'));
    t.add(rec('f', 'burst-2'));
    t.add(rec('g', null));
    const s = t.result()!;
    expect(s.legend).toEqual({ title: 'function and step (call tag)', order: ['f burst-1', 'f burst-2', 'g'] });
  });

  it('pools tags by their last / part until at most MAX_SERIES remain', () => {
    const t = new StepTracker();
    // cold-start's runtime/memory/repetition/call: 2 x 2 x 3 x 2 = 24 tags.
    for (const runtime of ['node', 'py']) for (const mb of [128, 512]) for (const rep of [0, 1, 2]) for (const call of [0, 1]) t.add(rec('f', `${runtime}/${mb}/${rep}/${call}`));
    const s = t.result()!;
    expect(s.legend.order).toEqual(['node/128', 'node/512', 'py/128', 'py/512']);
    expect(s.legend.order.length).toBeLessThanOrEqual(MAX_SERIES);
    expect(s.steps[0]).toEqual({ step: 'node/128', calls: 6, instances: 1, cold: 0 });
    expect(s.labelOf('f', 'py/512/2/1')).toBe('py/512');
  });

  it('coarsens a tag, keeping its first part', () => {
    expect(coarsenTag('a/b/c', 1)).toBe('a/b');
    expect(coarsenTag('a/b/c', 5)).toBe('a');
    expect(coarsenTag('burst-4', 1)).toBe('burst-4');
  });
});
