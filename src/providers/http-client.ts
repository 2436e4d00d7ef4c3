/**
 * What the HTTP-speaking providers share: pooled keep-alive connections through undici (fetch is
 * several times slower per call, which a benchmark cannot afford), one way to turn a response or a
 * failed connection into an InvokeResult, and the `X-Faasbench-*` ground truth as PlatformFacts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, Pool, type Dispatcher } from 'undici';
import { FaasbenchError, type ErrorCode } from '../core/errors.ts';
import { NO_FACTS, type PlatformFacts } from '../core/invocation-record.ts';
import type { InvokeResult } from '../core/provider.ts';

/** Above Lambda's 900 s maximum, so a client timeout never cuts a call the platform still runs. */
export const DEFAULT_TIMEOUT_MS = 960_000;

export interface ConnectionOptions {
  /** Client-side limit on one call (headers, then body), in ms. */
  readonly timeoutMs?: number;
  /** Upper bound on open connections per origin; unset means as many as calls in flight. */
  readonly connections?: number;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A pool to one origin (`local`, `openfaas`), or an agent for URLs that vary per function (`http`). */
export function createDispatcher(origin: string | null, options: ConnectionOptions = {}): Dispatcher {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const common = { headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 30_000, connections: options.connections ?? null };
  return origin === null ? new Agent(common) : new Pool(origin, common);
}

export interface SendOptions {
  readonly method: Dispatcher.HttpMethod;
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | null;
}

/** One request; rejects only when no HTTP response arrived (see transportFailure). */
export async function send(dispatcher: Dispatcher, request: SendOptions): Promise<HttpReply> {
  const res = await dispatcher.request({
    origin: request.url.origin,
    path: request.url.pathname + request.url.search,
    method: request.method,
    headers: request.headers ?? {},
    body: request.body ?? null,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

/** The first value of a header, or undefined. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A stable class for a failure with no response: the errno code (`ECONNREFUSED`, `ECONNRESET`),
 * undici's code (`UND_ERR_HEADERS_TIMEOUT`), or the error's name. Connecting to a name with
 * several addresses fails with an AggregateError whose parts carry the code.
 */
export function transportErrorClass(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; errors?: unknown[] };
  if (typeof e?.code === 'string') return e.code;
  const inner = Array.isArray(e?.errors) ? (e.errors[0] as { code?: unknown } | undefined) : undefined;
  if (typeof inner?.code === 'string') return inner.code;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

export function transportFailure(err: unknown): InvokeResult {
  return { status: 'transport-error', httpStatus: null, payload: Buffer.alloc(0), errorClass: transportErrorClass(err), facts: NO_FACTS };
}

/** The status an HTTP answer means: 429 is capacity, other 4xx a refused call, 5xx a failed one. */
export function statusOfHttp(code: number): InvokeResult['status'] {
  if (code >= 200 && code < 300) return 'ok';
  if (code === 429) return 'throttled';
  if (code >= 500) return 'function-error';
  return 'rejected';
}

/** Lambda's `{ errorType }` in an error payload, when the body is one. */
export function errorTypeIn(payload: Buffer): string | undefined {
  try {
    const value = JSON.parse(payload.toString('utf8')) as unknown;
    const type = (value as { errorType?: unknown } | null)?.errorType;
    return typeof type === 'string' && type !== '' ? type : undefined;
  } catch {
    return undefined;
  }
}

const number = (text: string | undefined): number | null => {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
};

/** The local platform's ground truth, or null when the response carries none. */
export function factsFromHeaders(headers: IncomingHttpHeaders): PlatformFacts | null {
  const requestId = header(headers, 'x-faasbench-request-id');
  if (requestId === undefined) return null;
  const cold = header(headers, 'x-faasbench-cold');
  return {
    requestId,
    instanceId: header(headers, 'x-faasbench-instance-id') ?? null,
    cold: cold === 'true' ? true : cold === 'false' ? false : null,
    initMs: number(header(headers, 'x-faasbench-init-ms')),
    durationMs: number(header(headers, 'x-faasbench-duration-ms')),
    billedMs: number(header(headers, 'x-faasbench-billed-ms')),
    memoryMb: number(header(headers, 'x-faasbench-memory-mb')),
    maxMemoryMb: number(header(headers, 'x-faasbench-max-memory-mb')),
  };
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'InvalidParameterValue',
  401: 'Unauthorized',
  403: 'Unauthorized',
  404: 'ResourceNotFound',
  409: 'ResourceConflict',
  413: 'RequestTooLarge',
  429: 'TooManyRequests',
};

/** A control-plane call (deploy, update, remove) that failed, as the error the caller sees. */
export function controlError(what: string, reply: HttpReply): FaasbenchError {
  const text = reply.body.toString('utf8').trim();
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; Message?: unknown };
    const m = parsed.message ?? parsed.Message;
    if (typeof m === 'string') message = m;
  } catch {
    // a plain-text body is the message
  }
  const code = CODE_OF_STATUS[reply.status] ?? 'ServiceUnavailable';
  return new FaasbenchError(code, `${what}: HTTP ${reply.status}${message ? `: ${message}` : ''}`);
}

/** Wraps a control-plane call so a dead platform reads as the error the caller sees, naming what failed. */
export async function controlSend(dispatcher: Dispatcher, what: string, request: SendOptions): Promise<HttpReply> {
  try {
    return await send(dispatcher, request);
  } catch (err) {
    throw new FaasbenchError('ServiceUnavailable', `${what}: no response from ${request.url.origin} (${transportErrorClass(err)})`, { cause: err });
  }
}
