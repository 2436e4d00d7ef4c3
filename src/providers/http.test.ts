// The http provider through the local platform's HTTP trigger, /fn/<name>/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import type { Provider } from '../core/provider.ts';
import type { LocalPlatform } from '../platform/platform.ts';
import { nodeFunction, startPlatform } from '../../test/support/platform.ts';
import { closedPort } from './conformance.ts';
import { createHttpProvider } from './http.ts';

let platform: LocalPlatform;
let http: Provider;
beforeAll(async () => {
  // The Host the Knative-style test below routes by must be one the platform answers.
  platform = await startPlatform({ allowedHosts: ['trigger.default.example.com'] });
  platform.deployFolder(nodeFunction('trigger', 'return { method: event.requestContext.http.method, host: event.headers.host, path: event.rawPath, body: event.body ?? null, team: event.headers["x-team"] ?? null };'));
  platform.deployFolder(nodeFunction('sleepy', 'await new Promise((r) => setTimeout(r, 400)); return { slept: true };', { maxInstances: 1, cpuModel: 'none' }));
  platform.deployFolder(nodeFunction('broken', "throw new Error('no');"));
  http = await createHttpProvider({ url: `${platform.url}/fn/{fn}/run`, headers: { 'x-team': 'bench' } });
});
afterAll(async () => {
  await http.close();
  await platform.stop();
});

describe('http provider', () => {
  it('invokes a deployed function through its HTTP trigger, cold then warm, with the ground truth as facts', async () => {
    const cold = await http.invoke('trigger', Buffer.from('{"x":1}'));
    expect(cold).toMatchObject({ status: 'ok', httpStatus: 200, errorClass: null });
    expect(JSON.parse(cold.payload.toString())).toEqual({ method: 'POST', host: new URL(platform.url).host, path: '/run', body: '{"x":1}', team: 'bench' });
    expect(cold.facts).toMatchObject({ cold: true, memoryMb: 128 });
    expect(cold.facts.initMs).toBeGreaterThan(0);
    const warm = await http.invoke('trigger', Buffer.from('{}'));
    expect(warm.facts).toMatchObject({ cold: false, initMs: null, instanceId: cold.facts.instanceId });
  });

  it('sends a Host header for routing, a method and a body template', async () => {
    const knative = await createHttpProvider({ url: `${platform.url}/fn/{fn}/`, method: 'PUT', host: '{fn}.default.example.com', body: '{"wrapped":{payload}}' });
    try {
      const r = await knative.invoke('trigger', Buffer.from('[1,2]'));
      expect(JSON.parse(r.payload.toString())).toMatchObject({ method: 'PUT', host: 'trigger.default.example.com', body: '{"wrapped":[1,2]}' });
    } finally {
      await knative.close();
    }
    const get = await createHttpProvider({ url: `${platform.url}/fn/trigger/?fn={fn}`, method: 'GET' });
    try {
      const r = await get.invoke('ignored-in-path', Buffer.from('{"dropped":true}'));
      expect(JSON.parse(r.payload.toString())).toMatchObject({ method: 'GET', body: null });
    } finally {
      await get.close();
    }
  });

  it('reports the second of two calls to a function limited to one instance as throttled', async () => {
    const rs = await Promise.all([http.invoke('sleepy', Buffer.from('{}')), http.invoke('sleepy', Buffer.from('{}'))]);
    expect(rs.map((r) => r.status).sort()).toEqual(['ok', 'throttled']);
    const throttled = rs.find((r) => r.status === 'throttled');
    expect(throttled).toMatchObject({ httpStatus: 429, errorClass: 'HTTP 429', facts: NO_FACTS });
  });

  it('reports a function error (502 from the trigger) and an unknown function (404)', async () => {
    expect(await http.invoke('broken', Buffer.from('{}'))).toMatchObject({ status: 'function-error', httpStatus: 502, errorClass: 'HTTP 502' });
    expect(await http.invoke('absent', Buffer.from('{}'))).toMatchObject({ status: 'rejected', httpStatus: 404, errorClass: 'HTTP 404', facts: NO_FACTS });
  });

  it('reports a closed port as a transport error', async () => {
    const dead = await createHttpProvider({ url: `http://127.0.0.1:${await closedPort()}/{fn}` });
    try {
      expect(await dead.invoke('any', Buffer.from('{}'))).toEqual({ status: 'transport-error', httpStatus: null, payload: Buffer.alloc(0), errorClass: 'ECONNREFUSED', facts: NO_FACTS });
    } finally {
      await dead.close();
    }
  });

  it('cannot deploy, update or remove, and says so', async () => {
    const pkg = loadFunctionPackage(nodeFunction('not-deployable', 'return 1;'));
    for (const attempt of [http.deploy(pkg), http.updateConfiguration('trigger', { memoryMb: 256 }), http.remove('trigger')]) {
      const err = await attempt.catch((e: unknown) => e);
      expect(isFaasbenchError(err, 'InvalidParameterValue')).toBe(true);
      expect(String(err)).toMatch(/provider http cannot (deploy|update a configuration|remove): it only invokes URLs/);
    }
  });

  it('names a bad option', async () => {
    await expect(createHttpProvider({})).rejects.toThrow('provider http: option "url"');
    await expect(createHttpProvider({ url: 'file:///x' })).rejects.toThrow('expected an http:// or https:// URL');
    await expect(createHttpProvider({ url: 'http://x/', method: 'BREW' })).rejects.toThrow('option "method"');
  });
});
