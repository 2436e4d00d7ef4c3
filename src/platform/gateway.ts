/**
 * One HTTP server for the local platform's APIs: the Lambda REST API, the OpenFaaS gateway subset,
 * the HTTP trigger, /metrics and /healthz (routes.ts lists them). This file does the order every
 * request goes through: route, guard (request-guard.ts), decode, handler; and bounds connections.
 * It knows the platform only as a PlatformApi.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { FaasbenchError } from '../core/errors.ts';
import { DEFAULT_IDLE_TIMEOUT_MS, defaultMaxConnections, limitConnections } from './connection-limits.ts';
import { routePathOf } from './function-urls.ts';
import { sendJson } from './http-io.ts';
import type { PlatformApi } from './platform-api.ts';
import { refuseForeign, refuseUnauthorized, type GuardOptions } from './request-guard.ts';
import { decodeSegment, matchRoute, sendError, sendRefusal } from './routes.ts';

export interface GatewayOptions extends GuardOptions {
  /** A getter: the gateway listens before the platform exists (instances must be told its port). */
  platform: () => PlatformApi;
  /** A connection with no request in flight is closed after this long; default 30 s. */
  idleTimeoutMs?: number;
  /** Open connections at most; default a quarter of the open-files limit, at least 256. */
  maxConnections?: number;
}

export function createGateway(options: GatewayOptions): http.Server {
  const server = http.createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => fail(res, err));
  });
  limitConnections(server, { idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, maxConnections: options.maxConnections ?? defaultMaxConnections() });
  return server;
}

async function handle(options: GatewayOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Lambda answers every response, errors and refusals included, with the request's id.
  const requestId = randomUUID();
  res.setHeader('x-amzn-RequestId', requestId);
  const url = requestUrl(req);
  if (!url) return sendJson(res, 400, { message: `malformed request target "${req.url ?? ''}"` }, { connection: 'close' });
  const { route, rawSegments } = matchRoute(req.method ?? 'GET', routePathOf(req.headers.host, url.pathname));
  const refusal = refuseForeign(req, options, route.api === 'url' ? 'function-url' : 'platform') ?? refuseUnauthorized(req, route.access, options);
  if (refusal) {
    // Before the body is read: the connection closes rather than taking in what was sent.
    res.setHeader('connection', 'close');
    return sendRefusal(route.api, res, refusal);
  }
  // The credential is the platform's: the HTTP trigger must not hand it to the function.
  if (options.token !== undefined) {
    delete req.headers.authorization;
    delete req.headers['x-faasbench-token'];
  }
  try {
    const segments = Object.fromEntries(Object.entries(rawSegments).map(([key, raw]) => [key, decodeSegment(raw)]));
    await route.handler({ platform: options.platform(), req, res, url, name: segments.name ?? '', segments, requestId });
  } catch (err) {
    if (!(err instanceof FaasbenchError) || res.headersSent) throw err;
    sendError(route.api, res, err);
  }
}

function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://local');
  } catch {
    return undefined;
  }
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, { Type: 'Service', Message: (err as Error).message ?? String(err) }, { 'x-amzn-errortype': 'ServiceException' });
}
