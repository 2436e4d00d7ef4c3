// The azure-functions provider's adapter host (`-o emulator=adapter`): one process per deployed
// Function App, standing in for the Functions host and its Node.js worker so a package runs offline.
//
// It does what the worker does before loading an app: it makes `@azure/functions-core` requirable
// (the worker's setupCoreModule intercepts require the same way), so `@azure/functions`' own
// `app.http` registers through it and the registration (name, trigger binding, handler) lands
// here. Each HTTP request on the loopback port is then matched to a registered HTTP trigger by its
// route under /api/, checked against the trigger's authLevel (x-functions-key header or ?code=),
// and handed to the handler as a real `HttpRequest` with a real `InvocationContext`; the handler's
// HttpResponseInit or HttpResponse becomes the HTTP answer, as the host turns it into one.
//
// Usage: node azure-adapter-host.mjs <package dir>; env FAASBENCH_AZURE_FUNCTION_KEY is the key.
// When the app is loaded it prints one line `FAASBENCH_AZURE_ADAPTER_READY {"port":...}`.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

const READY_PREFIX = 'FAASBENCH_AZURE_ADAPTER_READY ';

const dir = path.resolve(process.argv[2] ?? '.');
const functionKey = process.env.FAASBENCH_AZURE_FUNCTION_KEY ?? '';
/** name -> { metadata, callback, trigger } as registerFunction received them. */
const registered = new Map();
const hooks = new Map();
let programmingModel = null;

class Disposable {
  constructor(callOnDispose) {
    this.callOnDispose = callOnDispose;
  }
  dispose() {
    this.callOnDispose?.();
    this.callOnDispose = undefined;
  }
}

const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1000.0',
  Disposable,
  setProgrammingModel: (model) => {
    programmingModel = model;
  },
  getProgrammingModel: () => programmingModel,
  registerFunction(metadata, callback) {
    const trigger = Object.values(metadata.bindings ?? {}).find((b) => b.direction === 'in' && /Trigger$/.test(b.type));
    registered.set(metadata.name, { metadata, callback, trigger });
    return new Disposable(() => registered.delete(metadata.name));
  },
  registerHook(name, callback) {
    const list = hooks.get(name) ?? [];
    list.push(callback);
    hooks.set(name, list);
    return new Disposable(() => list.splice(list.indexOf(callback), 1));
  },
  log: (level, category, message) => process.stderr.write(`[${level}] ${category}: ${message}\n`),
};

// The worker's own way of providing the built-in module: intercept require by name.
Module.prototype.require = new Proxy(Module.prototype.require, {
  apply(target, thisArg, args) {
    return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
  },
});

const packageJson = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const requireFromApp = createRequire(path.join(dir, 'package.json'));
const { HttpRequest, HttpResponse, InvocationContext } = requireFromApp('@azure/functions');
requireFromApp(path.join(dir, packageJson.main));
for (const hook of hooks.get('appStart') ?? []) await hook({ hookData: {}, appHookData: {}, functionAppDirectory: dir });

/** The registered HTTP function whose route (default: its name) the path under /api/ names. */
function httpFunctionFor(pathname) {
  for (const fn of registered.values()) {
    if (fn.trigger?.type !== 'httpTrigger') continue;
    const route = fn.trigger.route ?? fn.metadata.name;
    if (pathname.toLowerCase() === `/api/${route}`.toLowerCase()) return fn;
  }
  return undefined;
}

function authorized(fn, req, url) {
  const level = String(fn.trigger.authLevel ?? 'function').toLowerCase();
  if (level === 'anonymous') return true;
  return functionKey !== '' && (req.headers['x-functions-key'] === functionKey || url.searchParams.get('code') === functionKey);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function flatHeaders(req) {
  const out = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function invoke(fn, req, url) {
  const body = await readBody(req);
  const request = new HttpRequest({ method: req.method, url: url.href, body: { bytes: body }, headers: flatHeaders(req), query: Object.fromEntries(url.searchParams), params: {} });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: fn.metadata.name,
    logHandler: (level, ...args) => process.stderr.write(`[${level}] ${args.map(String).join(' ')}\n`),
    options: { trigger: fn.trigger, extraInputs: [], extraOutputs: [] },
  });
  const result = await fn.callback(request, context);
  return result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
}

async function answer(req, res) {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const fn = httpFunctionFor(url.pathname);
  const methods = (fn?.trigger.methods ?? []).map((m) => String(m).toUpperCase());
  if (!fn || (methods.length > 0 && !methods.includes(String(req.method)))) return void res.writeHead(404).end();
  if (!authorized(fn, req, url)) return void res.writeHead(401).end();
  try {
    const response = await invoke(fn, req, url);
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(payload);
  } catch (err) {
    // The host answers a handler's exception with a bare 500.
    process.stderr.write(`${err?.stack ?? err}\n`);
    res.writeHead(500).end();
  }
}

const server = http.createServer((req, res) => void answer(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const functions = [...registered.values()].map((f) => ({ name: f.metadata.name, trigger: f.trigger?.type ?? null, methods: f.trigger?.methods ?? null, authLevel: f.trigger?.authLevel ?? null }));
  process.stdout.write(`${READY_PREFIX}${JSON.stringify({ port: server.address().port, programmingModel: programmingModel?.name ?? null, functions })}\n`);
});
// The provider's end is ours: when it goes, so does this host.
process.on('disconnect', () => process.exit(0));
