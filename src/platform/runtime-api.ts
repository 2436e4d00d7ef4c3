/**
 * The Lambda Runtime API (2018-06-01) as one instance sees it, on that instance's own port
 * (runtime-endpoint.ts): the routes carry no instance id, since the port and the peer check already
 * say whose they are.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFaasbenchError } from '../core/errors.ts';
import { readBody, sendJson } from './http-io.ts';
import { SYNC_PAYLOAD_MAX_BYTES } from './invocation.ts';

/** What the Runtime API may ask of its instance. */
export interface RuntimeTarget {
  next(res: ServerResponse): void;
  respond(requestId: string, payload: Buffer): boolean;
  fail(requestId: string, payload: Buffer, errorType: string | undefined): boolean;
  responseTooLarge(requestId: string, sizeBytes: number | undefined): boolean;
  reportInitError(payload: Buffer, errorType: string | undefined): void;
}

const ROUTE = /^\/2018-06-01\/runtime\/(invocation\/next|invocation\/([^/]+)\/(response|error)|init\/error)$/;

export function runtimeApi(instance: RuntimeTarget, req: IncomingMessage, res: ServerResponse): void {
  handle(instance, req, res).catch((err: unknown) => {
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { errorType: 'ServiceException', errorMessage: (err as Error).message ?? String(err) });
  });
}

async function handle(instance: RuntimeTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0] as string;
  const match = ROUTE.exec(pathname);
  if (!match) {
    sendJson(res, 404, { errorType: 'InvalidRuntimeRoute', errorMessage: `no runtime endpoint ${req.method} ${pathname}` });
    return;
  }
  const [, route, requestId, kind] = match;
  if (route === 'invocation/next' && req.method === 'GET') {
    instance.next(res);
    return;
  }
  if (req.method !== 'POST') {
    sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: `${req.method} is not allowed on ${pathname}` });
    return;
  }
  const body = await readBody(req, SYNC_PAYLOAD_MAX_BYTES).catch((err: unknown) => {
    if (isFaasbenchError(err, 'RequestTooLarge')) return null;
    throw err;
  });
  if (body === null) {
    // Answered as Lambda's Runtime API does, at once: the rest of the body is discarded as it
    // arrives (never held), the call ends with Function.ResponseSizeTooLarge, and the runtime,
    // told 413, goes on to its next invocation.
    if (requestId !== undefined) instance.responseTooLarge(requestId, declaredSize(req));
    sendJson(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${SYNC_PAYLOAD_MAX_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' });
    return;
  }
  const errorType = req.headers['lambda-runtime-function-error-type'];
  const type = typeof errorType === 'string' ? errorType : undefined;
  if (route === 'init/error') {
    instance.reportInitError(body, type);
    sendJson(res, 202, { status: 'OK' });
    return;
  }
  const known = kind === 'response' ? instance.respond(requestId as string, body) : instance.fail(requestId as string, body, type);
  // The client's answer goes out first: the runtime's acknowledgement can wait a turn.
  if (known) setImmediate(() => sendJson(res, 202, { status: 'OK' }));
  else sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: `request ${requestId} is not in flight on this instance` });
}

function declaredSize(req: IncomingMessage): number | undefined {
  const size = Number(req.headers['content-length']);
  return Number.isSafeInteger(size) && size > SYNC_PAYLOAD_MAX_BYTES ? size : undefined;
}
