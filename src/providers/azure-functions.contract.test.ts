// CONTRACT TESTS (no Azure here): the requests Microsoft's clients and the provider's Kudu calls send
// for deploy, update and remove, recorded by a loopback server standing in for Azure Resource Manager,
// Kudu and the function's host, and checked against the documented REST API (method, path,
// api-version, body fields): https://learn.microsoft.com/rest/api/resources/resource-groups/create-or-update,
// .../rest/api/storagerp/storage-accounts/create, .../storage-accounts/list-keys,
// .../rest/api/storagerp/blob-containers/create, .../rest/api/appservice/web-apps/create-or-update,
// .../web-apps/update-application-settings, .../web-apps/list-application-settings,
// .../web-apps/list-function-keys, .../web-apps/delete, .../rest/api/appservice/app-service-plans/create-or-update,
// and Kudu's https://github.com/projectkudu/kudu/wiki/Deploying-from-a-zip-file-or-url (POST /api/zipdeploy,
// Flex's POST /api/publish). The live suite (test/live/azure.live.test.ts) runs the same against Azure.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import { REPO } from '../../test/support/platform.ts';
import { createAzureFunctionsProvider, type AzureFunctionsProvider } from './azure-functions.ts';
import { appName, azureSchema, storageAccountName } from './azure-options.ts';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly apiVersion: string | null;
  readonly query: Record<string, string>;
  readonly authorization: string | null;
  readonly functionsKey: string | null;
  readonly contentType: string | null;
  readonly body: Buffer;
}

const TOKEN = 'contract-token';
const credential = { getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) };
const SUB = '00000000-0000-0000-0000-00000000c0de';
const RG = 'faasbench-contract';
const REGION = 'westeurope';
const FUNCTION_KEY = 'contract-function-key';

/** A stand-in for ARM, Kudu and the app: answers as the documented API does, keeps every request. */
class Recorder {
  readonly requests: Recorded[] = [];
  readonly settings = new Map<string, Record<string, string>>();
  readonly sites = new Map<string, Record<string, unknown>>();
  server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const header = (name: string): string | null => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null);
    const recorded: Recorded = {
      method: req.method ?? '',
      path: url.pathname,
      apiVersion: url.searchParams.get('api-version'),
      query: Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'api-version')),
      authorization: header('authorization'),
      functionsKey: header('x-functions-key'),
      contentType: header('content-type'),
      body: Buffer.concat(chunks),
    };
    this.requests.push(recorded);
    const [status, body, headers] = this.route(recorded);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
  }

  private route(r: Recorded): [number, unknown, Record<string, string>?] {
    const site = /\/providers\/Microsoft\.Web\/sites\/([^/]+)(\/.*)?$/.exec(r.path);
    if (r.path.startsWith('/kudu/')) return this.kudu(r);
    if (r.path.startsWith('/fn/')) {
      if (r.functionsKey !== FUNCTION_KEY) return [401, undefined];
      return [200, { ok: true }, { 'x-faasbench-request-id': 'invocation-1', 'x-faasbench-cold': 'true', 'x-faasbench-instance-id': 'instance-1', 'x-faasbench-duration-ms': '12.5', 'x-faasbench-memory-mb': '1536', 'x-faasbench-init-ms': '40.0', 'x-faasbench-max-memory-mb': '70' }];
    }
    if (site) return this.web(r, site[1]!, site[2] ?? '');
    if (r.path.endsWith('/listKeys')) return [200, { keys: [{ keyName: 'key1', value: 'c3RvcmFnZS1rZXk=', permissions: 'FULL' }] }];
    if (r.method === 'PUT') return [200, { id: r.path, name: r.path.split('/').at(-1), location: REGION, ...JSON.parse(r.body.toString('utf8') || '{}'), properties: { ...JSON.parse(r.body.toString('utf8') || '{}').properties, provisioningState: 'Succeeded' } }];
    return [404, { error: { code: 'NotFound', message: `no route ${r.method} ${r.path}` } }];
  }

  private web(r: Recorded, app: string, rest: string): [number, unknown, Record<string, string>?] {
    const known = this.sites.get(app);
    if (rest === '' && r.method === 'PUT') {
      const body = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
      this.sites.set(app, body);
      return [200, { id: r.path, name: app, ...body, properties: { ...(body.properties as object), state: 'Running', defaultHostName: `${app}.azurewebsites.net` } }];
    }
    if (!known) return [404, { error: { code: 'ResourceNotFound', message: `The Resource 'Microsoft.Web/sites/${app}' under resource group '${RG}' was not found.` } }];
    if (rest === '' && r.method === 'GET') return [200, { id: r.path, name: app, ...known }];
    if (rest === '' && r.method === 'DELETE') {
      this.sites.delete(app);
      return [200, undefined];
    }
    if (rest === '/config/appsettings' && r.method === 'PUT') {
      this.settings.set(app, (JSON.parse(r.body.toString('utf8')) as { properties: Record<string, string> }).properties);
      return [200, { name: 'appsettings', properties: this.settings.get(app) }];
    }
    if (rest === '/config/appsettings/list') return [200, { name: 'appsettings', properties: this.settings.get(app) ?? {} }];
    // Azure's real answer is flat, not the StringDictionary its spec says.
    if (/^\/functions\/[^/]+\/listkeys$/i.test(rest)) return [200, { default: FUNCTION_KEY }];
    return [404, { error: { code: 'NotFound', message: rest } }];
  }

  private kudu(r: Recorded): [number, unknown, Record<string, string>?] {
    const [, , app, ...rest] = r.path.split('/');
    if (r.authorization !== `Bearer ${TOKEN}`) return [401, undefined];
    if (r.method === 'POST') return [202, undefined, { location: `${this.url}/kudu/${app}/api/deployments/latest` }];
    if (rest.join('/') === 'api/deployments/latest') return [200, { id: 'latest', status: 4, complete: true, status_text: '' }];
    return [404, undefined];
  }

  reset(): void {
    this.requests.length = 0;
  }
}

/** What the test compares: the request without its raw body. */
const line = (r: Recorded): string => `${r.method} ${r.path}`;
const json = (r: Recorded): Record<string, unknown> => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

describe('CONTRACT azure-functions: requests to Azure Resource Manager and Kudu (recorded on loopback, no cloud)', () => {
  const recorder = new Recorder();
  let provider: AzureFunctionsProvider;
  let flex: AzureFunctionsProvider;
  const o = azureSchema.parse({ resourceGroup: RG, region: REGION });
  const app = appName(o, SUB, 'hello');
  const account = storageAccountName(o, SUB);
  const arm = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;
  const hello = loadFunctionPackage(path.join(REPO, 'functions/hello'));

  beforeAll(async () => {
    await recorder.start();
    const common = { subscription: SUB, resourceGroup: RG, region: REGION, endpoint: recorder.url, scmUrl: `${recorder.url}/kudu/{app}`, functionsUrl: `${recorder.url}/fn/{app}`, credential };
    provider = await createAzureFunctionsProvider(common);
    flex = await createAzureFunctionsProvider({ ...common, plan: 'flex', runtimes: { nodejs: '22' } });
  });
  afterAll(async () => {
    await provider?.close();
    await flex?.close();
    await new Promise((resolve) => recorder.server.close(resolve));
  });
  beforeEach(() => recorder.reset());

  it('deploy on Consumption: resource group, storage account and its keys, site, app settings, zip deploy, function key', async () => {
    await provider.deploy(hello, { environment: { GREETING: 'hi' } });
    expect(recorder.requests.map(line)).toEqual([
      `PUT /subscriptions/${SUB}/resourcegroups/${RG}`,
      `PUT ${arm}/Microsoft.Storage/storageAccounts/${account}`,
      `POST ${arm}/Microsoft.Storage/storageAccounts/${account}/listKeys`,
      `PUT ${arm}/Microsoft.Web/sites/${app}`,
      `PUT ${arm}/Microsoft.Web/sites/${app}/config/appsettings`,
      `POST /kudu/${app}/api/zipdeploy`,
      `GET /kudu/${app}/api/deployments/latest`,
      `POST ${arm}/Microsoft.Web/sites/${app}/functions/hello/listkeys`,
    ]);
    const [group, storage, , site, settings, zip] = recorder.requests as [Recorded, Recorded, Recorded, Recorded, Recorded, Recorded];
    expect(recorder.requests.filter((r) => r.path.startsWith('/subscriptions')).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(json(group)).toEqual({ location: REGION });
    expect(json(storage)).toEqual({ location: REGION, kind: 'StorageV2', sku: { name: 'Standard_LRS' }, properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false } });
    const siteBody = json(site) as { location: string; kind: string; properties: { reserved: boolean; serverFarmId?: string; siteConfig: { linuxFxVersion: string; appSettings: Array<{ name: string; value: string }> } } };
    expect([siteBody.location, siteBody.kind, siteBody.properties.reserved, siteBody.properties.serverFarmId]).toEqual([REGION, 'functionapp,linux', true, undefined]);
    expect(siteBody.properties.siteConfig.linuxFxVersion).toBe('Node|20');
    expect(siteBody.properties.siteConfig.appSettings.map((s) => s.name)).toEqual(['AzureWebJobsStorage', 'FUNCTIONS_EXTENSION_VERSION', 'FUNCTIONS_WORKER_RUNTIME', 'SCM_DO_BUILD_DURING_DEPLOYMENT', 'ENABLE_ORYX_BUILD']);
    const appSettings = (json(settings) as { properties: Record<string, string> }).properties;
    expect({ ...appSettings, AzureWebJobsStorage: appSettings.AzureWebJobsStorage?.replace(/AccountKey=[^;]+/, 'AccountKey=<key>') }).toEqual({
      AzureWebJobsStorage: `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=<key>;EndpointSuffix=core.windows.net`,
      FUNCTIONS_EXTENSION_VERSION: '~4',
      FUNCTIONS_WORKER_RUNTIME: 'node',
      SCM_DO_BUILD_DURING_DEPLOYMENT: 'true',
      ENABLE_ORYX_BUILD: 'true',
      GREETING: 'hi',
      FAASBENCH_MEMORY_MB: '1536',
      FAASBENCH_TIMEOUT_S: '3',
      FAASBENCH_ENVIRONMENT_KEYS: 'GREETING',
    });
    expect([zip.query, zip.contentType, zip.authorization, zip.body.subarray(0, 2).toString('latin1')]).toEqual([{ isAsync: 'true', Deployer: 'faasbench' }, 'application/zip', `Bearer ${TOKEN}`, 'PK']);
    // The API versions the pinned clients speak: Microsoft.Resources 2025-04-01, Microsoft.Storage 2025-08-01, Microsoft.Web 2025-05-01.
    expect(recorder.requests.map((r) => r.apiVersion)).toEqual(['2025-04-01', '2025-08-01', '2025-08-01', '2025-05-01', '2025-05-01', null, null, '2025-05-01']);
  });

  it('invoke: POST to the HTTP trigger with the key as x-functions-key; facts from the entry point, billed as Consumption bills', async () => {
    const r = await provider.invoke('hello', Buffer.from('{"name":"x"}'));
    expect(recorder.requests.map(line)).toEqual([`POST /fn/${app}/api/hello`]);
    expect([recorder.requests[0]!.functionsKey, recorder.requests[0]!.body.toString('utf8')]).toEqual([FUNCTION_KEY, '{"name":"x"}']);
    expect(r).toMatchObject({ status: 'ok', httpStatus: 200, errorClass: null });
    expect(r.facts).toEqual({ requestId: 'invocation-1', instanceId: 'instance-1', cold: true, initMs: 40, durationMs: 12.5, billedMs: 100, memoryMb: 1536, maxMemoryMb: 70 });
  });

  it('update on Consumption: the environment through the app settings (list, then replace); memory is refused before any request', async () => {
    await provider.updateConfiguration('hello', { environment: { OTHER: '1' } });
    expect(recorder.requests.map(line)).toEqual([
      `POST ${arm}/Microsoft.Web/sites/${app}/config/appsettings/list`,
      `PUT ${arm}/Microsoft.Web/sites/${app}/config/appsettings`,
      `POST ${arm}/Microsoft.Web/sites/${app}/functions/hello/listkeys`,
    ]);
    const after = (json(recorder.requests[1]!) as { properties: Record<string, string> }).properties;
    expect([after.GREETING, after.OTHER, after.FAASBENCH_ENVIRONMENT_KEYS, after.FUNCTIONS_WORKER_RUNTIME]).toEqual([undefined, '1', 'OTHER', 'node']);
    recorder.reset();
    await expect(provider.updateConfiguration('hello', { memoryMb: 512 })).rejects.toThrow('provider azure-functions: update hello: field "memoryMb": the Consumption plan has no memory setting (every instance has 1536 MB); deploy with -o plan=flex for 512, 2048, 4096 MB instances');
    await expect(provider.updateConfiguration('hello', { timeoutS: 9 })).rejects.toThrow('a Function App cannot change "timeoutS" in place');
    await expect(provider.deploy(hello, { timeoutS: 601 })).rejects.toThrow('provider azure-functions: deploy hello: field "timeoutS": the Consumption plan stops a call after at most 600 s (host.json\'s functionTimeout), got 601; use -o plan=flex for longer');
    expect(recorder.requests).toEqual([]);
  });

  it('remove: GET the site, then DELETE it with its empty plan; a second remove is ResourceNotFound', async () => {
    await provider.remove('hello');
    expect(recorder.requests.map((r) => `${line(r)} ${JSON.stringify(r.query)}`)).toEqual([`GET ${arm}/Microsoft.Web/sites/${app} {}`, `DELETE ${arm}/Microsoft.Web/sites/${app} {"deleteEmptyServerFarm":"true"}`]);
    const err = await provider.remove('hello').catch((e: unknown) => e);
    expect(isFaasbenchError(err, 'ResourceNotFound')).toBe(true);
    expect(String(err)).toContain(`provider azure-functions: remove hello: HTTP 404`);
    const gone = await provider.invoke('hello', Buffer.from('{}'));
    expect(gone).toMatchObject({ status: 'rejected', httpStatus: 404, errorClass: 'ResourceNotFoundException' });
  });

  it('deploy on Flex Consumption: package container, FC1 plan, site with functionAppConfig, One Deploy publish; memory through instanceMemoryMB', async () => {
    await flex.deploy(hello);
    const flexApp = app;
    expect(recorder.requests.map(line)).toEqual([
      `PUT /subscriptions/${SUB}/resourcegroups/${RG}`,
      `PUT ${arm}/Microsoft.Storage/storageAccounts/${account}`,
      `POST ${arm}/Microsoft.Storage/storageAccounts/${account}/listKeys`,
      `PUT ${arm}/Microsoft.Storage/storageAccounts/${account}/blobServices/default/containers/app-package-${flexApp}`,
      `PUT ${arm}/Microsoft.Web/serverfarms/${flexApp}-plan`,
      `PUT ${arm}/Microsoft.Web/sites/${flexApp}`,
      `PUT ${arm}/Microsoft.Web/sites/${flexApp}/config/appsettings`,
      `POST /kudu/${flexApp}/api/publish`,
      `GET /kudu/${flexApp}/api/deployments/latest`,
      `POST ${arm}/Microsoft.Web/sites/${flexApp}/functions/hello/listkeys`,
    ]);
    const [, , , container, plan, site, settings, publish] = recorder.requests as Recorded[];
    expect(json(container!)).toEqual({});
    expect(json(plan!)).toEqual({ location: REGION, kind: 'functionapp', sku: { name: 'FC1', tier: 'FlexConsumption' }, properties: { reserved: true } });
    expect(json(site!)).toEqual({
      location: REGION,
      kind: 'functionapp,linux',
      properties: {
        serverFarmId: `${arm}/Microsoft.Web/serverfarms/${flexApp}-plan`,
        functionAppConfig: {
          deployment: { storage: { type: 'blobContainer', value: `https://${account}.blob.core.windows.net/app-package-${flexApp}`, authentication: { type: 'StorageAccountConnectionString', storageAccountConnectionStringName: 'DEPLOYMENT_STORAGE_CONNECTION_STRING' } } },
          runtime: { name: 'node', version: '22' },
          scaleAndConcurrency: { instanceMemoryMB: 512, maximumInstanceCount: 100 },
        },
      },
    });
    expect(Object.keys((json(settings!) as { properties: object }).properties).sort()).toEqual(['AzureWebJobsStorage', 'DEPLOYMENT_STORAGE_CONNECTION_STRING', 'FAASBENCH_ENVIRONMENT_KEYS', 'FAASBENCH_MEMORY_MB', 'FAASBENCH_TIMEOUT_S']);
    expect(publish!.query).toEqual({ RemoteBuild: 'true', Deployer: 'faasbench' });

    recorder.reset();
    await flex.updateConfiguration('hello', { memoryMb: 2048 });
    expect(recorder.requests.map(line)).toEqual([
      `GET ${arm}/Microsoft.Web/sites/${flexApp}`,
      `PUT ${arm}/Microsoft.Web/sites/${flexApp}`,
      `POST ${arm}/Microsoft.Web/sites/${flexApp}/config/appsettings/list`,
      `PUT ${arm}/Microsoft.Web/sites/${flexApp}/config/appsettings`,
      `POST ${arm}/Microsoft.Web/sites/${flexApp}/functions/hello/listkeys`,
    ]);
    const memory = json(recorder.requests[1]!) as { properties: { functionAppConfig: { scaleAndConcurrency: { instanceMemoryMB: number } } } };
    expect(memory.properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB).toBe(2048);
    expect((json(recorder.requests[3]!) as { properties: Record<string, string> }).properties.FAASBENCH_MEMORY_MB).toBe('2048');
  });
});
