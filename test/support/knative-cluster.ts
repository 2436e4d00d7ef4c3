/**
 * A loopback stand-in for a Kubernetes API with Knative, for the knative provider's tests without a
 * cluster: a Service written there is deployed on the local platform (through the local provider,
 * with the settings its annotation carries; its image `faasbench-local:<folder>` names a function
 * folder under `workDir`), is Ready at once, and deleting it removes the function. The kubeconfig it
 * writes names it.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadFunctionPackage } from '../../src/core/function-package.ts';
import type { Provider } from '../../src/core/provider.ts';
import { settingsOf, type KnativeService } from '../../src/providers/knative-manifest.ts';

export const IMAGE_PREFIX = 'faasbench-local:';

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface StandInCluster extends Listening {
  /** A kubeconfig file whose current context is this stand-in. */
  readonly kubeconfig: string;
  /** The Services as written, by name. */
  readonly services: ReadonlyMap<string, KnativeService>;
}

type StoredService = KnativeService & { metadata: { generation: number }; status: unknown };

/** An HTTP server on loopback answering each whole request with `handler` (a 500 when it throws). */
export async function listen(handler: (req: IncomingMessage, body: Buffer) => Promise<Reply>): Promise<Listening> {
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

export const json = (status: number, value: unknown): Reply => ({ status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) });

/** Knative's part, played on the local platform through `local`. */
export async function standInCluster(local: Provider, workDir: string): Promise<StandInCluster> {
  const services = new Map<string, StoredService>();
  const server = await listen(async (req, body) => {
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
    await local.deploy(loadFunctionPackage(path.join(workDir, image.slice(IMAGE_PREFIX.length))), settingsOf(service) ?? {});
    const generation = (services.get(service.metadata.name)?.metadata.generation ?? 0) + 1;
    const stored = { ...service, metadata: { ...service.metadata, generation, resourceVersion: String(generation) }, status: { observedGeneration: generation, conditions: [{ type: 'Ready', status: 'True' }] } };
    services.set(service.metadata.name, stored);
    return json(req.method === 'POST' ? 201 : 200, stored);
  });
  return { ...server, kubeconfig: writeKubeconfig(server.url, workDir), services };
}

function writeKubeconfig(server: string, dir: string): string {
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'fake',
    // client-node refuses plain http unless told the cluster is not verified (as for `kubectl proxy`).
    clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
    users: [{ name: 'fake', user: { token: 'fake-token' } }],
  }));
  return file;
}
