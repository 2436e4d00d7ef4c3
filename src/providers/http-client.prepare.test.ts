// Connections opened before a run: prepare() connects sockets and sends nothing on them, and the
// run's first calls go out on them instead of each opening its own.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Provider } from '../core/provider.ts';
import { createHttpProvider } from './http.ts';
import { createLocalProvider } from './local.ts';

/** Counts sockets accepted, and requests per socket; answers after 100 ms so calls overlap. */
let server: Server;
let perSocket: Map<Socket, number>;
let url: string;
let provider: Provider | undefined;

beforeEach(async () => {
  perSocket = new Map();
  server = createServer((req, res) => {
    perSocket.set(req.socket, (perSocket.get(req.socket) ?? 0) + 1);
    req.resume();
    req.on('end', () => setTimeout(() => res.end('{"ok":true}'), 100));
  });
  server.on('connection', (socket) => perSocket.set(socket, 0));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await provider?.close();
  provider = undefined;
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const requests = (): number[] => [...perSocket.values()];

/** The server accepts a connection a turn or more after the client sees it open; then a turn for any extra one. */
async function accepted(count: number): Promise<void> {
  for (let i = 0; i < 200 && perSocket.size < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('prepare', () => {
  it('opens the connections asked for without a request, and 8 overlapping calls then use exactly those 8', async () => {
    provider = await createHttpProvider({ url: `${url}/{fn}` });
    await provider.prepare!(['a', 'b'], 8);
    await accepted(8);
    expect(requests()).toEqual(Array(8).fill(0));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => provider!.invoke(i % 2 ? 'a' : 'b', Buffer.from('{}'))));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('ok'));
    expect(requests()).toEqual(Array(8).fill(1));
  });

  it('before a load, runs its request path against a server of its own: the target sees the connections and no request', async () => {
    provider = await createHttpProvider({ url: `${url}/{fn}` });
    await provider.prepare!(['a'], 4, { load: true });
    await accepted(4);
    expect(requests()).toEqual([0, 0, 0, 0]);
  });

  it('keeps to the connections bound, and opens none again when they are open already', async () => {
    provider = await createHttpProvider({ url: `${url}/{fn}`, connections: 3 });
    await provider.prepare!(['a'], 8);
    await provider.prepare!(['a'], 8);
    await accepted(3);
    expect(requests()).toEqual([0, 0, 0]);
  });

  it('opens the local provider connections to its Lambda API the same way', async () => {
    provider = await createLocalProvider({ url });
    await provider.prepare!(['f', 'g'], 4);
    await accepted(4);
    expect(requests()).toEqual([0, 0, 0, 0]);
  });

  it('resolves, opening nothing, when the origin refuses connections', async () => {
    server.close();
    server.closeAllConnections();
    await once(server, 'close');
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const refused = await createHttpProvider({ url: 'http://127.0.0.1:1/{fn}' });
    await expect(refused.prepare!(['a'], 4)).resolves.toBeUndefined();
    const result = await refused.invoke('a', Buffer.from('{}'));
    expect([result.status, result.errorClass]).toEqual(['transport-error', 'ECONNREFUSED']);
    await refused.close();
    expect(requests()).toEqual([]);
  });
});
