/**
 * Instances over time, from the instance ids calls report: each instance is live from the send
 * time of its first call to the receive time of its last, per function. That is a lower bound on
 * the platform's own view (an instance starts before its first call answers and lingers idle
 * after its last), but it is what a client can see on any provider that exposes instance ids.
 * Memory is one entry per instance.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';
import { median } from './percentile.ts';

export interface InstanceSpan {
  readonly fn: string;
  readonly instanceId: string;
  readonly firstUs: number;
  readonly lastUs: number;
  readonly calls: number;
}

export interface FunctionTimeline {
  readonly fn: string;
  readonly instances: number;
  /** Most instances live in one bucket. */
  readonly peak: number;
  /** Per bucket: instances live at any moment of it. */
  readonly live: readonly number[];
  /** Per bucket: instances whose first call went out in it. */
  readonly started: readonly number[];
  /** Median calls served per instance. */
  readonly medianCalls: number;
}

export interface InstancesTimeline {
  /** Epoch µs of bucket 0's start: the first call's send time; null when no call had an instance id. */
  readonly startUs: number | null;
  readonly bucketMs: number;
  readonly buckets: number;
  readonly functions: readonly FunctionTimeline[];
}

/** Bucket widths are 1, 2 or 5 times a power of ten ms: axis labels stay readable. */
export function niceBucketMs(spanMs: number, maxBuckets: number): number {
  const raw = Math.max(1, spanMs / maxBuckets);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}

export interface TimelineOptions {
  /** Bucket width; by default the nicest width giving at most `maxBuckets`. */
  readonly bucketMs?: number;
  /** Default 120. */
  readonly maxBuckets?: number;
}

export class InstanceTimeline {
  /**
   * By function, then instance id: one id could in principle recur under two functions (a shared
   * sandbox), and two lookups of strings whose hashes are already known cost less per call than
   * building and hashing a joined key.
   */
  readonly #spans = new Map<string, Map<string, { fn: string; instanceId: string; firstUs: number; lastUs: number; calls: number }>>();

  add(r: Pick<InvocationRecord, 'fn' | 'instanceId' | 'sentUs' | 'plannedUs' | 'receivedUs'>): void {
    if (r.instanceId === null) return;
    const from = r.sentUs ?? r.plannedUs;
    const to = r.receivedUs ?? from;
    let ofFn = this.#spans.get(r.fn);
    if (!ofFn) this.#spans.set(r.fn, (ofFn = new Map()));
    const span = ofFn.get(r.instanceId);
    if (!span) {
      ofFn.set(r.instanceId, { fn: r.fn, instanceId: r.instanceId, firstUs: from, lastUs: to, calls: 1 });
      return;
    }
    if (from < span.firstUs) span.firstUs = from;
    if (to > span.lastUs) span.lastUs = to;
    span.calls += 1;
  }

  spans(): InstanceSpan[] {
    return [...this.#spans.values()].flatMap((ofFn) => [...ofFn.values()].map((s) => ({ ...s })));
  }

  result(options: TimelineOptions = {}): InstancesTimeline {
    return bucketInstances(this.spans(), options);
  }
}

export function bucketInstances(spans: readonly InstanceSpan[], options: TimelineOptions = {}): InstancesTimeline {
  const maxBuckets = options.maxBuckets ?? 120;
  if (spans.length === 0) return { startUs: null, bucketMs: options.bucketMs ?? 1000, buckets: 0, functions: [] };
  const startUs = Math.min(...spans.map((s) => s.firstUs));
  const endUs = Math.max(...spans.map((s) => s.lastUs));
  const bucketMs = options.bucketMs ?? niceBucketMs((endUs - startUs) / 1000, maxBuckets);
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs ${bucketMs}: expected a positive number`);
  const bucketUs = bucketMs * 1000;
  const bucketOf = (us: number): number => Math.floor((us - startUs) / bucketUs);
  const buckets = bucketOf(endUs) + 1;
  const byFn = new Map<string, InstanceSpan[]>();
  for (const s of spans) byFn.set(s.fn, [...(byFn.get(s.fn) ?? []), s]);
  const functions = [...byFn.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([fn, list]) => {
      // A difference array: +1 where a span's first bucket is, -1 after its last.
      const delta = new Int32Array(buckets + 1);
      const started = new Array<number>(buckets).fill(0);
      for (const s of list) {
        delta[bucketOf(s.firstUs)]! += 1;
        delta[bucketOf(s.lastUs) + 1]! -= 1;
        started[bucketOf(s.firstUs)]! += 1;
      }
      const live: number[] = [];
      let running = 0;
      for (let b = 0; b < buckets; b++) live.push((running += delta[b]!));
      return { fn, instances: list.length, peak: Math.max(...live), live, started, medianCalls: median(list.map((s) => s.calls))! }; // a listed function has an instance
    });
  return { startUs, bucketMs, buckets, functions };
}
