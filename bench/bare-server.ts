/**
 * The physical limit for the warm bench: a bare node:http server, configured like the platform's
 * gateway (keep-alive, 60 s idle), that reads the request body and answers `{"ok":true}`. Whatever
 * the platform adds on top of this is its overhead. Run by server-processes.ts in its own process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOOP_RESPONSE } from './bench-functions.ts';
import { serveUntilStopped } from './server-processes.ts';

const body = Buffer.from(NOOP_RESPONSE);
const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveUntilStopped({
  url: `http://127.0.0.1:${port}`,
  info: {},
  stop: () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
});
