// The knative provider through the shared conformance suite, with no cluster: a loopback stand-in
// for the Kubernetes API acts as Knative's controller (a Service written there is deployed on the
// local platform, with the settings its annotation carries; deleting it removes the function), and
// a loopback ingress routes by Host, <fn>.<namespace>.<domain>, to the platform's gateway.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Provider } from '../core/provider.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import type { LocalPlatform } from '../platform/platform.ts';
import { scratchDir, startPlatform } from '../../test/support/platform.ts';
import { providerConformance } from './conformance.ts';
import { createKnativeProvider } from './knative.ts';
import { settingsOf, type KnativeService } from './knative-manifest.ts';
import { createLocalProvider } from './local.ts';

const IMAGE_PREFIX = 'faasbench-local:';
let workDir = '';

async function listen(handler: (req: IncomingMessage, body: Buffer) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handler(req, Buffer.concat(chunks)).then(
        (reply) => res.writeHead(reply.status, reply.headers).end(reply.body),
        (err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: err.message })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const json = (status: number, value: unknown): { status: number; headers: Record<string, string>; body: Buffer } => ({ status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) });

/** Knative's part, played on the local platform. */
async function fakeCluster(local: Provider): Promise<{ url: string; close: () => Promise<void> }> {
  const services = new Map<string, KnativeService & { metadata: { generation: number }; status: unknown }>();
  return listen(async (req, body) => {
    const name = /\/services\/([^/?]+)/.exec(req.url!)?.[1];
    if (req.method === 'GET') {
      const s = name === undefined ? undefined : services.get(name);
      return s ? json(200, s) : json(404, { kind: 'Status', code: 404, message: `services "${name}" not found` });
    }
    if (req.method === 'DELETE') {
      if (name === undefined || !services.delete(name)) return json(404, { kind: 'Status', code: 404, message: 'not found' });
      await local.remove(name);
      return json(200, { kind: 'Status', status: 'Success' });
    }
    const service = JSON.parse(body.toString()) as KnativeService;
    const image = service.spec.template.spec.containers[0]!.image;
    const pkg = loadFunctionPackage(path.join(workDir, image.slice(IMAGE_PREFIX.length)));
    await local.deploy(pkg, settingsOf(service) ?? {});
    const generation = (services.get(service.metadata.name)?.metadata.generation ?? 0) + 1;
    const stored = { ...service, metadata: { ...service.metadata, generation, resourceVersion: String(generation) }, status: { observedGeneration: generation, conditions: [{ type: 'Ready', status: 'True' }] } };
    services.set(service.metadata.name, stored);
    return json(req.method === 'POST' ? 201 : 200, stored);
  });
}

/** Host <fn>.<namespace>.<domain> to the platform's POST /function/<fn> (raw payload in, result out). */
async function fakeIngress(platformUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  return listen(
    (req, body) =>
      new Promise((resolve, reject) => {
        const fn = (req.headers.host ?? '').split('.')[0]!;
        const out = request(`${platformUrl}/function/${fn}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        out.once('error', reject);
        out.end(body);
      }),
  );
}

let platform: LocalPlatform;
providerConformance(
  'knative against a stand-in Kubernetes API and ingress over the local platform',
  async () => {
    platform = await startPlatform();
    const local = await createLocalProvider({ platform });
    const cluster = await fakeCluster(local);
    const ingress = await fakeIngress(platform.url);
    const kubeconfig = path.join(workDir, 'kubeconfig');
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'fake',
      // client-node refuses plain http unless told the cluster is not verified (as for `kubectl proxy`).
      clusters: [{ name: 'fake', cluster: { server: cluster.url, 'insecure-skip-tls-verify': true } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      users: [{ name: 'fake', user: { token: 'fake-token' } }],
    }));
    const provider = await createKnativeProvider({ kubeconfig, namespace: 'bench', image: `${IMAGE_PREFIX}{dir}`, ingress: ingress.url });
    return {
      provider,
      teardown: async () => {
        await ingress.close();
        await cluster.close();
        await local.close();
        await platform.stop();
      },
    };
  },
  {
    workDir: () => (workDir = scratchDir('knative-conformance')),
    reportsInstanceId: true,
    unreachable: (url) => createKnativeProvider({ ingress: url }),
  },
);
