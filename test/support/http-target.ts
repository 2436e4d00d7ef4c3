/**
 * A plain node:http endpoint for the `http` provider to call: answers each request as `answer`
 * says for its number (1-based, in arrival order) and counts them, so a test knows exactly what
 * was sent and what each call got, with no platform in between.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TargetAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HttpTarget {
  readonly url: string;
  /** Requests received so far. */
  readonly requests: () => number;
  close(): Promise<void>;
}

export const OK: TargetAnswer = { status: 200, body: '{"ok":true}' };

export async function startHttpTarget(answer: (n: number) => TargetAnswer = () => OK): Promise<HttpTarget> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = answer(++count);
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
