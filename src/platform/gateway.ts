/**
 * One HTTP server for every API of the local platform: the Lambda REST API, the OpenFaaS gateway
 * subset, the HTTP trigger, the Runtime API for instances, /metrics and /healthz. Routing and
 * authentication only; each API lives in its own file.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { FaasbenchError } from '../core/errors.ts';
import { httpTrigger } from './http-trigger.ts';
import { sendJson } from './http-io.ts';
import { lambdaApi, sendLambdaError } from './lambda-api.ts';
import { openfaasApi } from './openfaas-api.ts';
import type { LocalPlatform } from './platform.ts';
import { runtimeApi } from './runtime-api.ts';

export interface GatewayOptions {
  /** Required on every route but the Runtime API (whose per-instance prefixes are unguessable). */
  token: string | undefined;
  platform: () => LocalPlatform;
}

export function createGateway(options: GatewayOptions): http.Server {
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
    handle(options, req, res).catch((err: unknown) => fail(res, err));
  });
  // Long polls for /next are idle by design; Node's default timeouts would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return server;
}

async function handle(options: GatewayOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const platform = options.platform();
  const url = new URL(req.url ?? '/', 'http://local');
  if (await runtimeApi(platform, req, res, url.pathname)) return;
  if (await openfaasApi(platform, req, res, url, options.token)) return;
  if (options.token !== undefined && !authorized(req, options.token)) {
    throw new FaasbenchError('Unauthorized', 'a token is required: send "Authorization: Bearer <token>" or use the token as the access key id');
  }
  if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok', functions: platform.list().length, ...platform.facts, reaped: platform.reaped });
  if (url.pathname === '/metrics') {
    const text = await platform.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': platform.metrics.registry.contentType }).end(text);
    return;
  }
  if (await httpTrigger(platform, req, res, url)) return;
  if (await lambdaApi(platform, req, res, url.pathname)) return;
  sendJson(res, 404, { message: `no route for ${req.method} ${url.pathname}` });
}

/** Bearer token, our header, or an AWS SigV4 signature whose access key id is the token. */
function authorized(req: IncomingMessage, token: string): boolean {
  const auth = req.headers.authorization ?? '';
  const offered =
    /^Bearer (.+)$/.exec(auth)?.[1] ??
    /Credential=([^/]+)\//.exec(auth)?.[1] ??
    (typeof req.headers['x-faasbench-token'] === 'string' ? req.headers['x-faasbench-token'] : '');
  const a = Buffer.from(offered);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof FaasbenchError) sendLambdaError(res, err);
  else sendJson(res, 500, { Type: 'Service', Message: (err as Error).message ?? String(err) }, { 'x-amzn-errortype': 'ServiceException' });
}
