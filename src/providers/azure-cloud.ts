/**
 * The azure-functions provider's Azure backend, through Microsoft's official clients. On first use
 * it creates what SeBS creates: a resource group and a storage account the Function Apps share
 * (`@azure/arm-resources`, `@azure/arm-storage`); each function is then a Function App of its own
 * (`@azure/arm-appservice`): Linux Consumption (no plan named: Azure puts the app on its dynamic
 * plan) or Flex Consumption (an FC1 plan per app, its package in a blob container of the shared
 * account). The package goes up through Kudu's zip deployment (`/api/zipdeploy`; Flex's One Deploy
 * `/api/publish`) with a remote build, so npm or pip installs the dependencies where they run; the
 * deploy waits until Kudu says it succeeded and the function has a key.
 *
 * Credentials are DefaultAzureCredential's chain (environment, workload or managed identity, az
 * login...) unless code passes one. A token or a key is kept in memory only, and sent only over
 * https (or to a loopback address, which the contract tests use).
 */
import type { TokenCredential } from '@azure/identity';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { StorageManagementClient } from '@azure/arm-storage';
import type { WebSiteManagementClient, Site } from '@azure/arm-appservice';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../core/clock.ts';
import { FaasbenchError, type ErrorCode } from '../core/errors.ts';
import type { AzureBackend, AppSettingsPatch, FunctionEndpoint } from './azure-backend.ts';
import { appName, fillApp, runtimeStack, storageAccountName, type AzureOptions } from './azure-options.ts';
import type { AzurePackage } from './azure-package.ts';
import { createDispatcher, send, type ConnectionPool } from './http-client.ts';

const ARM_SCOPE = 'https://management.azure.com/.default';
/** Kudu's deployment status codes (DeployStatus): 3 failed, 4 succeeded. */
const KUDU_FAILED = 3;
const KUDU_SUCCEEDED = 4;

interface Clients {
  readonly resources: ResourceManagementClient;
  readonly storage: StorageManagementClient;
  readonly web: WebSiteManagementClient;
}

export class AzureCloudBackend implements AzureBackend {
  /** The storage account's connection string once the shared resources exist (one creation per provider). */
  #shared: Promise<string> | null = null;
  readonly #kudu: ConnectionPool;

  private constructor(
    private readonly o: AzureOptions,
    private readonly subscription: string,
    private readonly credential: TokenCredential,
    private readonly clients: Clients,
  ) {
    this.#kudu = createDispatcher(null, { timeoutMs: o.readyTimeoutS * 1000 });
  }

  static async create(o: AzureOptions): Promise<AzureCloudBackend> {
    const subscription = o.subscription ?? process.env.AZURE_SUBSCRIPTION_ID;
    if (!subscription) throw new FaasbenchError('InvalidParameterValue', 'provider azure-functions: option "subscription" (or AZURE_SUBSCRIPTION_ID) is required: the subscription id the Function Apps go in');
    const credential = o.credential ?? new (await import('@azure/identity')).DefaultAzureCredential();
    const [{ ResourceManagementClient }, { StorageManagementClient }, { WebSiteManagementClient }] = await Promise.all([import('@azure/arm-resources'), import('@azure/arm-storage'), import('@azure/arm-appservice')]);
    const options = clientOptions(o.endpoint);
    const clients = {
      resources: new ResourceManagementClient(credential, subscription, options),
      storage: new StorageManagementClient(credential, subscription, options),
      web: new WebSiteManagementClient(credential, subscription, options),
    };
    return new AzureCloudBackend(o, subscription, credential, clients);
  }

  async deploy(pkg: AzurePackage, settings: Record<string, string>): Promise<FunctionEndpoint> {
    const fn = pkg.manifest.name;
    const app = this.#app(fn);
    const what = `deploy ${fn}`;
    const connection = await this.#sharedResources(what);
    const stack = runtimeStack(this.o, pkg.manifest.runtime);
    const base = this.o.plan === 'flex' ? { AzureWebJobsStorage: connection, DEPLOYMENT_STORAGE_CONNECTION_STRING: connection } : consumptionSettings(connection, stack.name);
    await arm(what, async () => {
      const site = this.o.plan === 'flex' ? await this.#flexSite(app, stack, Number(settings.FAASBENCH_MEMORY_MB)) : consumptionSite(this.o.region, stack, base);
      await this.clients.web.webApps.beginCreateOrUpdateAndWait(this.o.resourceGroup, app, site);
      await this.clients.web.webApps.updateApplicationSettings(this.o.resourceGroup, app, { properties: { ...base, ...settings } });
    });
    await this.#zipDeploy(what, app, pkg.zip);
    return this.#whenKeyed(what, fn);
  }

  async endpoint(fn: string): Promise<FunctionEndpoint | null> {
    return arm(`invoke ${fn}`, async () => {
      try {
        // Azure answers a flat {"default": "<key>"}, not the StringDictionary the client's model
        // expects (azure-rest-api-specs#11401), so the key is read from the raw body.
        let raw: unknown;
        const keys = await this.clients.web.webApps.listFunctionKeys(this.o.resourceGroup, this.#app(fn), fn, { onResponse: (response) => (raw = response.parsedBody) });
        const key = keyIn(keys.properties) ?? keyIn(raw);
        return key === undefined ? null : { url: `${fillApp(this.o.functionsUrl, this.#app(fn))}/api/${encodeURIComponent(fn)}`, key };
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    });
  }

  async updateSettings(fn: string, patch: AppSettingsPatch): Promise<FunctionEndpoint> {
    const app = this.#app(fn);
    await arm(`update ${fn}`, async () => {
      const current = await this.clients.web.webApps.listApplicationSettings(this.o.resourceGroup, app);
      await this.clients.web.webApps.updateApplicationSettings(this.o.resourceGroup, app, { properties: patch(current.properties ?? {}) });
    });
    const endpoint = await this.endpoint(fn);
    if (!endpoint) throw new FaasbenchError('ResourceNotFound', `provider azure-functions: update ${fn}: the Function App ${app} has no function ${fn}`);
    return endpoint;
  }

  /** Flex Consumption's instance memory, changed on the site's functionAppConfig. */
  async updateMemory(fn: string, memoryMb: number): Promise<void> {
    const app = this.#app(fn);
    await arm(`update ${fn}`, async () => {
      const site = await this.clients.web.webApps.get(this.o.resourceGroup, app);
      const config = site.functionAppConfig ?? {};
      const functionAppConfig = { ...config, scaleAndConcurrency: { ...config.scaleAndConcurrency, instanceMemoryMB: memoryMb } };
      await this.clients.web.webApps.beginCreateOrUpdateAndWait(this.o.resourceGroup, app, { location: site.location, kind: site.kind, serverFarmId: site.serverFarmId, functionAppConfig });
    });
  }

  async remove(fn: string): Promise<void> {
    const app = this.#app(fn);
    await arm(`remove ${fn}`, async () => {
      await this.clients.web.webApps.get(this.o.resourceGroup, app);
      await this.clients.web.webApps.delete(this.o.resourceGroup, app, { deleteEmptyServerFarm: true });
    });
  }

  async close(): Promise<void> {
    await this.#kudu.close();
  }

  #app(fn: string): string {
    return appName(this.o, this.subscription, fn);
  }

  /** The resource group and storage account, made once; the account's connection string. */
  #sharedResources(what: string): Promise<string> {
    this.#shared ??= arm(what, async () => {
      const { resourceGroup: group, region: location } = this.o;
      const account = storageAccountName(this.o, this.subscription);
      await this.clients.resources.resourceGroups.createOrUpdate(group, { location });
      await this.clients.storage.storageAccounts.beginCreateAndWait(group, account, {
        location,
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
      });
      const { keys } = await this.clients.storage.storageAccounts.listKeys(group, account);
      const key = keys?.[0]?.value;
      if (!key) throw new FaasbenchError('ServiceUnavailable', `provider azure-functions: ${what}: storage account ${account} listed no key`);
      return `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key};EndpointSuffix=core.windows.net`;
    }).catch((err: unknown) => {
      this.#shared = null;
      throw err;
    });
    return this.#shared;
  }

  /** Flex: the app's package container and FC1 plan, then the site naming both. */
  async #flexSite(app: string, stack: { name: 'node' | 'python'; version: string }, memoryMb: number): Promise<Site> {
    const { resourceGroup: group, region: location } = this.o;
    const account = storageAccountName(this.o, this.subscription);
    const container = `app-package-${app}`.slice(0, 63);
    await this.clients.storage.blobContainers.create(group, account, container, {});
    const plan = await this.clients.web.appServicePlans.beginCreateOrUpdateAndWait(group, `${app}-plan`, { location, kind: 'functionapp', sku: { name: 'FC1', tier: 'FlexConsumption' }, reserved: true });
    return {
      location,
      kind: 'functionapp,linux',
      serverFarmId: plan.id,
      functionAppConfig: {
        deployment: { storage: { type: 'blobContainer', value: `https://${account}.blob.core.windows.net/${container}`, authentication: { type: 'StorageAccountConnectionString', storageAccountConnectionStringName: 'DEPLOYMENT_STORAGE_CONNECTION_STRING' } } },
        runtime: { name: stack.name, version: stack.version },
        scaleAndConcurrency: { instanceMemoryMB: memoryMb, maximumInstanceCount: 100 },
      },
    };
  }

  /** Uploads the zip to Kudu and waits for its deployment to succeed, polling its status. */
  async #zipDeploy(what: string, app: string, zip: Uint8Array): Promise<void> {
    const scm = fillApp(this.o.scmUrl, app);
    const route = this.o.plan === 'flex' ? '/api/publish?RemoteBuild=true&Deployer=faasbench' : '/api/zipdeploy?isAsync=true&Deployer=faasbench';
    const headers = { authorization: await this.#bearer(scm, what), 'content-type': 'application/zip' };
    const reply = await this.#kuduSend(what, { method: 'POST', url: new URL(`${scm}${route}`), headers, body: Buffer.from(zip) });
    if (reply.status >= 300) throw new FaasbenchError(codeOf(reply.status), `provider azure-functions: ${what}: Kudu refused the package: HTTP ${reply.status}: ${reply.body.toString('utf8').slice(0, 500)}`);
    const location = reply.headers.location;
    const statusUrl = new URL(typeof location === 'string' ? location : `${scm}/api/deployments/latest`);
    await this.#untilDeployed(what, scm, statusUrl);
  }

  async #untilDeployed(what: string, scm: string, url: URL): Promise<void> {
    const deadline = monotonicMs() + this.o.readyTimeoutS * 1000;
    for (;;) {
      const reply = await this.#kuduSend(what, { method: 'GET', url, headers: { authorization: await this.#bearer(scm, what) } });
      const status = reply.status === 200 ? (JSON.parse(reply.body.toString('utf8')) as { status?: number; complete?: boolean; status_text?: string }) : {};
      if (status.status === KUDU_SUCCEEDED) return;
      if (status.status === KUDU_FAILED) throw new FaasbenchError('ServiceUnavailable', `provider azure-functions: ${what}: the deployment failed (${status.status_text ?? 'see the deployment log in Kudu'})`);
      if (monotonicMs() > deadline) throw new FaasbenchError('ServiceUnavailable', `provider azure-functions: ${what}: the deployment did not finish within ${this.o.readyTimeoutS} s`);
      await sleep(pollMs(scm));
    }
  }

  /** The function's key, once the host has indexed the deployed package (a 404 until then). */
  async #whenKeyed(what: string, fn: string): Promise<FunctionEndpoint> {
    const deadline = monotonicMs() + this.o.readyTimeoutS * 1000;
    for (;;) {
      const endpoint = await this.endpoint(fn);
      if (endpoint) return endpoint;
      if (monotonicMs() > deadline) throw new FaasbenchError('ServiceUnavailable', `provider azure-functions: ${what}: the Function App has no function ${fn} ${this.o.readyTimeoutS} s after its deployment`);
      await sleep(pollMs(fillApp(this.o.scmUrl, this.#app(fn))));
    }
  }

  async #bearer(url: string, what: string): Promise<string> {
    if (!secureOrLoopback(url)) throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: ${what}: option "scmUrl": a token goes only to https:// or a loopback address, not ${new URL(url).origin}`);
    const token = await arm(what, () => this.credential.getToken(ARM_SCOPE));
    if (!token) throw new FaasbenchError('Unauthorized', `provider azure-functions: ${what}: the credential gave no token for ${ARM_SCOPE}`);
    return `Bearer ${token.token}`;
  }

  async #kuduSend(what: string, request: Parameters<typeof send>[1]): Promise<Awaited<ReturnType<typeof send>>> {
    try {
      return await send(this.#kudu, request);
    } catch (err) {
      throw new FaasbenchError('ServiceUnavailable', `provider azure-functions: ${what}: no response from ${request.url.origin}`, { cause: err });
    }
  }
}

/** Linux Consumption: no serverFarmId, so Azure places the app on its region's dynamic plan. */
function consumptionSite(location: string, stack: { name: string; version: string }, settings: Record<string, string>): Site {
  return {
    location,
    kind: 'functionapp,linux',
    reserved: true,
    siteConfig: { linuxFxVersion: `${stack.name === 'node' ? 'Node' : 'Python'}|${stack.version}`, appSettings: Object.entries(settings).map(([name, value]) => ({ name, value })) },
  };
}

function consumptionSettings(connection: string, worker: string): Record<string, string> {
  return { AzureWebJobsStorage: connection, FUNCTIONS_EXTENSION_VERSION: '~4', FUNCTIONS_WORKER_RUNTIME: worker, SCM_DO_BUILD_DURING_DEPLOYMENT: 'true', ENABLE_ORYX_BUILD: 'true' };
}

/** Polls every 5 s against Azure; a loopback stand-in answers at once, so 20 ms. */
function pollMs(url: string): number {
  return isLoopback(url) ? 20 : 5000;
}

function isLoopback(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

function secureOrLoopback(url: string): boolean {
  return new URL(url).protocol === 'https:' || isLoopback(url);
}

/**
 * The ARM clients' options for `endpoint`. Their bearer-token policy sends tokens to https URLs
 * only; a loopback http endpoint is handed to them as https and turned back into http after that
 * policy, so a recorder on this machine can stand in for ARM.
 */
function clientOptions(endpoint: string | undefined): Record<string, unknown> {
  if (endpoint === undefined) return {};
  if (!endpoint.startsWith('http://') || !isLoopback(endpoint)) return { endpoint };
  const secured = endpoint.replace(/^http:/, 'https:');
  const back: PipelinePolicy = {
    name: 'faasbenchLoopbackHttp',
    sendRequest: (request, next) => {
      if (request.url.startsWith(secured)) {
        request.url = `http:${request.url.slice('https:'.length)}`;
        request.allowInsecureConnection = true;
      }
      return next(request);
    },
  };
  return { endpoint: secured, additionalPolicies: [{ policy: back, position: 'perRetry' }], retryOptions: { maxRetries: 0 } };
}

/** The `default` key of a function's keys, else its first. */
function keyIn(keys: unknown): string | undefined {
  if (keys === null || typeof keys !== 'object') return undefined;
  const strings = Object.entries(keys).filter((e): e is [string, string] => typeof e[1] === 'string' && !['id', 'name', 'type', 'kind'].includes(e[0]));
  return strings.find(([name]) => name === 'default')?.[1] ?? strings[0]?.[1];
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeOf(status: number | undefined): ErrorCode {
  if (status === 404) return 'ResourceNotFound';
  if (status === 401 || status === 403) return 'Unauthorized';
  if (status === 409) return 'ResourceConflict';
  if (status === 429) return 'TooManyRequests';
  if (status !== undefined && status >= 400 && status < 500) return 'InvalidParameterValue';
  return 'ServiceUnavailable';
}

/** Runs control-plane calls, turning an SDK or credential failure into the error the caller sees. */
async function arm<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof FaasbenchError) throw err;
    const e = err as { name?: string; message?: string };
    if (e?.name === 'CredentialUnavailableError' || e?.name === 'AggregateAuthenticationError') {
      throw new FaasbenchError('Unauthorized', `provider azure-functions: ${what}: no Azure credentials (DefaultAzureCredential tried the environment, workload and managed identity, and az login): ${e.message}`, { cause: err });
    }
    const status = statusOf(err);
    throw new FaasbenchError(codeOf(status), `provider azure-functions: ${what}: ${status !== undefined ? `HTTP ${status}: ` : ''}${e?.message ?? String(err)}`, { cause: err });
  }
}
