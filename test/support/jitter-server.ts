/**
 * An HTTP endpoint for load runs with `--provider http`: answers every request with `{}` after a
 * seeded random delay in [0, maxMs), so calls finish out of order as on a real platform; with
 * `straggler`, every `every`-th request waits `ms` instead (a call still in flight long after it
 * was sent).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrng } from '../../src/core/prng.ts';

export interface JitterServer {
  readonly url: string;
  /** Requests answered so far. */
  readonly answered: () => number;
  /** Requests that had arrived by epoch ms `atMs`. */
  readonly receivedBy: (atMs: number) => number;
  close(): Promise<void>;
}

export async function startJitterServer(seed: number, maxMs: number, straggler?: { readonly every: number; readonly ms: number }): Promise<JitterServer> {
  const rng = createPrng(seed, 'jitter-server');
  let received = 0;
  let answered = 0;
  const arrivalsMs: number[] = [];
  const server = http.createServer((req, res) => {
    received++;
    arrivalsMs.push(Date.now());
    const delayMs = straggler && received % straggler.every === 0 ? straggler.ms : rng.next() * maxMs;
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        answered++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    answered: () => answered,
    receivedBy: (atMs) => arrivalsMs.filter((ms) => ms <= atMs).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
