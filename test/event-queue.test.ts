// Event (asynchronous) calls: Lambda's 1 MB payload limit, its retries after a function error, and a
// bounded queue whose every drop is logged and counted.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, nodeFunction, sleep, startPlatform } from './support/platform.ts';

const EVENT_LIMIT = 1_048_576;

let platform: LocalPlatform;
let stderr: string[] = [];

beforeAll(async () => {
  platform = await startPlatform();
  platform.deployFolder(nodeFunction('echo', 'return event;', { cpuModel: 'none' }));
  // Fails its first two attempts (the count lives in the one warm instance), then succeeds.
  platform.deployFolder(
    nodeFunction('flaky', "globalThis.n = (globalThis.n ?? 0) + 1; if (globalThis.n <= 2) throw new Error('attempt ' + globalThis.n); return globalThis.n;", {
      cpuModel: 'none',
      maxInstances: 1,
      eventRetryDelaysS: [0.2, 0.2],
    }),
  );
  platform.deployFolder(nodeFunction('broken', "throw new Error('always');", { cpuModel: 'none', maxInstances: 1, eventRetryAttempts: 1, eventRetryDelaysS: [0.1, 0.1] }));
  platform.deployFolder(nodeFunction('slow', 'await new Promise((r) => setTimeout(r, 1000)); return 1;', { cpuModel: 'none', maxInstances: 1, eventQueueLimit: 2 }));
});
afterAll(async () => {
  await platform.stop();
});

function captureStderr(): void {
  stderr = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return write(chunk, ...(rest as []));
  });
}
afterEach(() => {
  vi.restoreAllMocks();
});

const event = (name: string, body: string): ReturnType<typeof call> =>
  call(platform, 'POST', `/2015-03-31/functions/${name}/invocations`, body, { 'x-amz-invocation-type': 'Event' });

/** The value of one sample of /metrics, 0 when absent. */
async function metric(name: string, labels: string): Promise<number> {
  const text = (await call(platform, 'GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** Waits (bounded: `limitMs`) until the metric reaches `want`, and returns what it last read. */
async function metricReaches(name: string, labels: string, want: number, limitMs: number): Promise<number> {
  let value = await metric(name, labels);
  for (let waited = 0; value < want && waited < limitMs; waited += 100) {
    await sleep(100);
    value = await metric(name, labels);
  }
  return value;
}

describe('Event calls', () => {
  it('payload limit 1,048,576 bytes: at it 202, one byte more 413 RequestEntityTooLargeException with Lambda\'s message', async () => {
    const at = `"${'a'.repeat(EVENT_LIMIT - 2)}"`;
    expect((await event('echo', at)).status).toBe(202);
    const over = await event('echo', `"${'a'.repeat(EVENT_LIMIT - 1)}"`);
    expect(over.status).toBe(413);
    expect(over.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect((over.json() as { Message: string }).Message).toBe(`${EVENT_LIMIT + 1} byte payload is too large for the Event invocation type (limit ${EVENT_LIMIT} bytes)`);
    // The same limit on OpenFaaS's /async-function.
    const openfaas = await call(platform, 'POST', '/async-function/echo', `"${'a'.repeat(EVENT_LIMIT - 1)}"`);
    expect(openfaas.status).toBe(413);
    expect(openfaas.text).toBe(`${EVENT_LIMIT + 1} byte payload is too large for the Event invocation type (limit ${EVENT_LIMIT} bytes)\n`);
    // A synchronous call of the same size is within its own 6 MB limit.
    const sync = await call(platform, 'POST', '/2015-03-31/functions/echo/invocations', `"${'a'.repeat(EVENT_LIMIT - 1)}"`);
    expect(sync.status).toBe(200);
  });

  it('a function that fails its first 2 attempts runs 3 times for one Event call', async () => {
    expect((await event('flaky', '{}')).status).toBe(202);
    expect(await metricReaches('faasbench_invocations_total', 'function="flaky",outcome="success",start="warm"', 1, 20_000)).toBe(1);
    expect(await metric('faasbench_invocations_total', 'function="flaky",outcome="Error",start="cold"')).toBe(1);
    expect(await metric('faasbench_invocations_total', 'function="flaky",outcome="Error",start="warm"')).toBe(1);
    expect(await metric('faasbench_event_retries_total', 'function="flaky"')).toBe(2);
    expect(await metric('faasbench_event_dropped_total', 'function="flaky",reason="retries-exhausted"')).toBe(0);
  });

  it('attempts spent: the event is dropped as retries-exhausted, logged and counted', async () => {
    captureStderr();
    expect((await event('broken', '{}')).status).toBe(202);
    expect(await metricReaches('faasbench_event_dropped_total', 'function="broken",reason="retries-exhausted"', 1, 20_000)).toBe(1);
    expect(await metric('faasbench_event_retries_total', 'function="broken"')).toBe(1);
    expect(stderr.join('')).toMatch(/event [0-9a-f-]{36} to broken dropped \(retries-exhausted\): 2 attempts failed, the last with Error\n/);
  });

  it('queue bound 2: the calls past it are refused with 429, each logged and counted; the accepted ones all run', async () => {
    captureStderr();
    const replies = [];
    for (let i = 0; i < 5; i += 1) replies.push(await call(platform, 'POST', '/async-function/slow', '{}'));
    expect(replies.map((r) => r.status)).toEqual([202, 202, 429, 429, 429]);
    expect(await metric('faasbench_event_queue_limit', 'function="slow"')).toBe(2);
    expect(await metric('faasbench_event_queue_events', 'function="slow"')).toBe(2);
    expect(await metric('faasbench_event_dropped_total', 'function="slow",reason="queue-full"')).toBe(3);
    const log = stderr.join('');
    expect(log).toContain('faasbench platform: event queue of slow: up to 2 events (eventQueueLimit), 2 retries after 60 s, 120 s, maximum age 21600 s\n');
    expect(log.match(/to slow dropped \(queue-full\): the queue holds 2 events \(eventQueueLimit 2\); refused with 429\n/g)?.length).toBe(3);
    expect(await metricReaches('faasbench_invocations_total', 'function="slow",outcome="success",start="warm"', 1, 20_000)).toBe(1);
    expect(await metric('faasbench_invocations_total', 'function="slow",outcome="success",start="cold"')).toBe(1);
    expect(await metric('faasbench_event_queue_events', 'function="slow"')).toBe(0);
  });
});
