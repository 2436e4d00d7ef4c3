// The knative provider without a cluster: `commands` mode runs a vSwarm config.json whose commands
// the test controls (they append to a log), and `api` mode talks to a loopback stand-in for the
// Kubernetes API (named by a kubeconfig file) and invokes through a loopback "ingress"; protocol=grpc
// calls a grpc-js Greeter (test/grpc/greeter-server.ts) as the ingress.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFunctionPackage } from '../core/function-package.ts';
import { startGreeter } from '../../test/grpc/greeter-server.ts';
import { closedPort } from './conformance.ts';
import { createKnativeProvider } from './knative.ts';

const HELLO = loadFunctionPackage(path.resolve(import.meta.dirname, '../../functions/hello'));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'knative-'));
}

function serviceYaml(name: string): string {
  return `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  template:\n    spec:\n      containers:\n        - image: docker.io/vhiveease/${name}:latest\n`;
}

/** A vSwarm-style folder: two YAMLs and a config.json whose commands append to order.log. */
function vswarmDir(helloPre: unknown[]): string {
  const dir = scratch();
  writeFileSync(path.join(dir, 'kn-aes.yaml'), serviceYaml('aes-nodejs'));
  writeFileSync(path.join(dir, 'kn-hello.yaml'), `# licence header\n${serviceYaml('hello')}`);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify([
    { 'yaml-location': './kn-aes.yaml', 'predeployment-commands': ['echo aes-pre >> order.log'] },
    { 'yaml-location': './kn-hello.yaml', 'predeployment-commands': helloPre, 'postdeployment-commands': [['sh', '-c', 'echo post >> order.log'], 'touch post-marker'] },
  ]));
  return dir;
}

const logApply = ['sh', '-c', 'echo "apply $0" >> order.log', '{yaml}'];

describe('knative provider, commands mode (vSwarm config.json)', () => {
  it('runs the entry naming the function: predeployment commands (shell lines and argv lists), apply on its YAML, postdeployment commands, in order', async () => {
    const dir = vswarmDir(['echo pre-1 >> order.log', ['sh', '-c', 'echo pre-2 >> order.log']]);
    const provider = await createKnativeProvider({ mode: 'commands', config: path.join(dir, 'config.json'), applyCommand: logApply, deleteCommand: ['sh', '-c', 'echo "delete $0" >> order.log', '{yaml}'] });
    await provider.deploy(HELLO);
    await provider.remove('hello');
    await provider.close();
    const yaml = path.join(dir, 'kn-hello.yaml');
    expect(readFileSync(path.join(dir, 'order.log'), 'utf8')).toBe(`pre-1\npre-2\napply ${yaml}\npost\ndelete ${yaml}\n`);
    expect(existsSync(path.join(dir, 'post-marker'))).toBe(true);
  });

  it('stops at a failing command and names it with its exit code and output', async () => {
    const dir = vswarmDir(['echo pre-1 >> order.log', 'echo "database not ready" >&2; exit 3']);
    const provider = await createKnativeProvider({ mode: 'commands', config: path.join(dir, 'config.json'), applyCommand: logApply });
    await expect(provider.deploy(HELLO)).rejects.toThrow('provider knative: deploy hello: predeployment-commands[1] "echo \\"database not ready\\" >&2; exit 3" exited with code 3: database not ready');
    expect(readFileSync(path.join(dir, 'order.log'), 'utf8')).toBe('pre-1\n');
    expect(existsSync(path.join(dir, 'post-marker'))).toBe(false);
    await expect(provider.deploy({ ...HELLO, manifest: { ...HELLO.manifest, name: 'rnn' } })).rejects.toThrow('no entry\'s YAML names a Service "rnn" (they name: aes-nodejs, hello)');
    await provider.close();
  });

  it('refuses a config.json it cannot use when created, naming the file and field', async () => {
    const dir = scratch();
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify([{ 'yaml-location': 'a.yaml', 'predeployment-commands': 'kubectl apply -f db.yaml' }]));
    await expect(createKnativeProvider({ mode: 'commands', config: file })).rejects.toThrow(`${file}: entry 0: field "predeployment-commands": expected a list of commands`);
    await expect(createKnativeProvider({ mode: 'commands' })).rejects.toThrow('provider knative: option "config"');
    await expect(createKnativeProvider({ replicas: 2 })).rejects.toThrow('provider knative: unknown option "replicas"');
  });
});

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

async function listen(handler: (req: IncomingMessage, body: string) => { status: number; body: unknown; headers?: Record<string, string> }): Promise<string> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const reply = handler(req, body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Enough of the Kubernetes API for one Knative Service: ready as soon as it is written. */
async function fakeCluster(seen: Seen[]): Promise<string> {
  let stored: Record<string, unknown> | null = null;
  const url = await listen((req, text) => {
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    seen.push({ method: req.method!, url: req.url!, body });
    if (req.method === 'GET') return stored ? { status: 200, body: stored } : { status: 404, body: { kind: 'Status', code: 404, message: 'not found' } };
    if (req.method === 'DELETE') return { status: 200, body: { kind: 'Status', status: 'Success' } };
    const metadata = { ...(body!.metadata as object), generation: 1, resourceVersion: '7' };
    stored = { ...body, metadata, status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] } };
    return { status: req.method === 'POST' ? 201 : 200, body: stored };
  });
  const dir = scratch();
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'fake',
    // client-node refuses plain http unless told the cluster is not verified (as for `kubectl proxy`).
    clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
    users: [{ name: 'fake', user: { token: 'fake-token' } }],
  }));
  return kubeconfig;
}

describe('knative provider, api mode', () => {
  it('creates a valid Service through the Kubernetes API, waits for Ready, invokes with Host routing, updates and deletes it', async () => {
    const seen: Seen[] = [];
    const kubeconfig = await fakeCluster(seen);
    const hosts: string[] = [];
    const ingress = await listen((req, body) => {
      hosts.push(req.headers.host!);
      return { status: 200, body: { echo: JSON.parse(body) as unknown } };
    });
    const provider = await createKnativeProvider({ kubeconfig, namespace: 'bench', image: 'registry.example/{name}:1', ingress, domain: 'example.com', maxScale: 5 });
    await provider.deploy(HELLO, { memoryMb: 256 });
    const created = seen.find((s) => s.method === 'POST');
    expect(created?.url).toBe('/apis/serving.knative.dev/v1/namespaces/bench/services');
    expect(() => new Service(created!.body as never).validate()).not.toThrow();
    expect(created!.body).toMatchObject({
      metadata: { name: 'hello', namespace: 'bench' },
      spec: { template: { metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '0', 'autoscaling.knative.dev/max-scale': '5' } }, spec: { containerConcurrency: 1, containers: [{ image: 'registry.example/hello:1', resources: { limits: { memory: '256Mi' } } }] } } },
    });

    const result = await provider.invoke('hello', Buffer.from('{"n":1}'));
    expect(result.status).toBe('ok');
    expect(JSON.parse(result.payload.toString())).toEqual({ echo: { n: 1 } });
    expect(hosts).toEqual(['hello.bench.example.com']);

    await provider.updateConfiguration('hello', { memoryMb: 1024 });
    const replaced = seen.find((s) => s.method === 'PUT');
    expect(replaced?.url).toBe('/apis/serving.knative.dev/v1/namespaces/bench/services/hello');
    expect(replaced!.body).toMatchObject({ metadata: { resourceVersion: '7' }, spec: { template: { spec: { containers: [{ image: 'registry.example/hello:1', resources: { limits: { memory: '1024Mi' } } }] } } } });

    await provider.remove('hello');
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/apis/serving.knative.dev/v1/namespaces/bench/services/hello' });
    await provider.close();
  });

  it('says what is missing: an image to deploy, an ingress to invoke', async () => {
    const kubeconfig = await fakeCluster([]);
    const provider = await createKnativeProvider({ kubeconfig });
    await expect(provider.deploy(HELLO)).rejects.toThrow('provider knative: option "image"');
    await expect(provider.invoke('hello', Buffer.from('{}'))).rejects.toThrow('provider knative: option "ingress"');
    await provider.close();
  });
});

describe('knative provider, protocol=grpc', () => {
  it("calls the ingress as the grpc provider does: Knative's host as :authority, trace context as metadata, the reply as JSON", async () => {
    const greeter = await startGreeter();
    closers.push(() => greeter.stop());
    const provider = await createKnativeProvider({ protocol: 'grpc', ingress: `http://127.0.0.1:${greeter.port}`, namespace: 'bench', domain: '10.0.0.1.sslip.io', request: { name: 'from {fn}' } });
    closers.push(() => provider.close());
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const r = await provider.invoke('aes-go', Buffer.from('{}'), { traceHeaders: { traceparent } });
    expect(r).toMatchObject({ status: 'ok', httpStatus: null, errorClass: null });
    expect(JSON.parse(r.payload.toString())).toEqual({ message: 'hello from aes-go' });
    expect(greeter.seen.at(-1)).toMatchObject({ name: 'from aes-go', authority: 'aes-go.bench.10.0.0.1.sslip.io', metadata: { traceparent } });
  });

  it('classes failures by gRPC status: a deadline exceeded, an unreachable ingress', async () => {
    const greeter = await startGreeter();
    closers.push(() => greeter.stop());
    const hurried = await createKnativeProvider({ protocol: 'grpc', ingress: `http://127.0.0.1:${greeter.port}`, deadlineMs: 100 });
    const dead = await createKnativeProvider({ protocol: 'grpc', ingress: `http://127.0.0.1:${await closedPort()}`, deadlineMs: 5000 });
    closers.push(() => hurried.close(), () => dead.close());
    expect(await hurried.invoke('hello', Buffer.from('{"name":"sleep:1000"}'))).toMatchObject({ status: 'transport-error', errorClass: 'DEADLINE_EXCEEDED' });
    expect(await dead.invoke('hello', Buffer.from('{}'))).toMatchObject({ status: 'transport-error', errorClass: 'UNAVAILABLE' });
  });

  it("refuses the other protocol's options, and reports the grpc options it passes on as its own", async () => {
    await expect(createKnativeProvider({ protocol: 'grpc', path: '/x' })).rejects.toThrow('provider knative: option "path": only used with protocol=http');
    await expect(createKnativeProvider({ method: 'helloworld.Greeter/SayHello' })).rejects.toThrow('provider knative: option "method": only used with protocol=grpc');
    await expect(createKnativeProvider({ protocol: 'grpc', ingress: 'http://127.0.0.1:1', method: 'helloworld.Greeter/SayBye' })).rejects.toThrow('provider knative: option "method": ');
    await expect(createKnativeProvider({ protocol: 'grpc', ingress: 'http://127.0.0.1:1', deadlineMs: -1 })).rejects.toThrow('provider knative: option "deadlineMs"');
    await expect(createKnativeProvider({ protocol: 'soap' })).rejects.toThrow('provider knative: option "protocol"');
  });
});
