/**
 * For the invoker's tests: a real HTTP endpoint on loopback that answers at once (or after
 * `?delay=ms`), and the smallest real provider in front of it (one POST per call; `fn` is the
 * path). Call inside a describe or at a file's top: it registers its own hooks.
 */
import { once } from 'node:events';
import http from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { Pool } from 'undici';
import { epochMicros } from '../../core/clock.ts';
import { NO_FACTS } from '../../core/invocation-record.ts';
import type { InvokeResult, Provider } from '../../core/provider.ts';

export function useLoopbackProvider(connections: number): Provider {
  let server: http.Server;
  let pool: Pool;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      req.resume();
      req.on('end', () => setTimeout(() => res.end('{"ok":true}'), delay));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections });
  });
  afterAll(async () => {
    await pool.close();
    server.close();
  });
  return {
    name: 'test-http',
    deploy: async () => undefined,
    updateConfiguration: async () => undefined,
    remove: async () => undefined,
    close: async () => undefined,
    async invoke(fn, payload): Promise<InvokeResult> {
      const res = await pool.request({ method: 'POST', path: fn, body: payload });
      return { status: 'ok', httpStatus: res.statusCode, payload: Buffer.from(await res.body.arrayBuffer()), errorClass: null, facts: NO_FACTS };
    },
  };
}

/** What the counting endpoint saw, read by tests about when calls and connections happen. */
export interface LoopbackCounts {
  /** epochMicros() at each request's arrival, in arrival order. */
  readonly arrivalsUs: number[];
  /** Connections accepted, and how many had been accepted when the first request arrived. */
  connections: number;
  connectionsAtFirstRequest: number | null;
  /** Requests being answered at once, at most. */
  peakInFlight: number;
  /** Each prepare() the provider got, with when it was called; and every invoke, counted. */
  readonly prepared: Array<{ readonly fns: readonly string[]; readonly expectedInFlight: number; readonly atUs: number }>;
  invokes: number;
  /** Clears the counts between tests (the server and its kept-alive connections stay). */
  reset(): void;
}

/**
 * The loopback endpoint with counts, and a provider in front of it whose prepare() opens as many
 * plain sockets to it as the run expects in flight (so the endpoint sees connections open before
 * any request), as a provider that pools connections would.
 */
export function useCountingLoopback(connections: number): { provider: Provider; counts: LoopbackCounts } {
  let server: http.Server;
  let pool: Pool;
  const sockets: Socket[] = [];
  let inFlight = 0;
  let acceptedEver = 0;
  const counts: LoopbackCounts = {
    arrivalsUs: [],
    connections: 0,
    connectionsAtFirstRequest: null,
    peakInFlight: 0,
    prepared: [],
    invokes: 0,
    reset() {
      counts.arrivalsUs.length = 0;
      counts.prepared.length = 0;
      counts.connections = 0;
      counts.connectionsAtFirstRequest = null;
      counts.peakInFlight = 0;
      counts.invokes = 0;
    },
  };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      counts.arrivalsUs.push(epochMicros());
      counts.connectionsAtFirstRequest ??= counts.connections;
      counts.peakInFlight = Math.max(counts.peakInFlight, ++inFlight);
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          inFlight -= 1;
          res.end('{"ok":true}');
        }, delay),
      );
    });
    server.on('connection', () => {
      counts.connections++;
      acceptedEver++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await pool.close();
    server.closeAllConnections();
    server.close();
  });
  const provider: Provider = {
    name: 'test-http-counting',
    deploy: async () => undefined,
    updateConfiguration: async () => undefined,
    remove: async () => undefined,
    close: async () => undefined,
    async prepare(fns, expectedInFlight): Promise<void> {
      counts.prepared.push({ fns, expectedInFlight, atUs: epochMicros() });
      const { port } = server.address() as AddressInfo;
      const target = acceptedEver + expectedInFlight;
      await Promise.all(
        Array.from({ length: expectedInFlight }, () => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          return once(socket, 'connect');
        }),
      );
      // Open on both ends: the server accepts a turn or more after the client sees the socket open.
      for (let i = 0; i < 500 && acceptedEver < target; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    async invoke(fn, payload): Promise<InvokeResult> {
      counts.invokes += 1;
      const res = await pool.request({ method: 'POST', path: fn, body: payload });
      return { status: 'ok', httpStatus: res.statusCode, payload: Buffer.from(await res.body.arrayBuffer()), errorClass: null, facts: NO_FACTS };
    },
  };
  return { provider, counts };
}
