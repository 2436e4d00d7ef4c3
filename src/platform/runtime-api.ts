/**
 * The Lambda Runtime API (2018-06-01) as instances see it. Each instance's AWS_LAMBDA_RUNTIME_API
 * carries its own prefix (`127.0.0.1:PORT/rt/<instance id>`), which is how one port serves every
 * instance: runtime clients build URLs by appending to that value.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFaasbenchError } from '../core/errors.ts';
import { readBody, sendJson } from './http-io.ts';
import { SYNC_PAYLOAD_MAX_BYTES } from './invocation.ts';
import type { LocalPlatform } from './platform.ts';

const ROUTE = /^\/rt\/([0-9a-f-]{36})\/2018-06-01\/runtime\/(invocation\/next|invocation\/([^/]+)\/(response|error)|init\/error)$/;

export async function runtimeApi(platform: LocalPlatform, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  if (!pathname.startsWith('/rt/')) return false;
  const match = ROUTE.exec(pathname);
  const instance = match ? platform.instance(match[1] as string) : undefined;
  if (!match || !instance) {
    sendJson(res, 404, { errorType: 'InvalidRuntimeRoute', errorMessage: `no runtime endpoint ${req.method} ${pathname}` });
    return true;
  }
  const [, , route, requestId, kind] = match;
  if (route === 'invocation/next' && req.method === 'GET') {
    instance.next(res);
    return true;
  }
  if (req.method !== 'POST') {
    sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: `${req.method} is not allowed on ${pathname}` });
    return true;
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
    return true;
  }
  const errorType = req.headers['lambda-runtime-function-error-type'];
  const type = typeof errorType === 'string' ? errorType : undefined;
  if (route === 'init/error') {
    instance.reportInitError(body, type);
    sendJson(res, 202, { status: 'OK' });
    return true;
  }
  const known = kind === 'response' ? instance.respond(requestId as string, body) : instance.fail(requestId as string, body, type);
  // The client's answer goes out first: the runtime's acknowledgement can wait a turn.
  if (known) setImmediate(() => sendJson(res, 202, { status: 'OK' }));
  else sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: `request ${requestId} is not in flight on this instance` });
  return true;
}

function declaredSize(req: IncomingMessage): number | undefined {
  const size = Number(req.headers['content-length']);
  return Number.isSafeInteger(size) && size > SYNC_PAYLOAD_MAX_BYTES ? size : undefined;
}
