// The grpc provider's prepare: channels connected before a run, no call sent to the target, and an
// address that never answers left to the run. The target is a bare HTTP/2 server that counts
// sessions (connections that completed HTTP/2's handshake) and streams (calls).
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGreeter, type GreeterServer } from '../../test/grpc/greeter-server.ts';
import { closedPort } from './conformance.ts';
import { createGrpcProvider } from './grpc.ts';

interface CountingServer {
  readonly port: number;
  sessions: number;
  streams: number;
  close(): Promise<void>;
}

/** Answers each call UNIMPLEMENTED, at once or, with `holdUntil`, once that many calls are open together. */
async function countingServer(holdUntil = 1): Promise<CountingServer> {
  const server = http2.createServer();
  const counts = { sessions: 0, streams: 0 };
  const held: http2.ServerHttp2Stream[] = [];
  server.on('session', () => counts.sessions++);
  server.on('stream', (stream) => {
    counts.streams++;
    held.push(stream);
    if (held.length < holdUntil) return;
    for (const s of held.splice(0)) s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(counts, {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

describe('grpc provider prepare', () => {
  let target: CountingServer;
  let greeter: GreeterServer;
  beforeAll(async () => {
    target = await countingServer();
    greeter = await startGreeter();
  });
  afterAll(async () => {
    await target?.close();
    await greeter?.stop();
  });

  it('connects one channel per address and sends no call, with or without the warm-up of a load', async () => {
    const grpc = await createGrpcProvider({ endpoint: `127.0.0.1:${target.port}` });
    try {
      await grpc.prepare!(['a', 'b', 'c'], 100, { load: true });
      expect({ sessions: target.sessions, streams: target.streams }).toEqual({ sessions: 1, streams: 0 });
      await grpc.prepare!(['a'], 100);
      expect({ sessions: target.sessions, streams: target.streams }).toEqual({ sessions: 1, streams: 0 });
    } finally {
      await grpc.close();
    }
  });

  it('opens a channel per 100 calls expected in flight, and calls fill the first channels first', async () => {
    const holding = await countingServer(150);
    const grpc = await createGrpcProvider({ endpoint: `127.0.0.1:${holding.port}` });
    try {
      await grpc.prepare!(['a'], 250);
      expect({ sessions: holding.sessions, streams: holding.streams }).toEqual({ sessions: 3, streams: 0 });
      const results = await Promise.all(Array.from({ length: 150 }, () => grpc.invoke('a', Buffer.from('{}'))));
      expect(results.map((r) => r.errorClass)).toEqual(Array.from({ length: 150 }, () => 'UNIMPLEMENTED'));
      expect({ sessions: holding.sessions, streams: holding.streams }).toEqual({ sessions: 3, streams: 150 });
    } finally {
      await grpc.close();
      await holding.close();
    }
  });

  it('calls go out on the channel prepare opened', async () => {
    const grpc = await createGrpcProvider({ endpoint: `127.0.0.1:${greeter.port}` });
    try {
      const before = greeter.seen.length;
      await grpc.prepare!(['hello'], 10);
      expect(greeter.seen.length).toBe(before);
      const results = await Promise.all([1, 2, 3].map(() => grpc.invoke('hello', Buffer.from('{}'))));
      expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
      expect(new Set(greeter.seen.slice(before).map((c) => c.peer)).size).toBe(1);
    } finally {
      await grpc.close();
    }
  });

  it('resolves for an address nobody answers, leaving the failure to the calls', async () => {
    const grpc = await createGrpcProvider({ endpoint: `127.0.0.1:${await closedPort()}`, deadlineMs: 2_000 });
    try {
      await expect(grpc.prepare!(['gone'], 10)).resolves.toBeUndefined();
      expect((await grpc.invoke('gone', Buffer.from('{}'))).errorClass).toMatch(/^(UNAVAILABLE|DEADLINE_EXCEEDED)$/);
    } finally {
      await grpc.close();
    }
  });
});
