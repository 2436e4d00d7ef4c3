// The queue's drop paths that a real platform reaches only after minutes or hours: an event that
// outlives its maximum age, and one waiting out a retry delay when the platform stops. The runner
// here answers as the pool does (an InvocationResult, or the pool's expiry error).
import { describe, expect, it } from 'vitest';
import { FaasbenchError } from '../core/errors.ts';
import { EventQueue, type EventDropReason, type EventRunner } from './event-queue.ts';
import type { InvocationResult } from './invocation.ts';
import { snapshotOfF } from './testing/function-snapshot.ts';

const fn = snapshotOfF({ eventRetryDelaysS: [3600, 3600] });

function failed(requestId: string): InvocationResult {
  const outcome = { kind: 'function-error', payload: Buffer.from('{}'), errorType: 'Error' } as const;
  return { functionName: 'f', executedVersion: '$LATEST', requestId, instanceId: 'i', cold: false, durationMs: 1, billedMs: 1, memoryMb: 128, maxMemoryMb: 1, cpuVcpus: null, queueMs: 0, outcome, log: '' };
}

function queueWith(attempt: EventRunner['attempt']): { queue: EventQueue; drops: EventDropReason[]; lines: string[] } {
  const drops: EventDropReason[] = [];
  const lines: string[] = [];
  const events = { accepted: () => {}, finished: () => {}, retried: () => {}, dropped: (_fn: string, why: EventDropReason) => drops.push(why) };
  const queue = new EventQueue({ attempt, current: () => fn }, events, (line) => lines.push(line));
  return { queue, drops, lines };
}

describe('EventQueue', () => {
  it('waits for a slot no longer than the event maximum age, and drops it as max-age when none came', async () => {
    const waits: number[] = [];
    const { queue, drops, lines } = queueWith((_f, request, maxWaitMs) => {
      waits.push(maxWaitMs);
      return Promise.reject(new FaasbenchError('TooManyRequests', `Event call ${request.requestId} to f found no free instance within its maximum age`));
    });
    await queue.submit(fn, Buffer.from('{}')).done;
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(21_600_000 - 1000);
    expect(waits[0]).toBeLessThanOrEqual(21_600_000);
    expect(drops).toEqual(['max-age']);
    expect(lines[1]).toMatch(/^faasbench platform: event [0-9a-f-]{36} to f dropped \(max-age\): attempt 1: Event call /);
    expect(queue.state()).toEqual([{ function: 'f', events: 0, limit: 1000 }]);
  });

  it('an event waiting out a retry delay is dropped as shutdown at once when the queue closes', async () => {
    const { queue, drops } = queueWith((_f, request) => Promise.resolve(failed(request.requestId)));
    const { done } = queue.submit(fn, Buffer.from('{}'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(queue.state()[0]?.events).toBe(1);
    queue.close();
    await done;
    expect(drops).toEqual(['shutdown']);
    expect(queue.state()[0]?.events).toBe(0);
  });
});
