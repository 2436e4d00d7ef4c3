// The nodejs runtime: a Lambda Runtime API client that loads `_HANDLER` from LAMBDA_TASK_ROOT and
// serves invocations. Plain CommonJS with node: requires only, because every line here is paid on
// every cold start: an ES module entry point starts Node's ES module loader, which cost a cold start
// 3-6 ms (most of a `node -e 0`'s distance to `node empty.mjs`); the handler is required too (an ES
// module handler through require(esm), Node >= 20.19), and imported only when require cannot take
// it (top-level await).
//
// It speaks HTTP/1.1 to the Runtime API itself rather than through node:http: loading node:http and
// its first request with a body cost a cold start about 5 ms, and the Runtime API is a fixed, local
// peer: keep-alive requests answered with Content-Length (or chunked) bodies, nothing else. Given
// `--runtime-fd=N` (the platform's private channel to this instance's Runtime API, a socket pair
// made at spawn), the first connection is that descriptor, read and written with node:fs, which
// Node has loaded before any script runs: node:net and its streams (4-5 ms to load), a TCP
// connection (2 ms more to open) and the platform's check of who connected stay off the cold start.
// Further connections (AWS_LAMBDA_MAX_CONCURRENCY > 1) are TCP, to AWS_LAMBDA_RUNTIME_API.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { formatWithOptions } = require('node:util');

const env = process.env;
const api = env.AWS_LAMBDA_RUNTIME_API ?? '';
const slash = api.indexOf('/');
const [host, port] = (slash < 0 ? api : api.slice(0, slash)).split(':');
const base = `${slash < 0 ? '' : api.slice(slash)}/2018-06-01/runtime`;
const concurrency = Math.max(1, Number(env.AWS_LAMBDA_MAX_CONCURRENCY ?? 1));
// The request id that console lines carry. Overlapping invocations need AsyncLocalStorage to tell
// them apart; one at a time, a variable does, and a cold start skips ALS's first-run cost (~0.5 ms).
const current = concurrency > 1 ? new (require('node:async_hooks').AsyncLocalStorage)() : oneAtATime();

function oneAtATime() {
  let id;
  return {
    getStore: () => id,
    run: (value, fn) => {
      id = value;
      return fn();
    },
  };
}

/**
 * The Runtime API over the platform's channel descriptor. Writes are synchronous (the descriptor is
 * a blocking socket and the platform reads as it comes); a read is pending only while an answer is
 * awaited, on libuv's thread pool, so the event loop keeps running the function's own work.
 */
class ChannelTransport {
  constructor(fd, onData) {
    this.fd = fd;
    this.onData = onData;
    this.chunk = Buffer.allocUnsafe(64 * 1024);
    this.reading = false;
    // Unlike a socket, a descriptor read only while an answer is awaited does not hold the event
    // loop open: this timer does, as a TCP connection would, so that Node does not exit while a
    // handler runs that leaves nothing else pending (its answer is sent once the loop is empty).
    setInterval(() => {}, 2 ** 31 - 1);
  }

  write(data) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let at = 0;
    try {
      while (at < bytes.length) at += fs.writeSync(this.fd, bytes, at, bytes.length - at);
    } catch {
      process.exit(0); // the platform closed its end: this instance was retired
    }
  }

  expect() {
    if (this.reading) return;
    this.reading = true;
    fs.read(this.fd, this.chunk, 0, this.chunk.length, null, (err, n) => {
      this.reading = false;
      // The platform went away or retired this instance: nothing left to serve.
      if (err || n === 0) process.exit(0);
      this.onData(Buffer.from(this.chunk.subarray(0, n)));
    });
  }
}

/** The Runtime API over TCP, as AWS_LAMBDA_RUNTIME_API names it. */
class TcpTransport {
  constructor(onData) {
    this.socket = require('node:net').connect(Number(port), host);
    this.socket.setNoDelay(true);
    this.socket.on('data', onData);
    this.socket.on('close', () => process.exit(0));
    this.socket.on('error', (err) => {
      process.stderr.write(`Runtime API connection failed: ${err.message}\n`);
      process.exit(1);
    });
  }

  write(data) {
    this.socket.write(data, 'latin1');
  }

  expect() {
    /* a TCP socket flows: its data arrives without asking */
  }
}

/** One keep-alive connection to the Runtime API, one request at a time (each serve loop has its own). */
class Connection {
  constructor(channelFd) {
    this.buffer = Buffer.alloc(0);
    this.waiting = null;
    const onData = (chunk) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
      if (this.waiting !== null) this.transport.expect();
    };
    this.transport = channelFd === null ? new TcpTransport(onData) : new ChannelTransport(channelFd, onData);
  }

  send(data) {
    this.transport.write(data);
    if (this.waiting !== null) this.transport.expect();
  }

  request(method, route, body = null, headers = {}) {
    let head = `${method} ${base}${route} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += `Content-Length: ${body ? body.length : 0}\r\n\r\n`;
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.send(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head);
    });
  }

  /**
   * A chunked request whose body is written as it comes (a streamed response): `write` sends a
   * chunk, `end` the last one with any trailers, and resolves with the Runtime API's answer.
   */
  openStream(route, headers) {
    let head = `POST ${base}${route} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    this.send(`${head}Transfer-Encoding: chunked\r\n\r\n`);
    const answered = new Promise((resolve) => (this.waiting = resolve));
    return {
      write: (bytes) => {
        if (bytes.length > 0) this.send(Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`, 'latin1'), bytes, Buffer.from('\r\n')]));
      },
      end: (trailers = {}) => {
        let tail = '0\r\n';
        for (const [k, v] of Object.entries(trailers)) tail += `${k}: ${v}\r\n`;
        this.send(`${tail}\r\n`);
        return answered;
      },
    };
  }

  parse() {
    if (this.waiting === null) return;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const rest = this.buffer.subarray(end + 4);
    const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : sized(rest, Number(headers['content-length'] ?? 0));
    if (body === null) return;
    this.buffer = body.rest;
    const resolve = this.waiting;
    this.waiting = null;
    resolve({ status: Number(lines[0].split(' ')[1]), headers, body: body.value });
  }
}

/** A Content-Length body, or null while it has not all arrived. */
function sized(bytes, length) {
  return bytes.length < length ? null : { value: bytes.subarray(0, length), rest: bytes.subarray(length) };
}

/** A chunked body, or null while its last chunk has not arrived. */
function dechunk(bytes) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = parseInt(bytes.toString('latin1', at, eol), 16);
    if (bytes.length < eol + 2 + size + 2) return null;
    if (size === 0) return { value: Buffer.concat(parts), rest: bytes.subarray(eol + 4) };
    parts.push(bytes.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function post(connection, route, value, headers) {
  return connection.request('POST', route, Buffer.from(serialize(value)), { 'Content-Type': 'application/json', ...headers });
}

/** JSON of a handler's result; what JSON.stringify cannot write (circular, BigInt) fails as AWS's client fails it. */
function serialize(value) {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

/** The error body AWS's client posts: an Error's name, message and stack; anything else by its type. */
function errorBody(err) {
  if (err instanceof Error || (typeof err?.name === 'string' && typeof err.message === 'string' && typeof err.stack === 'string')) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

// Lambda's format for console output: time, request id, level, message.
function patchConsole() {
  for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
    console[method] = (...args) => {
      const line = formatWithOptions({ depth: 6 }, ...args).replace(/\n/g, '\r');
      process.stdout.write(`${new Date().toISOString()}\t${current.getStore() ?? 'undefined'}\t${level}\t${line}\n`);
    };
  }
}

async function loadHandler() {
  const handler = env._HANDLER ?? '';
  const dot = handler.lastIndexOf('.');
  const moduleName = handler.slice(0, dot);
  const fnName = handler.slice(dot + 1);
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const file = ['.js', '.mjs', '.cjs'].map((ext) => path.join(root, moduleName + ext)).find((f) => fs.existsSync(f));
  if (!file) throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { name: 'Runtime.ImportModuleError' });
  let mod;
  try {
    mod = await requireOrImport(file);
  } catch (err) {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { name: 'Runtime.ImportModuleError' });
  }
  const fn = mod[fnName] ?? mod.default?.[fnName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${handler} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

// What require cannot load but import can: an ES module with top-level await, one where this Node
// has no require(esm), and ES syntax that only import's module detection reads as such. Each fails
// before the module ran, so importing it then runs it once.
const IMPORT_INSTEAD = new Set(['ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_ESM']);

async function requireOrImport(file) {
  try {
    return require(file);
  } catch (err) {
    if (!(IMPORT_INSTEAD.has(err?.code) || err instanceof SyntaxError)) throw err;
    return import(pathToFileURL(file).href);
  }
}

function parseHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err}`);
  }
}

/**
 * The context AWS's Node client builds: the legacy succeed/fail/done, then the function's facts,
 * then the invocation's.
 */
function contextFor(headers, answer) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  let waits = true;
  return {
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waits = value;
    },
    succeed: (result) => answer(null, result),
    fail: (err) => answer(err ?? 'handled'),
    done: (err, result) => answer(err, result),
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

// What keeps the event loop alive, by kind, leaving out standard output and error.
function resources() {
  const counts = new Map();
  for (const kind of process.getActiveResourcesInfo()) if (kind !== 'PipeWrap' && kind !== 'TTYWrap') counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/**
 * Resolves once the event loop holds no more than it did when the handler started (this runtime's
 * own connections to the Runtime API never let it empty): where AWS's client, on 'beforeExit',
 * sends a callback's answer, or null for a handler that gave none.
 */
function loopEmptied(before) {
  return new Promise((resolve) => {
    // Checked every millisecond on a timer that does not count itself.
    const check = () => {
      for (const [kind, n] of resources()) if (n > (before.get(kind) ?? 0)) return void setTimeout(check, 1).unref();
      resolve();
    };
    setTimeout(check, 0).unref();
  });
}

/**
 * The handler's answer, as AWS's client takes it: a returned promise; the callback (third
 * parameter), sent once the event loop is empty unless context.callbackWaitsForEmptyEventLoop was
 * set false; or context.succeed/fail/done. The first of them counts. A plain function's returned
 * value also counts (AWS's client would send null for it); one that returns nothing and never
 * answers gets null once the loop is empty.
 */
function runHandler(handler, event, headers) {
  return new Promise((resolve, reject) => {
    let claimed = false;
    const once = (fn) => (err, value) => {
      if (claimed) return;
      claimed = true;
      fn(err, value);
    };
    const send = (err, value) => (err === undefined || err === null ? resolve(value) : reject(err));
    // Only a plain function can leave its answer to the event loop; an async one's promise says it.
    const before = handler.constructor.name === 'AsyncFunction' ? null : resources();
    const answer = once(send);
    const context = contextFor(headers, answer);
    const callback = once((err, value) => {
      if ((err !== undefined && err !== null) || !context.callbackWaitsForEmptyEventLoop) send(err, value);
      else loopEmptied(before).then(() => send(null, value));
    });
    const result = handler(event, context, callback);
    if (result && typeof result.then === 'function') result.then((value) => answer(null, value), (err) => answer(err ?? 'handled'));
    else if (handler.length < 3 && result !== undefined) answer(null, result);
    else loopEmptied(before ?? new Map()).then(() => answer(null, null));
  });
}

async function serve(handler, connection) {
  for (;;) {
    const next = await connection.request('GET', '/invocation/next');
    // 410: the platform retired this instance while it waited.
    if (next.status !== 200) process.exit(0);
    const id = next.headers['lambda-runtime-aws-request-id'];
    // As AWS's clients do: the invocation's trace for the X-Ray SDK, which reads it from here.
    const trace = next.headers['lambda-runtime-trace-id'];
    if (trace) env._X_AMZN_TRACE_ID = trace;
    else delete env._X_AMZN_TRACE_ID;
    await current.run(id, async () => {
      try {
        const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
        if (handler[STREAMING] === 'response') return await respondStreaming(handler, connection, id, event, next.headers);
        const value = await runHandler(handler, event, next.headers);
        await post(connection, `/invocation/${id}/response`, value);
      } catch (err) {
        const body = errorBody(err);
        console.error(`Invoke Error \t${JSON.stringify(body)}`);
        await post(connection, `/invocation/${id}/error`, body, { 'Lambda-Runtime-Function-Error-Type': body.errorType });
      }
    });
  }
}

// Response streaming, as AWS's Node client offers it: a handler wrapped by
// awslambda.streamifyResponse gets a writable stream as its second argument; what it writes is
// sent on at once (Lambda-Runtime-Function-Response-Mode: streaming), and an error thrown after
// the first bytes goes in the trailers.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';
globalThis.awslambda = {
  streamifyResponse(fn) {
    fn[STREAMING] = 'response';
    return fn;
  },
  HttpResponseStream: {
    /** A function URL's status, headers and cookies first, as JSON, then eight NUL bytes, then the body. */
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(JSON.stringify(prelude ?? {}));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

let Writable;
async function respondStreaming(handler, connection, id, event, headers) {
  // Loaded on the first streamed call only: most functions never pay for node:stream.
  Writable ??= require('node:stream').Writable;
  let contentType = 'application/octet-stream';
  let open = null;
  const request = () =>
    (open ??= connection.openStream(`/invocation/${id}/response`, {
      'Content-Type': contentType,
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
    }));
  const stream = new Writable({
    write(chunk, _encoding, done) {
      request().write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  stream.setContentType = (type) => {
    contentType = type;
  };
  const ended = new Promise((resolve) => stream.on('finish', resolve));
  try {
    await handler(event, stream, contextFor(headers, () => {}));
    if (!stream.writableEnded) stream.end();
    await ended;
    await request().end();
  } catch (err) {
    const body = errorBody(err);
    console.error(`Invoke Error \t${JSON.stringify(body)}`);
    const trailers = { 'Lambda-Runtime-Function-Error-Type': body.errorType, 'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(body)).toString('base64') };
    if (open === null) await post(connection, `/invocation/${id}/error`, body, { 'Lambda-Runtime-Function-Error-Type': body.errorType });
    else await open.end(trailers);
  }
}

/** The platform's channel descriptor from `--runtime-fd=N`, or null to connect over TCP. */
function channelFd() {
  const arg = process.argv.find((a) => a.startsWith('--runtime-fd='));
  const fd = arg === undefined ? NaN : Number(arg.slice('--runtime-fd='.length));
  return Number.isInteger(fd) && fd > 2 ? fd : null;
}

async function main() {
  patchConsole();
  // Over TCP, connecting while the handler loads takes the connection's set-up, and the platform's
  // check of who connected (about 2 ms), out of init; net.connect issues its connect on the next
  // tick, so the handler waits for that tick. The first request still waits for the handler, so
  // init ends when the function is ready.
  const first = new Connection(channelFd());
  await new Promise((resolve) => process.nextTick(resolve));
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const body = errorBody(err);
    console.error(`Init Error \t${JSON.stringify(body)}`);
    await post(first, '/init/error', body, { 'Lambda-Runtime-Function-Error-Type': body.errorType });
    process.exit(1);
  }
  await Promise.all(Array.from({ length: concurrency }, (_, i) => serve(handler, i === 0 ? first : new Connection(null))));
}

main();
