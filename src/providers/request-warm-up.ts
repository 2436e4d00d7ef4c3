/**
 * A provider's own request path (its invoke, undici's client, the answer's parsing) run before a
 * load against a throwaway server of its own on loopback, never against the platform: a call sent
 * to a FaaS platform as warm-up would change what is measured. Compiled then, the path does not
 * compile while the run's first calls fall due (they went out tens to hundreds of ms late).
 * Once per provider kind and process: compiled code stays.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { within } from '../core/within.ts';

/** Calls through each twin: the first only long enough to have its connections used and closed; then enough for the hot functions to be optimised (a few hundred ms on a busy host). */
const CALLS_PER_TWIN = [200, 2_000];
/** A host too busy to make them in this long (connections opened included) gets what was done: the run must not wait on it. */
const AT_MOST_MS = 1_000;
const CONCURRENCY = 16;
const warmed = new Set<string>();

/** A twin of the provider aimed at `origin`, as the warm-up uses it. */
export interface WarmUpTarget {
  /** Opens the twin's connections ahead, as the run's own are opened (the provider's prepare, without a load). */
  prepare?(connections: number): Promise<void>;
  invoke(): Promise<unknown>;
  close(): Promise<void>;
}

/** What a provider's twin offers the warm-up: its prepare (connections only) and invoke of one function. */
export interface Twin {
  prepare(fns: readonly string[], expectedInFlight: number): Promise<void>;
  invoke(fn: string, payload: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

/** The warm-up's view of `twin`, calling `fn` with an empty JSON object. */
export function warmUpTarget(twin: Twin, fn: string): WarmUpTarget {
  return { prepare: (connections) => twin.prepare([fn], connections), invoke: () => twin.invoke(fn, Buffer.from('{}')), close: () => twin.close() };
}

/** The throwaway server a warm-up calls: an HTTP one by default, a gRPC one for the grpc provider. */
export interface WarmUpServer {
  /** What twinAt is given: `http://127.0.0.1:<port>`, or `127.0.0.1:<port>` for gRPC. */
  readonly origin: string;
  close(): void;
}

/** Never rejects: a warm-up that fails (its server, a twin's call) leaves the provider's own preparation to go on, its path only uncompiled. */
export async function warmRequestPath(kind: string, twinAt: (origin: string) => WarmUpTarget, startServer: () => Promise<WarmUpServer> = startHttpServer): Promise<void> {
  if (warmed.has(kind)) return;
  warmed.add(kind);
  await warmThroughTwins(twinAt, startServer).catch(() => undefined);
}

async function warmThroughTwins(twinAt: (origin: string) => WarmUpTarget, startServer: () => Promise<WarmUpServer>): Promise<void> {
  const server = await startServer();
  const deadline = performance.now() + AT_MOST_MS;
  try {
    // Two twins, one after the other: the first connections to close (the first twin's) change
    // what V8 knows of a connection's fields, and every function compiled against the open ones
    // was thrown away then. With a single twin that happened as the warm-up ended, and the run's
    // first 300 ms compiled undici's parser again; the second twin compiles it for good.
    for (const calls of CALLS_PER_TWIN) {
      if (performance.now() >= deadline) break;
      await callThrough(twinAt(server.origin), calls, deadline);
    }
  } finally {
    server.close();
  }
}

/** A fresh twin's connections opened (up to the deadline), then `calls` calls through it, CONCURRENCY at a time, then its close. */
async function callThrough(twin: WarmUpTarget, calls: number, deadline: number): Promise<void> {
  let left = calls;
  const worker = async (): Promise<void> => {
    while (left-- > 0 && performance.now() < deadline) await twin.invoke();
  };
  try {
    if (twin.prepare) await within(twin.prepare(CONCURRENCY), deadline - performance.now());
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await twin.close();
  }
}

async function startHttpServer(): Promise<WarmUpServer> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
