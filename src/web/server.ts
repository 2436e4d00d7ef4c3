/**
 * The dashboard's HTTP server (node:http): read-only (GET and HEAD; anything else is 405),
 * loopback by default, a token for anything else, and every failure an answer with a message
 * (JSON under /api/, a page elsewhere) rather than a crash: a store that goes away mid-request
 * is a 500 naming what failed, and the server keeps serving.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { epochMicros } from '../core/clock.ts';
import { FaasbenchError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import { DashboardApi } from './api.ts';
import { loadAssets } from './assets.ts';
import { authorize, requireSafeBinding } from './auth.ts';
import { errorPage } from './pages/error-page.ts';
import { errorView, HttpError, htmlResponse, jsonError, type WebResponse } from './responses.ts';
import { createRouter, isPublicPath } from './routes.ts';
import { DEFAULT_PORT } from './port.ts';

export interface DashboardOptions {
  readonly store: Store;
  /** Default 127.0.0.1. Any non-loopback address needs `token`. */
  readonly host?: string;
  /** 0 picks a free port. Default 8080. */
  readonly port?: number;
  readonly token?: string;
  /** Epoch ms; for tests. */
  readonly now?: () => number;
  /** Where failures the server answered with a 500 are told (the CLI prints them). */
  readonly onError?: (err: unknown, request: string) => void;
}

export interface Dashboard {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting, ends open connections (polling pages keep them alive) and waits for the socket to close. */
  close(): Promise<void>;
}

export { DEFAULT_PORT };
const METHODS = ['GET', 'HEAD'];

/**
 * Pages load scripts and styles from /assets only and fetch from the same origin; the SVG charts
 * are inline markup (no script, no style attributes). Nothing may frame the dashboard.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // A ?token= in the address must not travel to another site in a Referer.
  'referrer-policy': 'no-referrer',
};

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  requireSafeBinding(host, options.token);
  const api = new DashboardApi(options.store, options.now ?? (() => epochMicros() / 1000));
  const router = createRouter(api, loadAssets());

  const answer = async (req: IncomingMessage): Promise<WebResponse> => {
    // The Host header is the client's to set; the path is all that matters here.
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const isApi = url.pathname.startsWith('/api/');
    try {
      if (!isPublicPath(url.pathname)) authorize(req.headers, url, options.token);
      if (!METHODS.includes(req.method ?? '')) {
        throw new HttpError(405, 'MethodNotAllowed', `the dashboard is read-only: ${req.method} is not allowed (GET only)`, { allow: METHODS.join(', ') });
      }
      const response = await router.dispatch(url);
      if (response) return response;
      throw new HttpError(404, 'NotFound', `nothing at ${url.pathname}: the runs list is at /, a run at /runs/<id>, the API under /api/runs`);
    } catch (err) {
      const view = errorView(err);
      if (view.status >= 500) options.onError?.(err, `${req.method} ${url.pathname}`);
      return isApi || view.status === 405 ? jsonError(view) : { ...htmlResponse(errorPage(view.status, view.message), view.status), headers: view.headers };
    }
  };

  const server = createServer((req, res) => {
    answer(req).then(
      (response) => send(req, res, response),
      // answer() turns every failure into a response; this is for a bug in that, never a crash.
      (err: unknown) => send(req, res, jsonError(errorView(err))),
    );
  });
  // A malformed request gets a 400 from Node and must not take the server down.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  const port = options.port ?? DEFAULT_PORT;
  await new Promise<void>((resolve, reject) => {
    const refuse = (err: NodeJS.ErrnoException): void => reject(listenError(err, host, port));
    server.once('error', refuse);
    server.listen(port, host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The address problems a user can fix, said as such; anything else as it came. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE') return new FaasbenchError('InvalidParameterValue', `${where} is in use: pick another port with --port (0 picks a free one)`, { cause: err });
  if (err.code === 'EACCES') return new FaasbenchError('InvalidParameterValue', `no permission to listen on ${where}: ports below 1024 need privileges; pick another with --port`, { cause: err });
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return new FaasbenchError('InvalidParameterValue', `cannot listen on ${host}: no such address on this machine (--host)`, { cause: err });
  return err;
}

function send(req: IncomingMessage, res: ServerResponse, response: WebResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  res.writeHead(response.status, {
    ...SECURITY_HEADERS,
    'cache-control': 'no-store',
    ...response.headers,
    'content-type': response.type,
    'content-length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
