import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { settleHeap } from '../core/settle-heap.ts';
import { HeapKeeper, type HeapGauge } from './heap-keeper.ts';

/** A heap that grows by what the test adds and drops to `live` when collected. */
function fakeHeap(live: number): HeapGauge & { size: number; collections: number } {
  return {
    size: live,
    collections: 0,
    used() {
      return this.size;
    },
    collect() {
      this.collections += 1;
      this.size = live;
    },
  };
}

describe('HeapKeeper', () => {
  it('collects once the heap has grown by the slack since the last collection, and measures from what that left', () => {
    const heap = fakeHeap(100);
    const keeper = new HeapKeeper(heap, 50);
    heap.size = 149;
    expect(keeper.check()).toBe(false);
    heap.size = 150;
    expect(keeper.check()).toBe(true);
    expect(heap.collections).toBe(1);
    expect(heap.size).toBe(100);
    heap.size = 140;
    expect(keeper.check()).toBe(false);
    heap.size = 151;
    expect(keeper.check()).toBe(true);
    expect(heap.collections).toBe(2);
  });

  it('measures from a larger live size when the collection left more', () => {
    const heap = fakeHeap(100);
    const keeper = new HeapKeeper(heap, 50);
    heap.size = 200;
    // What the collection leaves is the new base: live data grew to 180.
    heap.collect = function () {
      this.collections += 1;
      this.size = 180;
    };
    expect(keeper.check()).toBe(true);
    heap.size = 229;
    expect(keeper.check()).toBe(false);
    heap.size = 230;
    expect(keeper.check()).toBe(true);
  });

  it('collects the real heap of this thread: a grown heap is brought back down', () => {
    // Settled first, so no collection during the allocation below can take the heap under the keeper's base.
    settleHeap();
    const keeper = new HeapKeeper(undefined, 4 * 1024 * 1024);
    // Garbage that survives until the check: 8 MB of arrays no longer referenced after the loop.
    let kept: number[][] = [];
    for (let i = 0; i < 64; i++) kept.push(new Array(16_384).fill(i));
    kept = [];
    expect(kept).toHaveLength(0);
    const before = getHeapStatistics().used_heap_size;
    expect(keeper.check()).toBe(true);
    expect(getHeapStatistics().used_heap_size).toBeLessThan(before - 4 * 1024 * 1024);
  });
});
