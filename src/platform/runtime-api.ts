/**
 * The Lambda Runtime API (2018-06-01) as one instance sees it, on that instance's own port
 * (runtime-endpoint.ts): the routes carry no instance id, since the port and the peer check already
 * say whose they are.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFaasbenchError } from '../core/errors.ts';
import { readBody, sendJson } from './http-io.ts';
import { STREAM_MAX_BYTES, SYNC_PAYLOAD_MAX_BYTES } from './invocation.ts';

/** What the Runtime API may ask of its instance. */
export interface RuntimeTarget {
  next(res: ServerResponse): void;
  respond(requestId: string, payload: Buffer): boolean;
  fail(requestId: string, payload: Buffer, errorType: string | undefined): boolean;
  responseTooLarge(requestId: string, sizeBytes: number | undefined): boolean;
  /** Null when taken; else the state the runtime is in, which cannot go to InitError. */
  reportInitError(payload: Buffer, errorType: string | undefined): RuntimeState | null;
  streamStart(requestId: string, contentType: string): boolean;
  streamChunk(requestId: string, bytes: Buffer): boolean;
  streamEnd(requestId: string, error: { type: string; body: Buffer } | undefined): boolean;
}

/** The runtime's states, named as Lambda's Runtime API names them in its refusals. */
export type RuntimeState = 'InitError' | 'Ready' | 'Running';

/**
 * Lambda's answer to a call the runtime's state does not allow, such as /next after /init/error
 * (AWS's Runtime Interface Emulator: rapi/handler, rendering.RenderForbiddenWithTypeMsg).
 */
export function refuseTransition(res: ServerResponse, from: RuntimeState, to: RuntimeState): void {
  sendJson(res, 403, {
    errorMessage: `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`,
    errorType: 'InvalidStateTransition',
  });
}

/**
 * The error type Lambda's log lines (REPORT, INIT_REPORT) name for a Lambda-Runtime-Function-Error-Type
 * header: the runtime's own when it looks like one of Lambda's (`Runtime.X`, `Function.X`), else
 * `Runtime.Unknown` (`Function.Unknown` for other `Function.` values). The header is function
 * data, which Lambda's Runtime API does not repeat unchecked.
 */
export function reportedErrorType(header: string | undefined): string {
  if (header !== undefined && /(Runtime|Function)\.[A-Z][a-zA-Z]+/.test(header)) return header;
  return header?.startsWith('Function.') ? 'Function.Unknown' : 'Runtime.Unknown';
}

/** What the caller receives when the runtime posted an error without a body, as Lambda builds it. */
export function unknownErrorPayload(header: string | undefined): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage: 'Unknown application error occurred', errorType: reportedErrorType(header) }));
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
  if (kind === 'response' && req.headers['lambda-runtime-function-response-mode'] === 'streaming') {
    await receiveStream(instance, requestId as string, req, res);
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
  // An error's body reaches the caller as posted; without one, Lambda makes one from the header.
  const errorBody = body.length > 0 ? body : unknownErrorPayload(type);
  if (route === 'init/error') {
    const refused = instance.reportInitError(errorBody, type);
    if (refused) refuseTransition(res, refused, 'InitError');
    else sendJson(res, 202, { status: 'OK' });
    return;
  }
  const known = kind === 'response' ? instance.respond(requestId as string, body) : instance.fail(requestId as string, errorBody, type);
  // The client's answer goes out first: the runtime's acknowledgement can wait a turn.
  if (known) setImmediate(() => sendJson(res, 202, { status: 'OK' }));
  else sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: `request ${requestId} is not in flight on this instance` });
}

function declaredSize(req: IncomingMessage): number | undefined {
  const size = Number(req.headers['content-length']);
  return Number.isSafeInteger(size) && size > SYNC_PAYLOAD_MAX_BYTES ? size : undefined;
}

/**
 * A streamed response (Lambda's response streaming): each chunk goes on as it arrives; an error
 * comes in the trailers, its type and its body base64-encoded, as AWS's runtime clients send them.
 */
async function receiveStream(instance: RuntimeTarget, requestId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : 'application/octet-stream';
  if (!instance.streamStart(requestId, contentType)) {
    req.resume();
    sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: `request ${requestId} is not in flight on this instance` });
    return;
  }
  let open = true;
  // Past the limit the call has ended; the rest is read and dropped as it arrives, never held.
  for await (const chunk of req) if (open) open = instance.streamChunk(requestId, chunk as Buffer);
  if (!open) {
    sendJson(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${STREAM_MAX_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' });
    return;
  }
  const type = req.trailers['lambda-runtime-function-error-type'];
  const body = req.trailers['lambda-runtime-function-error-body'];
  const error = type ? { type, body: body ? Buffer.from(body, 'base64') : unknownErrorPayload(type) } : undefined;
  instance.streamEnd(requestId, error);
  setImmediate(() => sendJson(res, 202, { status: 'OK' }));
}
