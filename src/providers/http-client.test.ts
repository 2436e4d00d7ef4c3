// Pooled keep-alive connections: a benchmark that opened a connection per call would measure TCP
// handshakes (vSwarm's loader does). Calls go through the http provider to a real node:http server
// that counts the sockets it accepts.
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Provider } from '../core/provider.ts';
import { createDispatcher, send, type SendOptions } from './http-client.ts';
import { createHttpProvider } from './http.ts';

interface CountingServer {
  readonly url: string;
  /** Sockets accepted so far. */
  readonly sockets: () => number;
  /** Requests answered, per socket in the order the sockets were accepted. */
  readonly requestsPerSocket: () => number[];
  /** The most requests the server held at once. */
  readonly peakInFlight: () => number;
  /** Closes every open connection and resolves once the server has seen them closed. */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

/** Answers every request after `delayMs`, so concurrent calls overlap for certain. */
async function countingServer(delayMs: number): Promise<CountingServer> {
  const perSocket = new Map<Socket, number>();
  let inFlight = 0;
  let peak = 0;
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        perSocket.set(req.socket, (perSocket.get(req.socket) ?? 0) + 1);
        inFlight -= 1;
        res.end('{"ok":true}');
      }, delayMs),
    );
  });
  server.on('connection', (socket) => perSocket.set(socket, 0));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/{fn}`,
    sockets: () => perSocket.size,
    requestsPerSocket: () => [...perSocket.values()],
    peakInFlight: () => peak,
    dropConnections: async () => {
      const open = [...perSocket.keys()].filter((socket) => !socket.destroyed);
      const closed = open.map((socket) => once(socket, 'close'));
      for (const socket of open) socket.destroy();
      await Promise.all(closed);
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** `total` calls with at most `width` in flight: each worker starts its next call when its last ends. */
async function callsInFlight(provider: Provider, total: number, width: number): Promise<string[]> {
  const statuses: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      statuses.push((await provider.invoke('fn', Buffer.from('{}'))).status);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return statuses;
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function setUp(delayMs: number, options: Record<string, unknown> = {}): Promise<{ server: CountingServer; provider: Provider }> {
  const server = await countingServer(delayMs);
  open.push(server);
  const provider = await createHttpProvider({ url: server.url, ...options });
  open.push(provider);
  return { server, provider };
}

describe('http provider connections', () => {
  it('sends 100 sequential calls over one kept-alive socket', async () => {
    const { server, provider } = await setUp(0);
    for (let i = 0; i < 100; i++) expect((await provider.invoke('fn', Buffer.from('{}'))).status).toBe('ok');
    expect(server.requestsPerSocket()).toEqual([100]);
  });

  it('sends 50 calls at 4 in flight over 4 sockets, each reused', async () => {
    const { server, provider } = await setUp(20);
    const statuses = await callsInFlight(provider, 50, 4);
    expect(statuses).toEqual(Array(50).fill('ok'));
    // The calls did overlap: 4 sockets are what 4 in flight need, and no call opened a fifth.
    expect(server.peakInFlight()).toBe(4);
    expect(server.sockets()).toBe(4);
    expect(server.requestsPerSocket().reduce((a, b) => a + b, 0)).toBe(50);
    expect(server.requestsPerSocket().every((n) => n > 1)).toBe(true);
  });

  it('keeps to the `connections` bound: 4 in flight over 2 sockets', async () => {
    const { server, provider } = await setUp(20, { connections: 2 });
    expect(await callsInFlight(provider, 20, 4)).toEqual(Array(20).fill('ok'));
    // Calls beyond the bound wait in the client's queue for a free socket, so the server never holds more than 2.
    expect(server.sockets()).toBe(2);
    expect(server.peakInFlight()).toBe(2);
    expect(server.requestsPerSocket().reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('close() lets calls still waiting for a connection go out and finish', async () => {
    const { server, provider } = await setUp(20, { connections: 1 });
    const calls = Array.from({ length: 4 }, () => provider.invoke('fn', Buffer.from('{}')));
    await provider.close();
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(server.requestsPerSocket()).toEqual([4]);
  });

  it('opens a new connection when the server has closed an idle one', async () => {
    const { server, provider } = await setUp(0);
    expect((await provider.invoke('fn', Buffer.from('{}'))).status).toBe('ok');
    // What a server's keep-alive timeout does to an idle connection, awaited on the server's side.
    await server.dropConnections();
    expect((await provider.invoke('fn', Buffer.from('{}'))).status).toBe('ok');
    expect(server.requestsPerSocket()).toEqual([1, 1]);
  });
});

/** A server whose every answer is `answer(res)`; the url is its origin. */
async function answering(answer: (res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open.push({
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('send', () => {
  const post = (url: string): SendOptions => ({ method: 'POST', url: new URL(`${url}/fn`), body: '{}' });

  it('resolves with the final answer after an interim 103, its headers and its body', async () => {
    const url = await answering((res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(201, { 'x-final': 'yes', 'content-type': 'application/json' });
      res.end('{"done":1}');
    });
    const pool = createDispatcher(null);
    open.push(pool);
    const reply = await send(pool, post(url));
    expect(reply.status).toBe(201);
    expect(reply.headers['x-final']).toBe('yes');
    expect(reply.headers.link).toBeUndefined();
    expect(reply.body.toString()).toBe('{"done":1}');
  });

  it('joins a body that arrives in several writes, byte for byte', async () => {
    const parts = ['a'.repeat(70_000), 'b', 'c'.repeat(3)];
    const url = await answering((res) => {
      res.writeHead(200);
      res.write(parts[0]);
      setTimeout(() => res.write(parts[1]), 5);
      setTimeout(() => res.end(parts[2]), 10);
    });
    const pool = createDispatcher(null);
    open.push(pool);
    const reply = await send(pool, post(url));
    expect(reply.body.length).toBe(70_004);
    expect(reply.body.toString()).toBe(parts.join(''));
  });

  it('rejects when the connection dies mid-body, and the next call gets a connection of its own', async () => {
    let calls = 0;
    const url = await answering((res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(200, { 'content-length': 100 });
        res.write('only part');
        setTimeout(() => res.socket?.destroy(), 5);
      } else res.end('whole');
    });
    const pool = createDispatcher(null, { connections: 1 });
    open.push(pool);
    await expect(send(pool, post(url))).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect((await send(pool, post(url))).body.toString()).toBe('whole');
    expect(calls).toBe(2);
  });
});

describe('the connection pool with another caller’s handler', () => {
  it('frees the connection when a handler of undici’s old shape hears its call end', async () => {
    const url = await answering((res) => res.end('old'));
    const pool = createDispatcher(null, { connections: 1 });
    open.push(pool);
    // Two calls on one connection: the second goes out only once the first has freed it.
    const call = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        pool.dispatch(
          { origin: url, path: '/fn', method: 'GET' },
          {
            onConnect: () => undefined,
            onHeaders: () => true,
            onData: (chunk: Buffer) => chunks.push(chunk) > 0,
            onComplete: () => resolve(Buffer.concat(chunks).toString()),
            onError: reject,
          },
        );
      });
    expect(await Promise.all([call(), call()])).toEqual(['old', 'old']);
  });
});
