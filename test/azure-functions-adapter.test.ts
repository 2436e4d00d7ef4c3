// The generated Azure entry point under @azure/functions' own registration API: loaded as the
// Functions worker loads an app (with @azure/functions-core provided to it), its app.http
// registration captured, and its handler called with a real HttpRequest and InvocationContext;
// then the same packages deployed through the provider's adapter host. hello, measure-node and
// lab-node get the same event and give the same result as on the local platform.
import { mkdirSync, symlinkSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionPackage } from '../src/core/function-package.ts';
import type { Provider } from '../src/core/provider.ts';
import { createAzureFunctionsProvider } from '../src/providers/azure-functions.ts';
import { azurePackage, extractAzurePackage } from '../src/providers/azure-package.ts';
import { createLocalProvider } from '../src/providers/local.ts';
import { REPO, scratchDir } from './support/platform.ts';

interface Registration {
  readonly metadata: { name: string; bindings: Record<string, { type: string; direction: string; methods?: string[]; authLevel?: string }> };
  readonly callback: HttpHandler;
}

/** Each function, the event it is given, and the part of its answer that does not vary between runs. */
const CASES = [
  { fn: 'hello', event: { name: 'azure' }, stable: (r: Record<string, unknown>) => r },
  {
    fn: 'measure-node',
    event: { cmds: { stat: { argv: 1 }, cpu: { n: 1000 } } },
    stable: (r: Record<string, unknown>) => ({ keys: Object.keys(r).sort(), statKeys: Object.keys(r.stat as object).sort(), cpu: typeof r.cpu, elapsed: typeof r.elapsed_time }),
  },
  {
    fn: 'lab-node',
    event: { run_function: 'matmul', args: { n: 20 }, seed: 42 },
    stable: ({ function_name, cold, kernel, args, seed, result_digest }: Record<string, unknown>) => ({ function_name, cold, kernel, args, seed, result_digest }),
  },
] as const;

const registered = new Map<string, Registration>();
const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1000.0',
  setProgrammingModel: () => undefined,
  getProgrammingModel: () => undefined,
  registerFunction: (metadata: Registration['metadata'], callback: HttpHandler) => {
    registered.set(metadata.name, { metadata, callback });
    return { dispose: () => registered.delete(metadata.name) };
  },
  registerHook: () => ({ dispose: () => undefined }),
};

/** Provides @azure/functions-core to everything required after it, as the worker's setupCoreModule does. */
function provideCoreModule(): void {
  const original = Module.prototype.require;
  Module.prototype.require = new Proxy(original, {
    apply: (target, thisArg, args: [string]) => (args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args)),
  });
}

/** The package's bytes, extracted as the host unpacks them, with @azure/functions where npm would install it. */
function extracted(fn: string): string {
  const dir = scratchDir(`azure-${fn}`);
  extractAzurePackage(azurePackage(loadFunctionPackage(path.join(REPO, 'functions', fn))).zip, dir);
  mkdirSync(path.join(dir, 'node_modules/@azure'), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules/@azure/functions'), path.join(dir, 'node_modules/@azure/functions'));
  return dir;
}

let local: Provider;
const onLocal = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  local = await createLocalProvider({ platformOptions: { dataDir: scratchDir('platform') } });
  for (const { fn, event } of CASES) {
    await local.deploy(loadFunctionPackage(path.join(REPO, 'functions', fn)));
    const r = await local.invoke(fn, Buffer.from(JSON.stringify(event)));
    expect(r.status).toBe('ok');
    onLocal.set(fn, JSON.parse(r.payload.toString('utf8')) as Record<string, unknown>);
  }
}, 120_000);
afterAll(async () => {
  await local?.close();
});

describe('the generated entry point, registered through @azure/functions and called with a real HttpRequest', () => {
  beforeAll(() => {
    provideCoreModule();
    for (const { fn } of CASES) {
      const dir = extracted(fn);
      createRequire(path.join(dir, 'package.json'))(path.join(dir, 'faasbench-azure.cjs'));
    }
  });

  it('registers one HTTP function per package, POST and GET, with authLevel function and an http return binding', () => {
    expect([...registered.keys()].sort()).toEqual(['hello', 'lab-node', 'measure-node']);
    for (const { metadata } of registered.values()) {
      const bindings = Object.values(metadata.bindings);
      expect(bindings.map((b) => `${b.direction} ${b.type}`).sort()).toEqual(['in httpTrigger', 'out http']);
      expect(bindings.find((b) => b.type === 'httpTrigger')).toMatchObject({ methods: ['POST', 'GET'], authLevel: 'function' });
    }
  });

  for (const { fn, event, stable } of CASES) {
    it(`${fn}: the same event gives the same result as on the local platform, with the facts in headers`, async () => {
      const request = new HttpRequest({ method: 'POST', url: `http://127.0.0.1/api/${fn}`, body: { string: JSON.stringify(event) }, headers: { 'content-type': 'application/json' } });
      const context = new InvocationContext({ invocationId: `invocation-${fn}`, functionName: fn });
      const response = (await registered.get(fn)!.callback(request, context)) as HttpResponseInit & { headers: Record<string, string> };
      expect(response.status).toBe(200);
      // No FAASBENCH_MEMORY_MB app setting here: the entry point says what a Consumption instance has.
      expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'x-faasbench-request-id': `invocation-${fn}`, 'x-faasbench-cold': 'true', 'x-faasbench-memory-mb': '1536' });
      expect(Number(response.headers['x-faasbench-init-ms'])).toBeGreaterThan(0);
      expect(Number(response.headers['x-faasbench-duration-ms'])).toBeGreaterThan(0);
      expect(stable(JSON.parse(String(response.body)) as Record<string, unknown>)).toEqual(stable(onLocal.get(fn)!));
    });
  }

  it('answers a body that is not JSON with 400 and a Lambda-style error, and counts the next call warm', async () => {
    const request = new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/hello', body: { string: '{not json' } });
    const response = (await registered.get('hello')!.callback(request, new InvocationContext({ invocationId: 'bad', functionName: 'hello' }))) as HttpResponseInit & { headers: Record<string, string> };
    expect(response.status).toBe(400);
    expect(JSON.parse(String(response.body))).toMatchObject({ errorType: 'InvalidRequestContentException' });
    expect(response.headers['x-faasbench-cold']).toBe('false');
  });
});

describe('the same packages deployed through the adapter host (emulator=adapter)', () => {
  let azure: Provider;
  beforeAll(async () => {
    azure = await createAzureFunctionsProvider({ emulator: 'adapter' });
  });
  afterAll(async () => {
    await azure?.close();
  });

  for (const { fn, event, stable } of CASES) {
    it(`${fn}: invoked over HTTP with its function key, the same result as on the local platform`, async () => {
      await azure.deploy(loadFunctionPackage(path.join(REPO, 'functions', fn)));
      const r = await azure.invoke(fn, Buffer.from(JSON.stringify(event)));
      expect([r.status, r.httpStatus, r.errorClass]).toEqual(['ok', 200, null]);
      expect(r.facts.cold).toBe(true);
      expect(r.facts.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(stable(JSON.parse(r.payload.toString('utf8')) as Record<string, unknown>)).toEqual(stable(onLocal.get(fn)!));
    });
  }
});
