import { describe, expect, it } from 'vitest';
import { shardPlan, workerShard, type PlanSource } from './shard-plan.ts';

const source: PlanSource = { kind: 'pattern', name: 'constant', options: { rate: '10', duration: '3s' }, fn: 'x' };

async function seqs(shard: { index: number; total: number }): Promise<number[]> {
  return [...(await shardPlan(source, shard))].map((c) => c.seq);
}

describe('workerShard', () => {
  it('splits the whole plan among the workers, each call in exactly one', async () => {
    const parts = await Promise.all([0, 1, 2].map((w) => seqs(workerShard(undefined, w, 3))));
    expect(parts[0]).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('splits a process shard (--shard 1/2) among its workers: exactly that shard, each call once', async () => {
    expect(workerShard({ index: 1, total: 2 }, 1, 2)).toEqual({ index: 3, total: 4 });
    const parts = await Promise.all([0, 1].map((w) => seqs(workerShard({ index: 1, total: 2 }, w, 2))));
    expect(parts.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => 2 * i + 1));
  });

  it('builds the same calls as the pattern planned in one piece', async () => {
    const whole = [...(await shardPlan(source, { index: 0, total: 1 }))];
    const split = [...(await shardPlan(source, workerShard(undefined, 1, 2)))];
    expect(split).toEqual(whole.filter((c) => c.seq % 2 === 1));
  });
});
