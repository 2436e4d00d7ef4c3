/**
 * What the HTTP-speaking providers share: pooled keep-alive connections through undici (fetch is
 * several times slower per call, which a benchmark cannot afford), one way to turn a response or a
 * failed connection into an InvokeResult, and the `X-Faasbench-*` ground truth as PlatformFacts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { buildConnector, Client, Dispatcher } from 'undici';
import { FaasbenchError, type ErrorCode } from '../core/errors.ts';
import { NO_FACTS, type PlatformFacts } from '../core/invocation-record.ts';
import type { InvokeResult } from '../core/provider.ts';
import { buildUndiciConnector, UndiciClient, UndiciDispatcher, undiciErrors, wrapUndiciHandler } from './undici-core.ts';

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

/** Connections to open ahead of a run, per origin, however many calls it expects in flight. */
export const PREPARED_AT_MOST = 256;

/** A Dispatcher that can open its connections before they are needed. */
export interface ConnectionPool extends Dispatcher {
  /**
   * Opens connections to `origin` until it has `count` (at most PREPARED_AT_MOST, and the pool's
   * bound), sending nothing on them; the first calls then find them idle. Resolves when each is
   * open or failed; never rejects (a call on a dead origin reports the failure).
   */
  prepare(origin: string, count: number): Promise<void>;
}

/**
 * Connections for one origin (`local`, `openfaas`: `origin` given, a call to another is refused) or
 * for URLs that vary per function (`http`: origin null, a set of connections per origin).
 */
export function createDispatcher(origin: string | null, options: ConnectionOptions = {}): ConnectionPool {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new KeepAlivePool(origin, { headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 30_000 }, options.connections ?? Infinity);
}

interface Connections {
  /** Every connection opened to the origin; each carries one call at a time. */
  readonly all: Client[];
  /** Those carrying no call, the most recently used last. */
  readonly idle: Client[];
  /** Calls waiting for a connection, when `all` has reached the bound. */
  readonly waiting: Array<{ readonly options: Dispatcher.DispatchOptions; readonly handler: Dispatcher.DispatchHandler }>;
  /** Sockets prepare() opened that no connection has taken yet. */
  readonly spare: Spare[];
}

/** A socket opened ahead, and the listener that forgets it if it closes before a connection takes it. */
interface Spare {
  readonly socket: Socket;
  readonly drop: () => void;
}

/**
 * Keep-alive connections, one call at a time on each (no pipelining: a call never waits behind
 * another's answer), an idle connection always taken before a new one is opened.
 *
 * undici's Pool and Agent wait a turn of the event loop before reusing a connection whose answer
 * just arrived, and open another connection for a call made in that turn: back-to-back calls
 * (`sequential`, a closed loop, a worker starting its next call) alternated between two
 * connections, and the second call of a run paid a TCP (and TLS) handshake inside what was
 * measured as a warm call. Here such a call goes on the connection it follows; undici writes it
 * after that same turn, as it does for any call on an idle connection.
 *
 * The pool grows with the calls in flight (a call finding no idle connection opens one, up to the
 * bound), and prepare() opens as many as a run expects before it starts: each socket is connected
 * ahead and handed to a connection when undici first asks that connection to connect, so the
 * run's first calls do not each pay a handshake.
 */
class KeepAlivePool extends UndiciDispatcher implements ConnectionPool {
  readonly #origins = new Map<string, Connections>();
  /** Calls dispatched and not yet ended, waiting ones included: close() lets them finish. */
  #calls = 0;
  #whenNoCalls: Array<() => void> = [];
  #handing = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** One connector for every connection: they share its TLS session cache. */
  readonly #connector = buildUndiciConnector({ timeout: CONNECT_TIMEOUT_MS });

  private readonly origin: string | null;

  constructor(
    origin: string | null,
    private readonly clientOptions: Client.Options,
    private readonly bound: number,
  ) {
    super();
    this.origin = origin === null ? null : new URL(origin).origin;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // send() passes URL.origin, already in its normal form; other callers' origins are parsed.
    const origin = typeof options.origin === 'string' && this.#origins.has(options.origin) ? options.origin : new URL(String(options.origin)).origin;
    if (this.#closed) throw new undiciErrors.ClientClosedError();
    if (this.origin !== null && origin !== this.origin) throw new undiciErrors.InvalidArgumentError(`these connections are to ${this.origin}, not ${origin}`);
    const connections = this.#connectionsTo(origin);
    this.#calls += 1;
    // Behind calls already waiting, never ahead of them.
    const client = connections.waiting.length > 0 ? undefined : (connections.idle.pop() ?? (connections.all.length < this.bound ? this.#open(origin, connections) : undefined));
    if (client) this.#start(client, connections, options, handler);
    else connections.waiting.push({ options, handler });
    return true;
  }

  async prepare(to: string, count: number): Promise<void> {
    const origin = new URL(to).origin;
    if (this.#closed || (this.origin !== null && origin !== this.origin)) return;
    const connections = this.#connectionsTo(origin);
    const wanted = Math.min(count, PREPARED_AT_MOST, this.bound) - connections.all.length;
    const opening: Array<Promise<void>> = [];
    for (let i = 0; i < wanted; i++) {
      connections.idle.push(this.#open(origin, connections));
      opening.push(this.#openSpare(origin, connections));
    }
    await Promise.all(opening);
  }

  /**
   * Lets every call already dispatched finish (waiting ones go out as connections free), then
   * closes the connections. Closing twice waits for the same close.
   */
  override close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= (async () => {
      if (this.#calls > 0) await new Promise<void>((resolve) => this.#whenNoCalls.push(resolve));
      for (const c of this.#origins.values()) for (const { socket } of c.spare.splice(0)) socket.destroy();
      await Promise.all([...this.#origins.values()].flatMap((c) => c.all.map((client) => client.close())));
    })();
    return this.#closing;
  }

  /** Aborts every call: undici fails the running ones; the waiting ones fail on a destroyed connection. */
  override async destroy(): Promise<void> {
    this.#closed = true;
    for (const c of this.#origins.values()) {
      for (const { socket } of c.spare.splice(0)) socket.destroy();
      await Promise.all(c.all.map((client) => client.destroy()));
      // A destroyed client fails a call through the handler's own error callback, whatever its shape.
      for (const { options, handler } of c.waiting.splice(0)) c.all[0]!.dispatch(options, handler);
    }
  }

  #connectionsTo(origin: string): Connections {
    let connections = this.#origins.get(origin);
    if (!connections) this.#origins.set(origin, (connections = { all: [], idle: [], waiting: [], spare: [] }));
    return connections;
  }

  #open(origin: string, connections: Connections): Client {
    const client = new UndiciClient(origin, { ...this.clientOptions, connect: (options, callback) => this.#connect(connections, options, callback) });
    connections.all.push(client);
    return client;
  }

  /** A connection's socket: one prepare() opened, while one is spare and still open, else a new one. */
  #connect(connections: Connections, options: buildConnector.Options, callback: buildConnector.Callback): void {
    // Spares were opened for the origin's own name: a call naming another server over TLS gets its own.
    const spare = options.protocol === 'https:' && options.servername ? undefined : connections.spare.pop();
    if (spare === undefined) return this.#connector(options, callback);
    spare.socket.off('error', spare.drop).off('close', spare.drop);
    // Never from within the call: undici asks while resuming its queue, and ignores a resume nested in it.
    queueMicrotask(() => callback(null, spare.socket));
  }

  /** Connects a socket ahead of a call and keeps it spare until a connection asks for one. */
  #openSpare(origin: string, connections: Connections): Promise<void> {
    const url = new URL(origin);
    return new Promise((resolve) => {
      this.#connector({ hostname: url.hostname, host: url.host, protocol: url.protocol, port: url.port }, (err, socket) => {
        resolve();
        if (err || !socket) return;
        if (this.#closed) return void socket.destroy();
        // Until taken, a spare socket's failure or close only takes it out of the spares.
        const spare: Spare = {
          socket,
          drop: () => {
            const at = connections.spare.indexOf(spare);
            if (at >= 0) connections.spare.splice(at, 1);
          },
        };
        socket.on('error', spare.drop).on('close', spare.drop);
        connections.spare.push(spare);
      });
    });
  }

  /** Sends one call on `client` and puts the connection back when the call has ended. */
  #start(client: Client, connections: Connections, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      connections.idle.push(client);
      this.#handOn(connections);
      this.#calls -= 1;
      if (this.#calls === 0) for (const resolve of this.#whenNoCalls.splice(0)) resolve();
    };
    client.dispatch(options, new EndWatch(wrapUndiciHandler(handler), end));
  }

  /**
   * Gives freed connections to waiting calls once the callback that freed one has returned
   * (undici is still settling that connection's state while a call's end callback runs).
   */
  #handOn(connections: Connections): void {
    if (connections.waiting.length === 0 || this.#handing) return;
    this.#handing = true;
    queueMicrotask(() => {
      this.#handing = false;
      for (const c of this.#origins.values()) {
        while (c.waiting.length > 0 && c.idle.length > 0) {
          const next = c.waiting.shift()!;
          this.#start(c.idle.pop()!, c, next.options, next.handler);
        }
      }
    });
  }
}

/** undici's own default for opening a connection. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A call's handler with the pool told when the call has ended, before the handler hears of it.
 * The handler is in undici's current shape (an old-shaped one is wrapped by undici first).
 */
class EndWatch implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly end: () => void,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- undici's own type for the request's context
  onRequestStart(controller: Dispatcher.DispatchController, context: any): void {
    this.inner.onRequestStart?.(controller, context);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.end();
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.end();
    this.inner.onResponseError?.(controller, error);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.end();
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }
}

export interface SendOptions {
  readonly method: Dispatcher.HttpMethod;
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | null;
}

/** One request; rejects only when no HTTP response arrived (see transportFailure). */
export function send(dispatcher: Dispatcher, request: SendOptions): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const options = { origin: request.url.origin, path: request.url.pathname + request.url.search, method: request.method, headers: request.headers ?? {}, body: request.body ?? null };
    dispatcher.dispatch(options, new ReplyHandler(resolve, reject));
  });
}

/**
 * Collects one answer whole. undici's request() makes a body stream, an async resource and a
 * promise chain for every call, and an answer is read whole all the same.
 */
class ReplyHandler implements Dispatcher.DispatchHandler {
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  readonly #chunks: Buffer[] = [];

  constructor(
    private readonly resolve: (reply: HttpReply) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  /** Its presence tells undici the handler speaks its current API (onResponse*), not the old one. */
  onRequestStart(): void {}

  /** Called for an interim (1xx) answer too: the final one's call overwrites it. */
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    // A copy: the chunks are views of the socket's reads, which a kept payload would hold whole.
    this.resolve({ status: this.#status, headers: this.#headers, body: Buffer.concat(this.#chunks) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.reject(err);
  }
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
