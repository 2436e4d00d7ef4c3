/**
 * The store writer's heap, kept near what it holds. Records wait in the sink's buffer across
 * young-generation collections, so they are promoted and die in the old generation, which V8 lets
 * grow to several times its live size before it collects it: at 10,000 records/s the writer's heap
 * went from 9 to 37 MB between two major collections while it held 9. The writer therefore
 * collects its heap whole once it has grown SLACK_BYTES past what the last collection left. That
 * pauses this thread only (batches wait in its port); the sending thread has a heap of its own and
 * never waits for it.
 */
import { getHeapStatistics } from 'node:v8';
import { settleHeap } from '../core/settle-heap.ts';

/**
 * Growth allowed between collections: about a second of records at 10,000/s, and a collection of
 * ~10 ms each time, on the writer's thread only (threaded-sink.ts has the figures).
 */
export const SLACK_BYTES = 4 * 1024 * 1024;

export interface HeapGauge {
  /** Bytes the heap holds now, garbage included. */
  used(): number;
  /** Collects the heap whole. */
  collect(): void;
}

const V8_HEAP: HeapGauge = { used: () => getHeapStatistics().used_heap_size, collect: settleHeap };

export class HeapKeeper {
  #afterCollection: number;

  constructor(
    private readonly gauge: HeapGauge = V8_HEAP,
    private readonly slack: number = SLACK_BYTES,
  ) {
    this.#afterCollection = gauge.used();
  }

  /** Collects when the heap has grown `slack` past what the last collection left; says whether it did. */
  check(): boolean {
    if (this.gauge.used() - this.#afterCollection < this.slack) return false;
    this.gauge.collect();
    this.#afterCollection = this.gauge.used();
    return true;
  }
}
