// CONTRACT TESTS (no Google Cloud here): the gcp-functions provider's real client,
// `@google-cloud/functions` over its REST transport, is pointed at a loopback server that records
// each request and answers as Google's documented REST API does. The assertions are the documented
// requests: Cloud Functions v2 projects.locations.functions generateUploadUrl, create, get, patch,
// delete and operations.get (https://cloud.google.com/functions/docs/reference/rest/v2/projects.locations.functions),
// the signed-URL upload (a PUT with content-type application/zip) and Cloud Run Admin v2
// services getIamPolicy / setIamPolicy (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services).
// They prove what is sent, not that Google accepts it: the live suite (test/live/gcp.live.test.ts) does that.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { strFromU8, unzipSync } from 'fflate';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import { nodeFunction } from '../../test/support/platform.ts';
import { createGcpFunctionsProvider, type GcpFunctionsProvider } from './gcp-functions.ts';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

const PARENT = 'projects/contract-project/locations/europe-west1';
const FN = 'contract-hello';
const NAME = `${PARENT}/functions/${FN}`;
const SERVICE = `projects/contract-project/locations/europe-west1/services/${FN}`;
const TOKEN = 'contract-test-access-token';
/** google.cloud.functions.v2 enums as the client encodes them (enum-encoding=int). */
const GEN_2 = 2;
const ALLOW_ALL = 1;

/** Google's REST API for the calls the provider makes, with what it keeps between them. */
class FakeGoogle {
  readonly requests: Recorded[] = [];
  exists = false;
  operations = 0;
  policy: Record<string, unknown> = { bindings: [{ role: 'roles/run.admin', members: ['user:owner@example.com'] }], etag: 'BwY1' };
  current: Record<string, unknown> = {};
  url = '';

  handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec = { method: req.method ?? '', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, contentType: req.headers['content-type'], body };
    this.requests.push(rec);
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const route = `${rec.method} ${rec.path}`;
    if (route === `POST /v2/${PARENT}/functions:generateUploadUrl`) return json(200, { uploadUrl: `${this.url}/upload/signed?X-Goog-Signature=abc`, storageSource: { bucket: 'gcf-v2-uploads', object: 'contract.zip' } });
    if (route === 'PUT /upload/signed') return json(200, {});
    if (route === `POST /v2/${PARENT}/functions`) {
      if (this.exists) return json(409, { error: { code: 409, message: `Function ${FN} already exists`, status: 'ALREADY_EXISTS' } });
      this.exists = true;
      return this.pending(res, JSON.parse(body.toString()) as Record<string, unknown>);
    }
    if (route === `PATCH /v2/${NAME}`) return this.pending(res, { ...this.current, ...(JSON.parse(body.toString()) as Record<string, unknown>) });
    if (route === `GET /v2/${NAME}`) return this.exists ? json(200, this.current) : notFound(res);
    if (route === `DELETE /v2/${NAME}`) {
      if (!this.exists) return notFound(res);
      this.exists = false;
      return json(200, { name: `${PARENT}/operations/op-delete`, done: true, response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } });
    }
    if (rec.path.startsWith(`/v2/${PARENT}/operations/`)) return json(200, this.done(rec.path.slice(4)));
    if (route === `GET /v2/${SERVICE}:getIamPolicy`) return json(200, this.policy);
    if (route === `POST /v2/${SERVICE}:setIamPolicy`) {
      this.policy = (JSON.parse(body.toString()) as { policy: Record<string, unknown> }).policy;
      return json(200, this.policy);
    }
    json(404, { error: { code: 404, message: `no route ${route}`, status: 'NOT_FOUND' } });
  }

  /** A long-running operation that is not done when first answered: the client must poll it. */
  private pending(res: ServerResponse, fn: Record<string, unknown>): void {
    const service = (fn.serviceConfig ?? {}) as Record<string, unknown>;
    this.current = { ...fn, name: NAME, state: 'ACTIVE', serviceConfig: { ...service, uri: `${this.url}/run/${FN}`, service: SERVICE } };
    const name = `${PARENT}/operations/op-${++this.operations}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, done: false }));
  }

  private done(name: string): unknown {
    return { name, done: true, response: { '@type': 'type.googleapis.com/google.cloud.functions.v2.Function', ...this.current } };
  }

  take(): Recorded[] {
    return this.requests.splice(0);
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: `Resource '${NAME}' was not found`, status: 'NOT_FOUND' } }));
}

const bodyOf = (r: Recorded | undefined): Record<string, unknown> => JSON.parse(r?.body.toString() || '{}') as Record<string, unknown>;
const line = (r: Recorded): string => `${r.method} ${r.path}`;

describe('CONTRACT (recorded against the documented REST API, no cloud): gcp-functions deploy, update, remove', () => {
  const google = new FakeGoogle();
  let server: Server;
  let provider: GcpFunctionsProvider;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => google.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    google.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
    provider = await createGcpFunctionsProvider(
      { project: 'contract-project', region: 'europe-west1', endpoint: google.url, serviceAccount: 'runner@contract-project.iam.gserviceaccount.com', runtimes: { nodejs: 'nodejs22' }, readyTimeoutS: 60 },
      { authClient },
    );
  });
  afterAll(async () => {
    await provider?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('deploy: generateUploadUrl, a PUT of the zip to the signed URL, create, the operation polled, then run.invoker for allUsers beside the existing bindings', async () => {
    const dir = nodeFunction(FN, 'return event;', { memoryMb: 512, timeoutS: 12.5, maxInstances: 3, description: 'contract', environment: { GREETING: 'hi' } });
    await provider.deploy(loadFunctionPackage(dir));
    const sent = google.take();
    expect(sent.map(line)).toEqual([
      `POST /v2/${PARENT}/functions:generateUploadUrl`,
      'PUT /upload/signed',
      `POST /v2/${PARENT}/functions`,
      `GET /v2/${PARENT}/operations/op-1`,
      `GET /v2/${SERVICE}:getIamPolicy`,
      `POST /v2/${SERVICE}:setIamPolicy`,
    ]);
    const [uploadUrl, put, create, , , setPolicy] = sent as [Recorded, Recorded, Recorded, Recorded, Recorded, Recorded];
    expect(bodyOf(uploadUrl)).toEqual({ environment: GEN_2 });
    // The signed URL carries its own authority: no bearer token goes to it.
    expect([put.contentType, put.authorization, put.query]).toEqual(['application/zip', undefined, { 'X-Goog-Signature': 'abc' }]);
    const files = unzipSync(new Uint8Array(put.body));
    expect(Object.keys(files).sort()).toEqual(['faasbench-entry.mjs', 'function.json', 'index.mjs', 'package.json']);
    expect(JSON.parse(strFromU8(files['package.json']!))).toEqual({ name: FN, main: 'faasbench-entry.mjs', dependencies: { '@google-cloud/functions-framework': '5.0.5' } });

    expect(create.query.functionId).toBe(FN);
    expect(bodyOf(create)).toEqual({
      name: NAME,
      description: 'contract',
      environment: GEN_2,
      labels: { 'deployed-by': 'faasbench' },
      buildConfig: { runtime: 'nodejs22', entryPoint: 'faasbench', source: { storageSource: { bucket: 'gcf-v2-uploads', object: 'contract.zip', generation: '0', sourceUploadUrl: '' } }, environmentVariables: {} },
      serviceConfig: {
        availableMemory: '512Mi',
        timeoutSeconds: 13,
        environmentVariables: { GREETING: 'hi', FAASBENCH_FUNCTION_NAME: FN, FAASBENCH_MEMORY_MB: '512', FAASBENCH_TIMEOUT_S: '12.5' },
        maxInstanceCount: 3,
        maxInstanceRequestConcurrency: 1,
        serviceAccountEmail: 'runner@contract-project.iam.gserviceaccount.com',
        ingressSettings: ALLOW_ALL,
        allTrafficOnLatestRevision: true,
      },
    });
    expect(bodyOf(setPolicy)).toEqual({
      policy: { bindings: [{ role: 'roles/run.admin', members: ['user:owner@example.com'] }, { role: 'roles/run.invoker', members: ['allUsers'] }], etag: 'BwY1' },
    });
    for (const r of sent.filter((r) => r.path.startsWith('/v2/'))) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('deploy of a function that exists: create answers ALREADY_EXISTS, then a patch with no update mask replaces it whole; allUsers is not added twice', async () => {
    await provider.deploy(loadFunctionPackage(nodeFunction(FN, 'return 2;', { memoryMb: 256 })));
    const sent = google.take();
    expect(sent.map(line)).toEqual([
      `POST /v2/${PARENT}/functions:generateUploadUrl`,
      'PUT /upload/signed',
      `POST /v2/${PARENT}/functions`,
      `PATCH /v2/${NAME}`,
      `GET /v2/${PARENT}/operations/op-2`,
      `GET /v2/${SERVICE}:getIamPolicy`,
    ]);
    const patch = sent[3] as Recorded;
    expect(patch.query.updateMask).toBeUndefined();
    // The name travels in the path, as REST transcoding of `function.name` puts it.
    expect(bodyOf(patch).name).toBeUndefined();
    expect(bodyOf(patch)).toMatchObject({ labels: { 'deployed-by': 'faasbench' }, serviceConfig: { availableMemory: '256Mi', timeoutSeconds: 3 } });
  });

  it('updateConfiguration: get, then a patch of the changed fields with their update mask, the entry point variables following memory', async () => {
    await provider.updateConfiguration(FN, { memoryMb: 1024, environment: { GREETING: 'hey' } });
    const sent = google.take();
    expect(sent.map(line)).toEqual([`GET /v2/${NAME}`, `PATCH /v2/${NAME}`, `GET /v2/${PARENT}/operations/op-3`]);
    const patch = sent[1] as Recorded;
    expect(patch.query.updateMask).toBe('serviceConfig.environmentVariables,serviceConfig.availableMemory');
    expect(bodyOf(patch)).toEqual({
      labels: {},
      serviceConfig: { availableMemory: '1024Mi', environmentVariables: { GREETING: 'hey', FAASBENCH_FUNCTION_NAME: FN, FAASBENCH_MEMORY_MB: '1024', FAASBENCH_TIMEOUT_S: '3' } },
    });

    await provider.updateConfiguration(FN, { description: 'renamed' });
    const second = google.take()[1] as Recorded;
    expect(second.query.updateMask).toBe('description,serviceConfig.environmentVariables');
    expect(bodyOf(second)).toMatchObject({ description: 'renamed', serviceConfig: { environmentVariables: { GREETING: 'hey', FAASBENCH_MEMORY_MB: '1024' } } });
  });

  it('invoke posts the payload to the trigger URL the function reports', async () => {
    const r = await provider.invoke(FN, Buffer.from('{"a":1}'));
    expect(r.httpStatus).toBe(404);
    const sent = google.take();
    expect(sent.map((s) => [line(s), s.contentType, s.body.toString(), s.authorization])).toEqual([[`POST /run/${FN}`, 'application/json', '{"a":1}', undefined]]);
  });

  it('remove: delete, then a second remove is ResourceNotFound naming the function, and calls are refused with 404', async () => {
    await provider.remove(FN);
    expect(google.take().map(line)).toEqual([`DELETE /v2/${NAME}`]);
    const err = await provider.remove(FN).catch((e: unknown) => e);
    expect(isFaasbenchError(err, 'ResourceNotFound')).toBe(true);
    expect(String(err)).toContain(`remove ${FN}`);
    expect(await provider.invoke(FN, Buffer.from('{}'))).toMatchObject({ status: 'rejected', httpStatus: 404, errorClass: 'NotFound' });
    expect(google.take().map(line)).toEqual([`DELETE /v2/${NAME}`, `GET /v2/${NAME}`]);
  });
});
