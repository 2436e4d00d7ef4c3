// Instances over time on hand-placed calls: which buckets each instance is live in, counted by hand.
import { describe, expect, it } from 'vitest';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import { InstanceTimeline, niceBucketMs } from './instances-timeline.ts';

const T0 = 1_800_000_000_000_000;

function call(seq: number, fn: string, instanceId: string | null, sentMs: number, receivedMs: number): InvocationRecord {
  return { ...NO_FACTS, instanceId, runId: 'r', seq, fn, phase: 'measure', tag: null, plannedUs: T0 + sentMs * 1000, sentUs: T0 + sentMs * 1000, receivedUs: T0 + receivedMs * 1000, latencyMs: receivedMs - sentMs, status: 'ok', httpStatus: 200, errorClass: null };
}

describe('InstanceTimeline', () => {
  it('counts each instance live from its first send to its last receive, per 1 s bucket', () => {
    const t = new InstanceTimeline();
    // a: 0.0-0.4 s, then again 2.5-2.6 s (live in buckets 0, 1, 2); b: 0.1-1.2 s (buckets 0, 1);
    // c: 3.2-3.3 s (bucket 3); g (another function): 1.5-1.6 s; a call with no id is ignored.
    for (const r of [call(0, 'f', 'a', 0, 400), call(1, 'f', 'b', 100, 1200), call(2, 'g', 'x', 1500, 1600), call(3, 'f', 'a', 2500, 2600), call(4, 'f', 'c', 3200, 3300), call(5, 'f', null, 3000, 3400)]) t.add(r);
    const timeline = t.result({ bucketMs: 1000 });
    expect(timeline).toEqual({
      startUs: T0,
      bucketMs: 1000,
      buckets: 4,
      functions: [
        { fn: 'f', instances: 3, peak: 2, live: [2, 2, 1, 1], started: [2, 0, 0, 1], medianCalls: 1 },
        { fn: 'g', instances: 1, peak: 1, live: [0, 1, 0, 0], started: [0, 1, 0, 0], medianCalls: 1 },
      ],
    });
  });

  it('picks 1-2-5 bucket widths and has nothing to show without instance ids', () => {
    expect([niceBucketMs(3300, 120), niceBucketMs(60_000, 120), niceBucketMs(10, 120), niceBucketMs(1_300_000, 100)]).toEqual([50, 500, 1, 20_000]);
    const t = new InstanceTimeline();
    t.add(call(0, 'f', null, 0, 1));
    expect(t.result()).toMatchObject({ startUs: null, buckets: 0, functions: [] });
  });
});
