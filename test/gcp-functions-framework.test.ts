// The generated Cloud Functions entry point under Google's real Functions Framework (started as a
// child process by the gcp-functions provider's functions-framework mode), measured through the
// provider's own invoke path beside the local platform: the same events give the same results.
// What a function reports about its instance (ids, uptime, times) differs by nature and is
// compared by shape (the same fields with values of the same types); everything else exactly.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionPackage } from '../src/core/function-package.ts';
import type { InvokeResult, Provider } from '../src/core/provider.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { createGcpFunctionsProvider } from '../src/providers/gcp-functions.ts';
import { createLocalProvider } from '../src/providers/local.ts';
import { REPO, startPlatform } from './support/platform.ts';

const FUNCTIONS = ['hello', 'measure-node', 'lab-node'];

/** Fields whose values say where and when a call ran: equal in shape, not in value. */
const VOLATILE = new Set([
  'start_time', 'end_time', 'elapsed_time', 'start', 'end', 'uptime', 'identifier', 'exist_id', 'new_id', 'vm_id', 'inst_id',
  'vm_priv_ip', 'inst_priv_ip', 'cpu_info', 'cgroup_id', 'boot_id', 'time', 'speed', 'n_ms', 'ms', 'timestamps', 'sleep_time',
  'throughput', 'throughput_time', 'throughput_process_time', 'setup_ms', 'compute_ms', 'cpu', 'cpuu',
  // A stack trace names the files where the code ran.
  'trace',
]);

/** The value with volatile fields replaced by their type, so two runs compare exactly. */
function comparable(value: unknown, key = ''): unknown {
  if (VOLATILE.has(key)) return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (Array.isArray(value)) return value.map((v) => comparable(v));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v, k)]));
  return value;
}

const EVENTS: Array<[string, string, unknown]> = [
  ['hello', 'named', { name: 'faasbench' }],
  ['hello', 'empty', {}],
  ['measure-node', 'stat and cpu (its test input)', { cmds: { stat: { argv: 1 }, cpu: { n: 1000 } } }],
  ['measure-node', 'io, cpuu and ls_tmp', { cmds: { io: { rd: 1, size: '4kB', cnt: 2 }, cpuu: { n: 100 }, ls_tmp: true } }],
  ['measure-node', 'a bad command (a function error)', { cmds: { nope: 1 } }],
  ['lab-node', 'sleep and compute', { sleep: 0.05, throughput_time: 0.05 }],
  ['lab-node', 'a seeded kernel', { run_function: 'matmul', args: { n: 60 }, seed: 42 }],
  ['lab-node', 'bad input (a function error)', { sleep: 'long' }],
];

describe('the generated entry point under the Functions Framework measures like the local platform', () => {
  let platform: LocalPlatform;
  let local: Provider;
  let gcp: Provider;

  beforeAll(async () => {
    platform = await startPlatform();
    local = await createLocalProvider({ platform });
    gcp = await createGcpFunctionsProvider({ emulator: 'functions-framework' });
    for (const name of FUNCTIONS) {
      const pkg = loadFunctionPackage(path.join(REPO, 'functions', name));
      await local.deploy(pkg);
      await gcp.deploy(pkg);
    }
  }, 180_000);
  afterAll(async () => {
    await gcp?.close();
    await local?.close();
    await platform?.stop();
  });

  it('the first call of each is cold on both, with the function memory and facts the provider reads', async () => {
    for (const name of FUNCTIONS) {
      const test = Buffer.from(JSON.stringify(loadFunctionPackage(path.join(REPO, 'functions', name)).manifest.inputs.test));
      const [a, b] = [await local.invoke(name, test), await gcp.invoke(name, test)];
      expect([a.status, b.status]).toEqual(['ok', 'ok']);
      expect([a.facts.cold, b.facts.cold]).toEqual([true, true]);
      expect(b.facts.memoryMb).toBe(loadFunctionPackage(path.join(REPO, 'functions', name)).manifest.memoryMb);
      expect(b.facts.initMs).toBeGreaterThan(0);
      expect(b.facts.instanceId).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.facts.billedMs).toBe(Math.max(100, Math.ceil((b.facts.durationMs as number) / 100) * 100));
      const warm = await gcp.invoke(name, test);
      expect([warm.facts.cold, warm.facts.initMs, warm.facts.instanceId]).toEqual([false, null, b.facts.instanceId]);
    }
  }, 120_000);

  for (const [name, label, event] of EVENTS) {
    it(`${name}, ${label}: same status, error class and result`, async () => {
      const payload = Buffer.from(JSON.stringify(event));
      const [a, b] = [await local.invoke(name, payload), await gcp.invoke(name, payload)];
      expect(summary(b)).toEqual(summary(a));
      expect(comparable(JSON.parse(b.payload.toString()))).toEqual(comparable(JSON.parse(a.payload.toString())));
    }, 60_000);
  }
});

function summary(r: InvokeResult): unknown {
  return { status: r.status, errorClass: r.errorClass };
}
