/**
 * A TCP proxy a test can cut: in front of the shared PostgreSQL, it makes an outage of that
 * server for one client without touching the server. cut() closes the listener and every
 * connection (new ones are refused, as from a server that is down); freeze() stops passing bytes
 * either way and holds new connections (a server that stopped answering: a write hangs); restore()
 * listens again on the same port, or passes bytes again.
 */
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string;
  cut(): Promise<void>;
  freeze(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<readonly [net.Socket, net.Socket]>();
  let server: net.Server | undefined;
  let frozen = false;
  const join = ([client, upstream]: readonly [net.Socket, net.Socket]): void => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const part = ([client, upstream]: readonly [net.Socket, net.Socket]): void => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        const pair = [client, upstream] as const;
        pairs.add(pair);
        for (const socket of pair) {
          sockets.add(socket);
          socket.on('close', () => {
            sockets.delete(socket);
            pairs.delete(pair);
          });
          socket.on('error', () => undefined);
        }
        if (frozen) part(pair);
        else join(pair);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve((s.address() as net.AddressInfo).port);
      });
    });
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  const port = await listen(0);
  return {
    port,
    through(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cut: stop,
    freeze() {
      if (!frozen) for (const pair of pairs) part(pair);
      frozen = true;
    },
    async restore() {
      if (frozen) for (const pair of pairs) join(pair);
      frozen = false;
      if (!server) await listen(port);
    },
    close: stop,
  };
}
