// The knative provider with protocol=grpc, end to end without a cluster: Services go through the
// loopback stand-in for the Kubernetes API (test/support/knative-cluster.ts), which deploys them on
// the local platform, and calls go to the platform's gRPC trigger as the ingress, which routes by the
// first label of :authority, as Knative's ingress routes <fn>.<namespace>.<domain>.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionPackage, type FunctionPackage } from '../src/core/function-package.ts';
import type { InvokeResult, Provider } from '../src/core/provider.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { createKnativeProvider } from '../src/providers/knative.ts';
import { createLocalProvider } from '../src/providers/local.ts';
import { IMAGE_PREFIX, standInCluster, type StandInCluster } from './support/knative-cluster.ts';
import { scratchDir, startPlatform } from './support/platform.ts';

const FUNCTIONS = ['alpha', 'beta'] as const;
/** alpha, beta, alpha, alpha, beta, alpha...: 14 calls to alpha and 7 to beta, interleaved. */
const CALLS = Array.from({ length: 21 }, (_, i) => (i % 3 === 1 ? 'beta' : 'alpha'));

let workDir: string;
let platform: LocalPlatform;
let local: Provider;
let cluster: StandInCluster;
let knative: Provider;

/** A function folder in workDir (where the stand-in finds a Service's code by its image) answering a HelloReply that names it. */
function namedFunction(name: string): FunctionPackage {
  const dir = path.join(workDir, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'function.json'), JSON.stringify({ name, runtime: 'nodejs', handler: 'index.handler' }));
  writeFileSync(path.join(dir, 'index.mjs'), `export const handler = async (event) => ({ message: '${name} answers ' + event.name });\n`);
  return loadFunctionPackage(dir);
}

/** The platform's side of the count: its invocations counter, by function. */
async function servedBy(): Promise<Record<string, number>> {
  const metric = await platform.metrics.registry.getSingleMetric('faasbench_invocations_total')!.get();
  const served: Record<string, number> = {};
  for (const { labels, value } of metric.values) served[String(labels.function)] = (served[String(labels.function)] ?? 0) + value;
  return served;
}

beforeAll(async () => {
  workDir = scratchDir('knative-grpc');
  platform = await startPlatform({ grpc: { port: 0 } });
  local = await createLocalProvider({ platform });
  cluster = await standInCluster(local, workDir);
  knative = await createKnativeProvider({
    kubeconfig: cluster.kubeconfig,
    namespace: 'bench',
    image: `${IMAGE_PREFIX}{dir}`,
    protocol: 'grpc',
    ingress: `http://127.0.0.1:${platform.grpc!.port}`,
    domain: '127.0.0.1.sslip.io',
    request: { name: 'unnamed' },
  });
}, 30_000);
afterAll(async () => {
  await knative?.close();
  await cluster?.close();
  await local?.close();
  await platform?.stop();
});

describe('knative provider over gRPC', () => {
  it('deploys Services with an h2c port, lands each call on the function its authority names, and removes them', { timeout: 60_000 }, async () => {
    for (const name of FUNCTIONS) await knative.deploy(namedFunction(name));
    expect([...cluster.services.keys()].sort()).toEqual(['alpha', 'beta']);
    for (const name of FUNCTIONS) {
      const service = cluster.services.get(name)!;
      expect(service.metadata.namespace).toBe('bench');
      expect(service.spec.template.spec.containers[0]!.ports).toEqual([{ name: 'h2c', containerPort: 8080 }]);
    }

    // One at a time: the exact count per function is the point, not how fast.
    const results: InvokeResult[] = [];
    for (const [i, fn] of CALLS.entries()) results.push(await knative.invoke(fn, Buffer.from(JSON.stringify({ name: `call-${i}` }))));
    for (const [i, r] of results.entries()) {
      expect(r).toMatchObject({ status: 'ok', httpStatus: null, errorClass: null });
      expect(JSON.parse(r.payload.toString())).toEqual({ message: `${CALLS[i]} answers call-${i}` });
    }
    expect(new Set(results.map((r) => r.facts.requestId)).size).toBe(CALLS.length);
    expect(await servedBy()).toEqual({ alpha: 14, beta: 7 });

    // The request option fills what the payload leaves out.
    const defaulted = await knative.invoke('beta', Buffer.from('{}'));
    expect(JSON.parse(defaulted.payload.toString())).toEqual({ message: 'beta answers unnamed' });
    expect(await servedBy()).toEqual({ alpha: 14, beta: 8 });

    for (const name of FUNCTIONS) await knative.remove(name);
    expect(cluster.services.size).toBe(0);
    expect(platform.list()).toEqual([]);
    expect(await knative.invoke('alpha', Buffer.from('{"name":"after"}'))).toMatchObject({ status: 'rejected', errorClass: 'NOT_FOUND' });
    expect(await servedBy()).toEqual({ alpha: 14, beta: 8 });
  });
});
