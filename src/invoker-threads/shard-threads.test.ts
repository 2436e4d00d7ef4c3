import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { planOf } from '../core/load-plan.ts';
import type { Provider } from '../core/provider.ts';
import type { Sent } from '../invoker/invoker.ts';
import { Progress } from '../invoker/progress.ts';
import { LOWERED_NICE, niceOf, processThreadIds } from '../invoker/thread-priority.ts';
import { startShardThreads } from './shard-threads.ts';

/** Never called: the workers build their own providers. */
const UNUSED_PROVIDER = {} as Provider;

describe('startShardThreads', () => {
  let server: Server;
  let url: string;
  const bodies: string[] = [];
  /** Nice values of this process's threads as each request arrived, by thread id. */
  const priorities: Array<Map<number, number | null>> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      priorities.push(new Map(processThreadIds().map((tid) => [tid, niceOf(tid)])));
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":42}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Two workers sending `rate` calls a second for 500 ms to the test server, each with `body`. */
  const twoWorkers = (rate: string, body: string): ReturnType<typeof startShardThreads> =>
    startShardThreads({
      workers: 2,
      source: { kind: 'pattern', name: 'constant', options: { rate, duration: '500ms' }, fn: 'x' },
      processShard: undefined,
      provider: { name: 'http', options: { url } },
      payloads: { kind: 'one', body: new TextEncoder().encode(body) },
      maxInFlight: 100,
    });

  it('sends every call of the plan once from two threads, into one sink and one progress, with the payload given', async () => {
    const threads = await twoWorkers('100', '{"n":1}');
    const written: InvocationRecord[] = [];
    const watched: Sent[][] = [];
    const progress = new Progress(50);
    let lastPayload = '';
    try {
      const outcome = await threads.run({
        runId: 'run-1',
        plan: planOf({ functions: ['x'], count: 50 }, function* () {}),
        provider: UNUSED_PROVIDER,
        payloadOf: () => Buffer.alloc(0),
        sink: {
          write: (record) => written.push(record),
          watchSends: (inFlight) => {
            watched.push([...inFlight()]);
            return () => undefined;
          },
        },
        progress,
        onAnswer: (_call, result) => (lastPayload = result.payload.toString()),
      });
      expect(outcome.status).toBe('completed');
    } finally {
      await threads.close();
    }
    expect(written.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(written.every((r) => r.runId === 'run-1' && r.status === 'ok' && r.fn === 'x')).toBe(true);
    expect(bodies.length).toBe(50);
    expect(new Set(bodies)).toEqual(new Set(['{"n":1}']));
    expect(progress.snapshot()).toMatchObject({ planned: 50, sent: 50, done: 50, inFlight: 0, dropped: 0, errors: 0 });
    expect(lastPayload).toBe('{"answer":42}');
    expect(watched).toEqual([[]]);
  }, 60_000);

  it.runIf(existsSync('/proc/thread-self'))('gives the two sending threads the CPU first during a load: every other thread, this one included, is lowered, and put back after', async () => {
    const threads = await twoWorkers('240', '{}');
    priorities.length = 0;
    try {
      const outcome = await threads.run({ runId: 'run-2', plan: planOf({ functions: ['x'], count: 120 }, function* () {}), provider: UNUSED_PROVIDER, payloadOf: () => Buffer.alloc(0), sink: { write: () => undefined } });
      expect(outcome.status).toBe('completed');
    } finally {
      await threads.close();
    }
    expect(priorities).toHaveLength(120);
    for (const seen of priorities) {
      expect(seen.get(process.pid)).toBe(LOWERED_NICE);
      expect([...seen.values()].filter((nice) => nice !== null && nice < LOWERED_NICE)).toEqual([0, 0]);
    }
    // Putting a priority back needs the privilege to raise one.
    if (process.getuid?.() === 0) expect(niceOf(process.pid)).toBe(0);
  }, 60_000);

  it('fails to start, naming the option, when a worker cannot build its provider; no thread is left', async () => {
    const start = startShardThreads({
      workers: 2,
      source: { kind: 'pattern', name: 'constant', options: { rate: '10', duration: '1s' }, fn: 'x' },
      processShard: undefined,
      provider: { name: 'http', options: {} },
      payloads: { kind: 'one', body: new Uint8Array() },
      maxInFlight: 10,
    });
    await expect(start).rejects.toMatchObject({ name: 'FaasbenchError', code: 'InvalidParameterValue', message: expect.stringContaining('url') as unknown as string });
  }, 60_000);
});
