import { describe, expect, it } from 'vitest';
import { planOf, shardOf, type PlannedInvocation } from './load-plan.ts';

const plan = (n: number) =>
  planOf({ functions: ['f'], count: n, durationUs: (n - 1) * 1000 }, function* () {
    for (let seq = 0; seq < n; seq++) yield { seq, offsetUs: seq * 1000, fn: 'f', payload: { event: {} }, phase: 'measure' } satisfies PlannedInvocation;
  });

describe('shardOf', () => {
  it('splits a plan into disjoint shards that together are the plan', () => {
    const whole = [...plan(10)].map((c) => c.seq);
    const shards = [0, 1, 2].map((i) => [...shardOf(plan(10), i, 3)].map((c) => c.seq));
    expect(shards).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(whole);
    expect([0, 1, 2].map((i) => shardOf(plan(10), i, 3).count)).toEqual([4, 3, 3]);
  });

  it('rejects impossible shards and sharding a closed loop', () => {
    expect(() => shardOf(plan(3), 2, 2)).toThrow('shard 2/2: expected 0 <= i < n');
    const loop = { ...plan(3), closedLoop: { gapUs: 0 } };
    expect(() => shardOf(loop, 0, 2)).toThrow('shard 0/2: a closed-loop (sequential) plan cannot be sharded');
    expect([...shardOf(loop, 0, 1)]).toHaveLength(3);
  });

  it('iterates the same plan twice', () => {
    const p = plan(3);
    expect([...p]).toEqual([...p]);
  });
});
