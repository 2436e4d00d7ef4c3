// The gateway's connection bounds with real sockets: a silent connection is closed after the idle
// timeout while a connection whose response is pending is not, and connections past the cap are
// closed at once. Nothing here waits on a tight margin: the slow response is released only once the
// silent socket has been closed and its connection has been idle for several timeouts.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMaxConnections } from './connection-limits.ts';
import { createGateway, type GatewayOptions } from './gateway.ts';
import { FakePlatform } from './testing/fake-platform.ts';

const IDLE_MS = 300;
const servers: http.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(fake: FakePlatform, options: Partial<GatewayOptions> = {}): Promise<number> {
  const server = createGateway({ token: undefined, platform: () => fake, idleTimeoutMs: IDLE_MS, ...options });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await fake.deploy({ name: 'slow', runtime: 'nodejs', handler: 'index.handler' }, { folder: '/nowhere' });
  return (server.address() as AddressInfo).port;
}

async function connect(port: number): Promise<{ socket: net.Socket; closed: Promise<unknown>; received: () => string }> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, closed, received: () => text };
}

const request = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;

describe('idle connections', () => {
  it('closes a connection that never sends a byte, but not one whose response is pending', async () => {
    const fake = new FakePlatform();
    const port = await start(fake);
    const silent = await connect(port);
    // The function answers only after the silent socket is gone and its own connection has sat
    // with nothing on the wire for four idle timeouts.
    fake.answer = async () => {
      await silent.closed;
      await sleep(4 * IDLE_MS);
      return Buffer.from('"done"');
    };
    const busy = await connect(port);
    busy.socket.write(request('/2015-03-31/functions/slow/invocations'));
    await silent.closed;
    expect(silent.received()).toBe('');
    while (!busy.received().endsWith('"done"')) await once(busy.socket, 'data');
    expect(busy.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(busy.socket.destroyed).toBe(false);
    // Its response sent, the connection is idle again: it goes too.
    await busy.closed;
  });

  it('closes a connection left open after its last response (keep-alive), advertising the timeout', async () => {
    const port = await start(new FakePlatform());
    const client = await connect(port);
    client.socket.write(request('/fn/slow'));
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(client.received()).toMatch(/\r\nKeep-Alive: timeout=\d+\r\n/i);
  });
});

describe('the connection cap', () => {
  it('closes connections past maxConnections at once, and serves again once one goes', async () => {
    const port = await start(new FakePlatform(), { maxConnections: 2, idleTimeoutMs: 60_000 });
    const first = await connect(port);
    await connect(port);
    const third = await connect(port);
    await third.closed;
    expect(third.received()).toBe('');
    first.socket.destroy();
    await first.closed;
    // The server counts the closed connection once it sees the close: retry until it has.
    for (;;) {
      const next = await connect(port);
      next.socket.write(request('/fn/slow'));
      await Promise.race([next.closed, once(next.socket, 'data')]);
      if (next.received().startsWith('HTTP/1.1 200 OK')) break;
      await sleep(20);
    }
  });

  it('defaults to a quarter of the open-files limit, at least 256', () => {
    const soft = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]);
    expect(defaultMaxConnections()).toBe(Math.max(256, Math.floor(soft / 4)));
  });
});
