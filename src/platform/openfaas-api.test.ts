// The OpenFaaS gateway subset the local platform serves, over plain HTTP as any client would call it.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, nodeFunction, sleep, startPlatform, writeFunction } from '../../test/support/platform.ts';
import { goDurationSeconds, memoryMb } from './openfaas-api.ts';
import type { LocalPlatform } from './platform.ts';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.stop();
});

const ECHO = 'return { event, memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, colour: process.env.COLOUR ?? null };';
const deployment = (service: string, dir: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ service, image: `faasbench-local:${dir}`, ...extra });

describe('deploy, list, status, update, remove', () => {
  it('deploys a folder named by its image, applying envVars, limits, labels and the settings annotation', async () => {
    const dir = nodeFunction('echo', ECHO, { environment: { COLOUR: 'red' } });
    const created = await call(
      platform,
      'POST',
      '/system/functions',
      deployment('of-echo', dir, {
        envVars: { COLOUR: 'blue', exec_timeout: '1m30s', read_timeout: '90s' },
        limits: { memory: '256Mi' },
        labels: { 'com.openfaas.scale.max': '3', team: 'bench' },
        annotations: { 'com.faasbench.settings': JSON.stringify({ keepAliveS: 60, cpuModel: 'none' }), owner: 'me' },
      }),
    );
    expect(created.status).toBe(202);
    expect(platform.get('of-echo').settings).toMatchObject({ memoryMb: 256, timeoutS: 90, maxInstances: 3, keepAliveS: 60, cpuModel: 'none', environment: { COLOUR: 'blue' } });

    const status = await call(platform, 'GET', '/system/function/of-echo');
    expect(status.status).toBe(200);
    const body = status.json() as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'of-echo',
      image: `faasbench-local:${dir}`,
      namespace: 'openfaas-fn',
      envVars: { COLOUR: 'blue' },
      labels: { 'com.openfaas.scale.max': '3', team: 'bench' },
      limits: { memory: '256Mi' },
      invocationCount: 0,
      replicas: 0,
      availableReplicas: 0,
    });
    const annotations = body.annotations as Record<string, string>;
    expect(annotations.owner).toBe('me');
    expect(JSON.parse(annotations['com.faasbench.settings'] as string)).toEqual(platform.get('of-echo').settings);

    const list = await call(platform, 'GET', '/system/functions');
    expect((list.json() as { name: string }[]).map((f) => f.name)).toContain('of-echo');
  });

  it('answers POST of an existing function with 409, and PUT replaces it (new instances, new settings)', async () => {
    const dir = nodeFunction('echo2', ECHO);
    expect((await call(platform, 'POST', '/system/functions', deployment('of-echo', dir))).status).toBe(409);
    const first = await call(platform, 'POST', '/function/of-echo', '{}');
    expect(first.headers['x-faasbench-cold']).toBe('true');
    const updated = await call(platform, 'PUT', '/system/functions', deployment('of-echo', dir, { limits: { memory: '0.5Gi' } }));
    expect(updated.status).toBe(200);
    expect(platform.get('of-echo').settings.memoryMb).toBe(512);
    const after = await call(platform, 'POST', '/function/of-echo', '{}');
    expect(after.headers['x-faasbench-cold']).toBe('true');
    expect(after.json()).toMatchObject({ memory: '512', colour: null });
    expect((await call(platform, 'GET', '/system/function/of-echo')).json()).toMatchObject({ invocationCount: 2, limits: { memory: '512Mi' } });
    expect((await call(platform, 'PUT', '/system/functions', deployment('nope', dir))).status).toBe(404);
  });

  it('removes with DELETE {functionName}: 200, then 404 for the function and its calls', async () => {
    const bad = await call(platform, 'DELETE', '/system/functions', JSON.stringify({ name: 'of-echo' }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('field "functionName"');
    expect((await call(platform, 'DELETE', '/system/functions', JSON.stringify({ functionName: 'of-echo' }))).status).toBe(200);
    expect((await call(platform, 'GET', '/system/function/of-echo')).status).toBe(404);
    expect((await call(platform, 'POST', '/function/of-echo', '{}')).status).toBe(404);
    expect((await call(platform, 'DELETE', '/system/functions', JSON.stringify({ functionName: 'of-echo' }))).status).toBe(404);
  });

  it('refuses what it cannot deploy, naming the field', async () => {
    const dir = nodeFunction('echo3', ECHO);
    const cases: [Record<string, unknown>, string][] = [
      [{ service: 'x', image: 'functions/nodeinfo:latest' }, 'field "image"'],
      [{ service: 'x', image: 'faasbench-local:relative/dir' }, 'field "image"'],
      [{ service: 'x', image: `faasbench-local:${dir}`, limits: { memory: 'lots' } }, 'field "limits.memory"'],
      [{ service: 'x', image: `faasbench-local:${dir}`, envVars: { exec_timeout: 'soon' } }, 'field "envVars.exec_timeout"'],
      [{ service: 'x', image: `faasbench-local:${dir}`, labels: { 'com.openfaas.scale.max': '0' } }, 'com.openfaas.scale.max'],
      [{ service: 'x', image: `faasbench-local:${dir}`, annotations: { 'com.faasbench.settings': '[1]' } }, 'com.faasbench.settings'],
      [{ service: 'x', image: `faasbench-local:${dir}`, annotations: { 'com.faasbench.settings': '{"colour":1}' } }, 'colour'],
      [{ service: 'x', image: `faasbench-local:${dir}`, secrets: ['db'] }, 'field "secrets"'],
      [{ service: 'x', image: `faasbench-local:${dir}`, namespace: 'other' }, 'namespace "other"'],
      [{ image: `faasbench-local:${dir}` }, 'field "service"'],
    ];
    for (const [body, message] of cases) {
      const r = await call(platform, 'POST', '/system/functions', JSON.stringify(body));
      expect([r.status, r.text]).toEqual([400, expect.stringContaining(message)]);
    }
    expect(platform.list().map((f) => f.name)).not.toContain('x');
  });
});

describe('invocation', () => {
  beforeAll(async () => {
    const dir = nodeFunction('of-io', "if (event === 'boom') throw new RangeError('asked to fail'); return { event };", { cpuModel: 'none' });
    expect((await call(platform, 'POST', '/system/functions', deployment('of-io', dir))).status).toBe(202);
  });

  it('passes a JSON body as the event, other text as a string, an empty body as {}; answers with the result as JSON', async () => {
    const asJson = await call(platform, 'POST', '/function/of-io', '{"a":[1,2]}');
    expect(asJson.status).toBe(200);
    expect(asJson.headers['content-type']).toBe('application/json');
    expect(asJson.json()).toEqual({ event: { a: [1, 2] } });
    expect((await call(platform, 'POST', '/function/of-io', 'plain words')).json()).toEqual({ event: 'plain words' });
    expect((await call(platform, 'GET', '/function/of-io')).json()).toEqual({ event: {} });
    expect((await call(platform, 'POST', '/function/of-io.openfaas-fn/any/path?q=1', '7')).json()).toEqual({ event: 7 });
    expect((await call(platform, 'POST', '/function/of-io.elsewhere', '7')).status).toBe(400);
  });

  it("carries OpenFaaS's X-Call-Id and X-Duration-Seconds and the platform's ground truth, and counts calls", async () => {
    const r = await call(platform, 'POST', '/function/of-io', '{}');
    expect(r.headers['x-call-id']).toBe(r.headers['x-faasbench-request-id']);
    expect(r.headers['x-duration-seconds']).toMatch(/^\d+\.\d{6}$/);
    // The gateway's time covers the function's.
    expect(Number(r.headers['x-duration-seconds']) * 1000).toBeGreaterThanOrEqual(Number(r.headers['x-faasbench-duration-ms']));
    expect(r.headers['x-faasbench-cold']).toBe('false');
    const status = (await call(platform, 'GET', '/system/function/of-io')).json() as { invocationCount: number; replicas: number; availableReplicas: number };
    // Four calls in the test before (one refused for its namespace) and this one.
    expect(status).toMatchObject({ invocationCount: 5, replicas: 1, availableReplicas: 1 });
  });

  it('answers a function error with 500 and the error payload; the instance keeps serving', async () => {
    const before = await call(platform, 'POST', '/function/of-io', '{}');
    const failed = await call(platform, 'POST', '/function/of-io', 'boom');
    expect(failed.status).toBe(500);
    expect(failed.json()).toMatchObject({ errorType: 'RangeError', errorMessage: 'asked to fail' });
    const after = await call(platform, 'POST', '/function/of-io', '{}');
    expect(after.status).toBe(200);
    expect(after.headers['x-faasbench-instance-id']).toBe(before.headers['x-faasbench-instance-id']);
  });

  it('answers 429 at the instance limit and 404 for an unknown function', async () => {
    const dir = nodeFunction('of-slow', 'await new Promise((r) => setTimeout(r, 400)); return 1;', { maxInstances: 1, cpuModel: 'none' });
    await call(platform, 'POST', '/system/functions', deployment('of-slow', dir));
    const rs = await Promise.all([call(platform, 'POST', '/function/of-slow', '{}'), call(platform, 'POST', '/function/of-slow', '{}')]);
    expect(rs.map((r) => r.status).sort()).toEqual([200, 429]);
    const missing = await call(platform, 'POST', '/function/no-such-fn', '{}');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('no-such-fn');
  });

  it('queues /async-function calls with 202 and runs them', async () => {
    const dir = writeFunction(
      { name: 'of-async', runtime: 'nodejs', handler: 'index.handler' },
      {
        'index.mjs': [
          "import { renameSync, writeFileSync } from 'node:fs';",
          "import { fileURLToPath } from 'node:url';",
          // Written aside and renamed, so the test never reads a half-written file.
          "export const handler = async (event) => { const file = fileURLToPath(process.env.FAASBENCH_STORAGE_URL) + '/of-async.json'; writeFileSync(file + '.part', JSON.stringify(event)); renameSync(file + '.part', file); return 1; };",
          '',
        ].join('\n'),
      },
    );
    await call(platform, 'POST', '/system/functions', deployment('of-async', dir));
    const accepted = await call(platform, 'POST', '/async-function/of-async', '{"queued":true}');
    expect(accepted.status).toBe(202);
    expect(accepted.headers['x-call-id']).toMatch(/^[0-9a-f-]{36}$/);
    const file = path.join(fileURLToPath(platform.storageUrl), 'of-async.json');
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(50);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ queued: true });
    expect((await call(platform, 'POST', '/async-function/of-async', '{}', { 'x-callback-url': 'http://127.0.0.1:1/' })).status).toBe(400);
    expect((await call(platform, 'POST', '/async-function/no-such-fn', '{}')).status).toBe(404);
  });
});

describe('basic auth with a platform token', () => {
  let guarded: LocalPlatform;
  beforeAll(async () => {
    guarded = await startPlatform({ token: 'of-secret' });
  });
  afterAll(async () => {
    await guarded.stop();
  });

  const basic = (user: string, password: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  it('requires admin:<token> (or the bearer token) on every OpenFaaS route', async () => {
    const none = await call(guarded, 'GET', '/system/functions');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="Restricted"');
    expect((await call(guarded, 'GET', '/system/functions', undefined, basic('admin', 'wrong'))).status).toBe(401);
    expect((await call(guarded, 'GET', '/system/functions', undefined, basic('root', 'of-secret'))).status).toBe(401);
    expect((await call(guarded, 'POST', '/function/anything', '{}')).status).toBe(401);
    expect((await call(guarded, 'GET', '/system/functions', undefined, basic('admin', 'of-secret'))).status).toBe(200);
    expect((await call(guarded, 'GET', '/system/functions', undefined, { authorization: 'Bearer of-secret' })).status).toBe(200);
  });
});

describe('OpenFaaS value formats', () => {
  it('reads Go durations and Kubernetes memory quantities', () => {
    expect(goDurationSeconds('30s', 'f')).toBe(30);
    expect(goDurationSeconds('1m30s', 'f')).toBe(90);
    expect(goDurationSeconds('1500ms', 'f')).toBe(1.5);
    expect(goDurationSeconds('12', 'f')).toBe(12);
    expect(() => goDurationSeconds('30 s', 'f')).toThrow('field "f"');
    expect(memoryMb('128Mi')).toBe(128);
    expect(memoryMb('1Gi')).toBe(1024);
    expect(memoryMb('128M')).toBe(122);
    expect(memoryMb('268435456')).toBe(256);
    expect(() => memoryMb('1Ti')).toThrow('limits.memory');
  });
});
