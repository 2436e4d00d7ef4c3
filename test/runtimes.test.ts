// The python and provided runtimes, cold then warm, and the example functions as shipped.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { invokeHttp, REPO, startPlatform, writeFunction } from './support/platform.ts';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.stop();
});

describe.each([
  ['hello', 'nodejs', 'hello faasbench'],
  ['hello-py', 'python', 'hello faasbench'],
  ['hello-sh', 'provided', 'hello from sh'],
])('%s (%s runtime)', (name, runtime, message) => {
  it('is cold on the first call and warm on the second, on the same instance', async () => {
    platform.deployFolder(path.join(REPO, 'functions', name));
    const first = await invokeHttp(platform, name, { name: 'faasbench' });
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ message, runtime, event: { name: 'faasbench' } });
    expect(first.headers['x-faasbench-cold']).toBe('true');
    expect(Number(first.headers['x-faasbench-init-ms'])).toBeGreaterThan(0);
    const second = await invokeHttp(platform, name, { name: 'faasbench' });
    expect(second.status).toBe(200);
    expect(second.headers['x-faasbench-cold']).toBe('false');
    expect(second.headers['x-faasbench-init-ms']).toBe('');
    expect(second.headers['x-faasbench-instance-id']).toBe(first.headers['x-faasbench-instance-id']);
  });
});

describe('python runtime', () => {
  it('reports an exception with its Python type', async () => {
    platform.deployFolder(writeFunction({ name: 'py-raise', runtime: 'python3.11', handler: 'app.handler' }, { 'app.py': 'def handler(event, context):\n    raise ValueError("no good")\n' }));
    const r = await invokeHttp(platform, 'py-raise');
    expect(r.headers['x-amz-function-error']).toBe('Unhandled');
    expect(r.json()).toMatchObject({ errorType: 'ValueError', errorMessage: 'no good' });
  });

  // As in node: the first client is the platform's channel at fd 3 (one socket, no TCP connection
  // to open); each further thread connects over TCP, a second socket.
  it.each([
    [1, 1],
    [2, 2],
  ])('with concurrency %i, holds %i socket(s): the channel first, TCP after', async (concurrency, sockets) => {
    const name = `py-channel-${concurrency}`;
    // Beyond stdout and stderr (socket pairs too); listdir's own descriptor is gone by the time it is read.
    const code = 'import os\ndef link(fd):\n    try:\n        return os.readlink(f"/proc/self/fd/{fd}")\n    except OSError:\n        return ""\ndef handler(event, context):\n    return sum(1 for fd in os.listdir("/proc/self/fd") if int(fd) > 2 and link(fd).startswith("socket:"))\n';
    platform.deployFolder(writeFunction({ name, runtime: 'python', handler: 'app.handler', concurrency, cpuModel: 'none' }, { 'app.py': code }));
    const r = await platform.invokeJson(name);
    expect([r.outcome.kind, r.body]).toEqual(['success', sockets]);
  });

  it('serves several calls at once on one instance with concurrency > 1 (one thread each)', async () => {
    const code = 'import time\ndef handler(event, context):\n    time.sleep(0.3)\n    return context.aws_request_id\n';
    platform.deployFolder(writeFunction({ name: 'py-shared', runtime: 'python', handler: 'app.handler', concurrency: 3, cpuModel: 'none' }, { 'app.py': code }));
    const rs = await Promise.all([1, 2, 3].map(() => invokeHttp(platform, 'py-shared')));
    expect(new Set(rs.map((r) => r.headers['x-faasbench-instance-id'])).size).toBe(1);
    expect(rs.map((r) => r.json())).toEqual(rs.map((r) => r.headers['x-faasbench-request-id']));
  });
});

describe('nodejs runtime', () => {
  // The runtime requires its handler (CommonJS, or an ES module through require(esm)) and imports it
  // only where require cannot: each form loads once, so its top-level code runs exactly once.
  it.each([
    ['CommonJS in index.js', { 'index.js': "globalThis.loads = (globalThis.loads ?? 0) + 1;\nexports.handler = async () => ({ form: 'cjs', loads: globalThis.loads });\n" }, 'cjs'],
    ['an ES module with top-level await', { 'index.mjs': "globalThis.loads = (globalThis.loads ?? 0) + 1;\nconst form = await Promise.resolve('tla');\nexport const handler = async () => ({ form, loads: globalThis.loads });\n" }, 'tla'],
    ['ES syntax in index.js', { 'index.js': "import { sep } from 'node:path';\nglobalThis.loads = (globalThis.loads ?? 0) + 1;\nexport const handler = async () => ({ form: sep === '/' ? 'esm-js' : 'other', loads: globalThis.loads });\n" }, 'esm-js'],
    ['a module whose top level throws', { 'index.js': "globalThis.loads = (globalThis.loads ?? 0) + 1;\nconsole.log('loaded', globalThis.loads);\nthrow new Error('top level');\n" }, null],
  ])('loads a handler written as %s', async (_, files, form) => {
    const name = `node-form-${form ?? 'throws'}`;
    platform.deployFolder(writeFunction({ name, runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, files));
    const r = await invokeHttp(platform, name);
    if (form === null) {
      expect(r.json()).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: 'top level' });
      return;
    }
    expect([r.status, r.headers['x-amz-function-error']]).toEqual([200, undefined]);
    expect(r.json()).toEqual({ form, loads: 1 });
  });

  // The first serve loop speaks to the Runtime API over the platform's channel at fd 3, so a cold
  // start loads no node:net and opens no TCP connection; each further loop connects over TCP.
  it.each([
    [1, { net: false, tcp: 0, calls: [1, 2] }],
    [2, { net: true, tcp: 1, calls: [1, 2] }],
  ])('with concurrency %i, serves over the channel first and TCP after', async (concurrency, expected) => {
    const name = `node-channel-${concurrency}`;
    const code = "let calls = 0;\nexport const handler = async () => ({ net: process.moduleLoadList.includes('NativeModule net'), tcp: process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length, calls: ++calls });\n";
    platform.deployFolder(writeFunction({ name, runtime: 'nodejs', handler: 'index.handler', concurrency, cpuModel: 'none' }, { 'index.mjs': code }));
    const first = await platform.invokeJson(name);
    const second = await platform.invokeJson(name);
    expect([first.instanceId, first.cold, second.cold]).toEqual([second.instanceId, true, false]);
    const { net, tcp } = first.body as { net: boolean; tcp: number };
    expect({ net, tcp, calls: [(first.body as { calls: number }).calls, (second.body as { calls: number }).calls] }).toEqual(expected);
  });

  // Lambda's console format: time, request id, level, message; one line per call, newlines as \r.
  const LOGGER = "console.log('hello', { n: event.n }); console.warn('two\\nlines'); await new Promise((r) => setTimeout(r, event.waitMs ?? 0)); console.error('done', event.n); return event.n;";
  const lineOf = (log: string, requestId: string) => log.split('\n').filter((l) => l.includes(`\t${requestId}\t`)).map((l) => l.replace(/^\S+\t/, ''));

  it('prints console output with the request id and level, one call at a time', async () => {
    platform.deployFolder(writeFunctionFor('node-log', 1));
    for (const n of [1, 2]) {
      const r = await platform.invokeJson('node-log', { n });
      expect(lineOf(r.log, r.requestId)).toEqual([`${r.requestId}\tINFO\thello { n: ${n} }`, `${r.requestId}\tWARN\ttwo\rlines`, `${r.requestId}\tERROR\tdone ${n}`]);
    }
  });

  it('keeps overlapping calls apart by request id with concurrency > 1', async () => {
    platform.deployFolder(writeFunctionFor('node-log-shared', 2));
    // One warm instance with two free slots takes both calls, whatever the timing of a cold start.
    const warm = await platform.invokeJson('node-log-shared', { n: 0 });
    const [a, b] = await Promise.all([platform.invokeJson('node-log-shared', { n: 1, waitMs: 200 }), platform.invokeJson('node-log-shared', { n: 2, waitMs: 100 })]);
    expect([a.instanceId, b.instanceId]).toEqual([warm.instanceId, warm.instanceId]);
    for (const [r, n] of [[a, 1], [b, 2]] as const) {
      expect(lineOf(r.log, r.requestId)).toEqual([`${r.requestId}\tINFO\thello { n: ${n} }`, `${r.requestId}\tWARN\ttwo\rlines`, `${r.requestId}\tERROR\tdone ${n}`]);
    }
  });

  function writeFunctionFor(name: string, concurrency: number): string {
    return writeFunction({ name, runtime: 'nodejs20.x', handler: 'index.handler', concurrency, cpuModel: 'none' }, { 'index.mjs': `export const handler = async (event) => { ${LOGGER} };\n` });
  }
});
