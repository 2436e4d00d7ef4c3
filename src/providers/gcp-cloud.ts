/**
 * Cloud Functions (2nd gen) through Google's client, `@google-cloud/functions` v2, over its REST
 * transport (the requests gcp-functions.contract.test.ts checks against Google's documented API).
 * Deploy asks generateUploadUrl for a signed URL, PUTs the zip there (application/zip, as the
 * Functions API documents), then createFunction, or updateFunction with no mask (a whole
 * replacement) when it exists, and awaits the long-running operation. A public function gets
 * roles/run.invoker for allUsers on its Cloud Run service (Run Admin API v2 IAM, read then
 * written with its etag, so other bindings stay). Credentials are Application Default
 * Credentials, never printed or stored.
 */
import functions from '@google-cloud/functions';
import { GoogleAuth, type AuthClient } from 'google-auth-library';
import { request } from 'undici';
import { FaasbenchError, type ErrorCode } from '../core/errors.ts';
import { ENTRY_POINT } from './gcp-entry-node.ts';
import type { GcpBackend, GcpDeployment, GcpSettingsPatch } from './gcp-backend.ts';
import { ENTRY_POINT_VARIABLE, entryPointEnvironment, type GcpOptions } from './gcp-options.ts';

type FunctionServiceClient = InstanceType<typeof functions.v2.FunctionServiceClient>;
type CloudFunction = functions.protos.google.cloud.functions.v2.IFunction;
type ServiceConfig = functions.protos.google.cloud.functions.v2.IServiceConfig;

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
const RUN_API = 'https://run.googleapis.com';
const INVOKER = { role: 'roles/run.invoker', member: 'allUsers' };

/** What tests may put in place of Application Default Credentials (a client with a fixed token). */
export interface GcpTransport {
  readonly authClient?: AuthClient;
}

interface Connected {
  readonly client: FunctionServiceClient;
  readonly auth: AuthClient;
  readonly parent: string;
}

export class GcpCloudBackend implements GcpBackend {
  private connected: Promise<Connected> | null = null;
  private readonly urls = new Map<string, string>();

  constructor(
    private readonly options: GcpOptions,
    private readonly transport: GcpTransport = {},
  ) {}

  async deploy(d: GcpDeployment): Promise<void> {
    const fn = d.manifest.name;
    await this.control(`deploy ${fn}`, async ({ client, parent }) => {
      const [upload] = await client.generateUploadUrl({ parent, environment: 'GEN_2' });
      if (!upload.uploadUrl || !upload.storageSource) throw new FaasbenchError('ServiceUnavailable', 'generateUploadUrl answered without an uploadUrl and storageSource');
      await putZip(upload.uploadUrl, d.zip);
      const resource = this.resource(parent, d, upload.storageSource);
      const created = await this.createOrReplace(client, parent, fn, resource);
      await this.remember(fn, created);
    });
  }

  async update(fn: string, patch: GcpSettingsPatch): Promise<void> {
    await this.control(`update ${fn}`, async ({ client, parent }) => {
      const [current] = await client.getFunction({ name: `${parent}/functions/${fn}` });
      const { serviceConfig, paths } = changedService(fn, current.serviceConfig ?? {}, patch);
      const description = patch.description !== undefined ? { description: patch.description } : {};
      const mask = [...(patch.description !== undefined ? ['description'] : []), ...paths];
      const [operation] = await client.updateFunction({ function: { name: current.name, ...description, serviceConfig }, updateMask: { paths: mask } });
      await this.awaited(operation.promise(), `update ${fn}`);
    });
  }

  async remove(fn: string): Promise<void> {
    await this.control(`remove ${fn}`, async ({ client, parent }) => {
      const [operation] = await client.deleteFunction({ name: `${parent}/functions/${fn}` });
      await this.awaited(operation.promise(), `remove ${fn}`);
      this.urls.delete(fn);
    });
  }

  async urlOf(fn: string): Promise<string | null> {
    const known = this.urls.get(fn);
    if (known) return known;
    return this.control(`find ${fn}`, async ({ client, parent }) => {
      try {
        const [found] = await client.getFunction({ name: `${parent}/functions/${fn}` });
        const uri = found.serviceConfig?.uri ?? null;
        if (uri) this.urls.set(fn, uri);
        return uri;
      } catch (err) {
        if (codeOf(err) === 'ResourceNotFound') return null;
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    const connected = await this.connected?.catch(() => null);
    await connected?.client.close();
  }

  private resource(parent: string, d: GcpDeployment, storageSource: object): CloudFunction {
    const m = d.manifest;
    return {
      name: `${parent}/functions/${m.name}`,
      description: m.description,
      environment: 'GEN_2',
      labels: { 'deployed-by': 'faasbench' },
      buildConfig: { runtime: d.runtime, entryPoint: ENTRY_POINT, source: { storageSource } },
      serviceConfig: {
        availableMemory: `${m.memoryMb}Mi`,
        timeoutSeconds: Math.ceil(m.timeoutS),
        environmentVariables: { ...d.environment },
        ...(m.maxInstances !== undefined ? { maxInstanceCount: m.maxInstances } : {}),
        maxInstanceRequestConcurrency: m.concurrency,
        ...(this.options.serviceAccount ? { serviceAccountEmail: this.options.serviceAccount } : {}),
        ingressSettings: 'ALLOW_ALL',
        allTrafficOnLatestRevision: true,
      },
    };
  }

  private async createOrReplace(client: FunctionServiceClient, parent: string, fn: string, resource: CloudFunction): Promise<CloudFunction> {
    try {
      const [operation] = await client.createFunction({ parent, functionId: fn, function: resource });
      return await this.awaited(operation.promise(), `deploy ${fn}`);
    } catch (err) {
      if (codeOf(err) !== 'ResourceConflict') throw err;
      // No update mask: every field is replaced, as a fresh deploy would set it.
      const [operation] = await client.updateFunction({ function: resource });
      return await this.awaited(operation.promise(), `deploy ${fn}`);
    }
  }

  /** Keeps the trigger URL and, for a public function, lets anyone invoke its service. */
  private async remember(fn: string, deployed: CloudFunction): Promise<void> {
    const uri = deployed.serviceConfig?.uri;
    if (uri) this.urls.set(fn, uri);
    const service = deployed.serviceConfig?.service;
    if (this.options.public && service) await this.allowAllInvokers(service);
  }

  private async allowAllInvokers(service: string): Promise<void> {
    const { auth } = await this.connect();
    const base = `${this.options.endpoint ?? RUN_API}/v2/${service}`;
    const got = await auth.request<IamPolicy>({ url: `${base}:getIamPolicy`, method: 'GET' });
    const policy = got.data ?? {};
    const bindings = policy.bindings ?? [];
    const invoker = bindings.find((b) => b.role === INVOKER.role);
    if (invoker?.members?.includes(INVOKER.member)) return;
    const merged = invoker
      ? bindings.map((b) => (b === invoker ? { ...b, members: [...(b.members ?? []), INVOKER.member] } : b))
      : [...bindings, { role: INVOKER.role, members: [INVOKER.member] }];
    await auth.request({ url: `${base}:setIamPolicy`, method: 'POST', data: { policy: { ...policy, bindings: merged } } });
  }

  /** A long-running operation's result, or an error once readyTimeoutS has passed. */
  private async awaited<T>(done: Promise<[T, ...unknown[]]>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FaasbenchError('ServiceUnavailable', `provider gcp-functions: ${what}: the operation was not done after ${this.options.readyTimeoutS} s (option readyTimeoutS)`)), this.options.readyTimeoutS * 1000);
    });
    try {
      const [result] = await Promise.race([done, timeout]);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  private connect(): Promise<Connected> {
    this.connected ??= this.connectNow();
    return this.connected;
  }

  private async connectNow(): Promise<Connected> {
    const google = new GoogleAuth({ scopes: SCOPES });
    const auth = this.transport.authClient ?? (await google.getClient());
    const project = this.options.project ?? (await google.getProjectId().catch(() => null));
    if (!project) throw new FaasbenchError('InvalidParameterValue', 'provider gcp-functions: option "project" is not set and Application Default Credentials name no project (gcloud config set project, or GOOGLE_CLOUD_PROJECT)');
    const client = new functions.v2.FunctionServiceClient({ fallback: true, authClient: auth, ...endpointOf(this.options.endpoint) });
    return { client, auth, parent: `projects/${project}/locations/${this.options.region}` };
  }

  private async control<T>(what: string, run: (c: Connected) => Promise<T>): Promise<T> {
    try {
      return await run(await this.connect());
    } catch (err) {
      throw googleError(what, err);
    }
  }
}

interface IamPolicy {
  bindings?: Array<{ role?: string; members?: string[] }>;
  etag?: string;
}

/** The client's address settings for an endpoint option (http://127.0.0.1:8080, https://host). */
function endpointOf(endpoint: string | undefined): { apiEndpoint?: string; port?: number; protocol?: string } {
  if (!endpoint) return {};
  const url = new URL(endpoint);
  const https = url.protocol === 'https:';
  return { apiEndpoint: url.hostname, port: Number(url.port) || (https ? 443 : 80), protocol: https ? 'https' : 'http' };
}

async function putZip(uploadUrl: string, zip: Uint8Array): Promise<void> {
  const res = await request(uploadUrl, { method: 'PUT', body: zip, headers: { 'content-type': 'application/zip' } });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new FaasbenchError('ServiceUnavailable', `uploading the package: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
}

/**
 * The service fields a patch changes, and their update mask. The entry point's variables follow
 * memory and timeout, so the environment is always written: the package's own variables (the
 * patch's, else the current ones) with them.
 */
function changedService(fn: string, current: ServiceConfig, patch: GcpSettingsPatch): { serviceConfig: ServiceConfig; paths: string[] } {
  const env = current.environmentVariables ?? {};
  const own = patch.environment ?? Object.fromEntries(Object.entries(env).filter(([key]) => !ENTRY_POINT_VARIABLE.test(key)));
  const memoryMb = patch.memoryMb ?? (Number(env.FAASBENCH_MEMORY_MB) || mebibytes(current.availableMemory));
  const timeoutS = patch.timeoutS ?? (Number(env.FAASBENCH_TIMEOUT_S) || Number(current.timeoutSeconds ?? 60));
  const serviceConfig: ServiceConfig = { environmentVariables: { ...own, ...entryPointEnvironment(fn, memoryMb, timeoutS) } };
  const paths = ['serviceConfig.environmentVariables'];
  if (patch.memoryMb !== undefined) {
    serviceConfig.availableMemory = `${patch.memoryMb}Mi`;
    paths.push('serviceConfig.availableMemory');
  }
  if (patch.timeoutS !== undefined) {
    serviceConfig.timeoutSeconds = Math.ceil(patch.timeoutS);
    paths.push('serviceConfig.timeoutSeconds');
  }
  if (patch.maxInstances !== undefined) {
    serviceConfig.maxInstanceCount = patch.maxInstances;
    paths.push('serviceConfig.maxInstanceCount');
  }
  if (patch.concurrency !== undefined) {
    serviceConfig.maxInstanceRequestConcurrency = patch.concurrency;
    paths.push('serviceConfig.maxInstanceRequestConcurrency');
  }
  return { serviceConfig, paths };
}

/** Cloud Functions' memory strings (256M, 256Mi, 1G, 1Gi) in MiB; 256 (its default) when absent. */
function mebibytes(memory: string | null | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(k|M|G|Mi|Gi)?$/.exec(memory ?? '');
  if (!match) return 256;
  const bytes = { k: 1e3, M: 1e6, G: 1e9, Mi: 2 ** 20, Gi: 2 ** 30 }[match[2] ?? 'Mi'] ?? 2 ** 20;
  return Math.round((Number(match[1]) * bytes) / 2 ** 20);
}

/**
 * The client's errors carry a google.rpc.Code (5 NOT_FOUND) when decoded from gRPC or an
 * operation, and the HTTP status (404) when its REST transport fails the request itself.
 */
const CODE_OF_ERROR: Record<number, ErrorCode> = {
  3: 'InvalidParameterValue',
  5: 'ResourceNotFound',
  6: 'ResourceConflict',
  7: 'Unauthorized',
  8: 'TooManyRequests',
  9: 'InvalidParameterValue',
  16: 'Unauthorized',
  400: 'InvalidParameterValue',
  401: 'Unauthorized',
  403: 'Unauthorized',
  404: 'ResourceNotFound',
  409: 'ResourceConflict',
  429: 'TooManyRequests',
};

function codeOf(err: unknown): ErrorCode {
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'number' ? CODE_OF_ERROR[code] : undefined) ?? 'ServiceUnavailable';
}

/** Google's `{"error": {"message"}}` body when the error's message is one, else the message. */
function messageOf(err: unknown): string {
  const text = String((err as { message?: unknown }).message ?? err);
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown; status?: unknown } };
    if (typeof parsed.error?.message === 'string') return `${String(parsed.error.status ?? 'error')}: ${parsed.error.message}`;
  } catch {
    // not JSON: the message as it is
  }
  return text;
}

function googleError(what: string, err: unknown): FaasbenchError {
  if (err instanceof FaasbenchError) return new FaasbenchError(err.code, err.message.startsWith('provider ') ? err.message : `provider gcp-functions: ${what}: ${err.message}`, { cause: err });
  return new FaasbenchError(codeOf(err), `provider gcp-functions: ${what}: ${messageOf(err)}`, { cause: err });
}
