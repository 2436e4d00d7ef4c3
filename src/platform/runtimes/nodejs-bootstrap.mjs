// The nodejs runtime: a Lambda Runtime API client that loads `_HANDLER` from LAMBDA_TASK_ROOT and
// serves invocations. Plain JavaScript with node: imports only, because every line here is paid
// on every cold start.
import http from 'node:http';
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
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
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

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: `${base}${route}`, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(route, value, headers) {
  const body = Buffer.from(value === undefined ? 'null' : JSON.stringify(value));
  return call('POST', route, body, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
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

async function serve(handler) {
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    await current.run(id, async () => {
      try {
        const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
        const value = await runHandler(handler, event, contextFor(next.headers));
        await post(`/invocation/${id}/response`, value);
      } catch (err) {
        const body = errorBody(err);
        console.error(`Invoke Error \t${JSON.stringify(body)}`);
        await post(`/invocation/${id}/error`, body, { 'lambda-runtime-function-error-type': body.errorType });
      }
    });
  }
}

patchConsole();
let handler;
try {
  handler = await loadHandler();
} catch (err) {
  const body = errorBody(err);
  console.error(`Init Error \t${JSON.stringify(body)}`);
  await post('/init/error', body, { 'lambda-runtime-function-error-type': body.errorType });
  process.exit(1);
}
await Promise.all(Array.from({ length: concurrency }, () => serve(handler)));
