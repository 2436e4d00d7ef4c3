// The nodejs runtime: a Lambda Runtime API client that loads `_HANDLER` from LAMBDA_TASK_ROOT and
// serves invocations. Plain JavaScript with node: imports only, because every line here is paid
// on every cold start.
//
// It speaks HTTP/1.1 to the Runtime API over a raw socket rather than through node:http: loading
// node:http and its first request with a body cost a cold start about 5 ms (a third of the
// platform's own overhead), and the Runtime API is a fixed, local peer: keep-alive requests
// answered with Content-Length (or chunked) bodies, nothing else.
import net from 'node:net';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { formatWithOptions } from 'node:util';
import { AsyncLocalStorage } from 'node:async_hooks';

const env = process.env;
const api = env.AWS_LAMBDA_RUNTIME_API ?? '';
const slash = api.indexOf('/');
const [host, port] = (slash < 0 ? api : api.slice(0, slash)).split(':');
const base = `${slash < 0 ? '' : api.slice(slash)}/2018-06-01/runtime`;
const concurrency = Math.max(1, Number(env.AWS_LAMBDA_MAX_CONCURRENCY ?? 1));
// The request id that console lines carry. Overlapping invocations need AsyncLocalStorage to tell
// them apart; one at a time, a variable does, and a cold start skips ALS's first-run cost (~0.5 ms).
const current = concurrency > 1 ? new AsyncLocalStorage() : oneAtATime();

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

/** One keep-alive connection to the Runtime API, one request at a time (each serve loop has its own). */
class Connection {
  constructor() {
    this.buffer = Buffer.alloc(0);
    this.waiting = null;
    this.socket = net.connect(Number(port), host);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    // The platform went away or retired this instance: nothing left to serve.
    this.socket.on('close', () => process.exit(0));
    this.socket.on('error', (err) => {
      process.stderr.write(`Runtime API connection failed: ${err.message}\n`);
      process.exit(1);
    });
  }

  request(method, route, body = null, headers = {}) {
    let head = `${method} ${base}${route} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += `Content-Length: ${body ? body.length : 0}\r\n\r\n`;
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head);
    });
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
  const body = Buffer.from(value === undefined ? 'null' : JSON.stringify(value));
  return connection.request('POST', route, body, { 'Content-Type': 'application/json', ...headers });
}

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorType: e.name || 'Error', errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
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
  const file = ['.js', '.mjs', '.cjs'].map((ext) => path.join(root, moduleName + ext)).find((f) => existsSync(f));
  if (!file) throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { name: 'Runtime.ImportModuleError' });
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { name: 'Runtime.ImportModuleError' });
  }
  const fn = mod[fnName] ?? mod.default?.[fnName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${handler} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

function contextFor(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function runHandler(handler, event, context) {
  // Callback-style handlers (three parameters) are still common in code written for Lambda.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const done = (err, value) => (err ? reject(err) : resolve(value));
      const result = handler(event, context, done);
      if (result && typeof result.then === 'function') result.then(resolve, reject);
    });
  }
  return handler(event, context);
}

async function serve(handler, connection) {
  for (;;) {
    const next = await connection.request('GET', '/invocation/next');
    // 410: the platform retired this instance while it waited.
    if (next.status !== 200) process.exit(0);
    const id = next.headers['lambda-runtime-aws-request-id'];
    await current.run(id, async () => {
      try {
        const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
        const value = await runHandler(handler, event, contextFor(next.headers));
        await post(connection, `/invocation/${id}/response`, value);
      } catch (err) {
        const body = errorBody(err);
        console.error(`Invoke Error \t${JSON.stringify(body)}`);
        await post(connection, `/invocation/${id}/error`, body, { 'Lambda-Runtime-Function-Error-Type': body.errorType });
      }
    });
  }
}

patchConsole();
// Connecting while the handler loads takes the connection's set-up (about 1 ms) out of init; the
// first request still waits for the handler, so init ends when the function is ready.
const first = new Connection();
let handler;
try {
  handler = await loadHandler();
} catch (err) {
  const body = errorBody(err);
  console.error(`Init Error \t${JSON.stringify(body)}`);
  await post(first, '/init/error', body, { 'Lambda-Runtime-Function-Error-Type': body.errorType });
  process.exit(1);
}
await Promise.all(Array.from({ length: concurrency }, (_, i) => serve(handler, i === 0 ? first : new Connection())));
