import { describe, expect, it } from 'vitest';
import { WriteBuffer } from './write-buffer.ts';

/** A fake database: records batches, one write at a time, failing while `failing` is set. */
function fakeWriter(delayMs = 5) {
  const state = { batches: [] as number[][], active: 0, maxActive: 0, failing: false };
  const write = async (batch: number[]): Promise<void> => {
    state.active++;
    state.maxActive = Math.max(state.maxActive, state.active);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    state.active--;
    if (state.failing) throw new Error('database unavailable');
    state.batches.push(batch);
  };
  return { state, write };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('WriteBuffer', () => {
  it('writes a full batch at once, leaves a partial one for the timer, one write at a time, in order', async () => {
    const { state, write } = fakeWriter();
    const buffer = new WriteBuffer(write, { intervalMs: 60_000, batchSize: 10, highWater: 1_000 });
    for (const i of range(0, 10)) await buffer.add([i]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.batches).toEqual([range(0, 10)]);
    for (const i of range(10, 15)) await buffer.add([i]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(buffer.pending).toBe(5);
    // Batches filling while one is being written: written next, never concurrently.
    for (const i of range(15, 95)) await buffer.add([i]);
    await buffer.flush();
    expect(state.batches.flat()).toEqual(range(0, 95));
    expect(state.batches.length).toBeGreaterThan(2);
    expect(state.maxActive).toBe(1);
    buffer.stop();
  });

  it('keeps a failed batch, reports the failure to add(), and writes it on the next flush', async () => {
    const { state, write } = fakeWriter();
    const buffer = new WriteBuffer(write, { intervalMs: 60_000, batchSize: 1_000, highWater: 10_000 });
    await buffer.add([1, 2, 3]);
    state.failing = true;
    await expect(buffer.flush()).rejects.toThrow('database unavailable');
    await expect(buffer.add([4])).rejects.toThrow('database unavailable');
    expect(buffer.pending).toBe(3);
    state.failing = false;
    await buffer.flush();
    await buffer.add([4]);
    await buffer.flush();
    expect(state.batches).toEqual([[1, 2, 3], [4]]);
    buffer.stop();
  });

  it('makes add() wait for the database once the high-water mark is reached', async () => {
    const { state, write } = fakeWriter(20);
    const buffer = new WriteBuffer(write, { intervalMs: 60_000, batchSize: 100, highWater: 20 });
    await buffer.add(range(0, 19));
    expect(state.batches.flat().length).toBe(0);
    await buffer.add([19]);
    expect(buffer.pending).toBe(0);
    expect(state.batches.flat()).toEqual(range(0, 20));
    buffer.stop();
  });

  it('writes within the interval when batches never fill', async () => {
    const { state, write } = fakeWriter(1);
    const buffer = new WriteBuffer(write, { intervalMs: 50, batchSize: 1_000, highWater: 10_000 });
    await buffer.add([7]);
    expect(state.batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(state.batches).toEqual([[7]]);
    buffer.stop();
  });
});
