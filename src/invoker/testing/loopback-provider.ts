/**
 * For the invoker's tests: a real HTTP endpoint on loopback that answers at once (or after
 * `?delay=ms`), and the smallest real provider in front of it (one POST per call; `fn` is the
 * path). Call inside a describe or at a file's top: it registers its own hooks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { Pool } from 'undici';
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
