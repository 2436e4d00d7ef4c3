// LIVE: the azure-functions provider against Azure itself. It runs only when FAASBENCH_LIVE names
// azure (FAASBENCH_LIVE=azure or gcp,azure), a subscription is given and DefaultAzureCredential has
// something to use (AZURE_CLIENT_ID with a secret, certificate or federated token, az login's
// profile, or a managed identity); otherwise every test here is reported as skipped, with the reason
// in the suite's name. It creates the resource group faasbench-live-<hex> with a storage account
// and Function Apps in it, and deletes the group at the end; a run takes ten minutes or more (each
// deploy is a remote build) and bills a few cents.
//
//   az login
//   FAASBENCH_LIVE=azure AZURE_SUBSCRIPTION_ID=<id> FAASBENCH_AZURE_REGION=westeurope \
//     npx vitest run test/live/azure.live.test.ts
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isFaasbenchError } from '../../src/core/errors.ts';
import { loadFunctionPackage } from '../../src/core/function-package.ts';
import { createAzureFunctionsProvider, type AzureFunctionsProvider } from '../../src/providers/azure-functions.ts';
import { REPO, writeFunction } from '../support/platform.ts';

/** Why the suite cannot run here, or null when it can. */
function skipReason(): string | null {
  const live = (process.env.FAASBENCH_LIVE ?? '').split(',').map((s) => s.trim());
  if (!live.includes('azure')) return 'FAASBENCH_LIVE does not include azure';
  if (!process.env.AZURE_SUBSCRIPTION_ID) return 'no subscription (set AZURE_SUBSCRIPTION_ID)';
  const env = process.env;
  const servicePrincipal = env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && (env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH || env.AZURE_FEDERATED_TOKEN_FILE);
  const managedIdentity = env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT;
  const azLogin = existsSync(path.join(env.AZURE_CONFIG_DIR ?? path.join(os.homedir(), '.azure'), 'azureProfile.json'));
  if (!servicePrincipal && !managedIdentity && !azLogin) return 'no Azure credentials for DefaultAzureCredential (az login, AZURE_CLIENT_ID with a secret, certificate or federated token, or a managed identity)';
  return null;
}

const reason = skipReason();
const group = `faasbench-live-${randomBytes(3).toString('hex')}`;
const options = { subscription: process.env.AZURE_SUBSCRIPTION_ID, region: process.env.FAASBENCH_AZURE_REGION ?? 'eastus', resourceGroup: group };
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

if (reason === null) vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 1_800_000 });

describe.skipIf(reason !== null)(`azure-functions on Azure (live)${reason ? `: skipped, ${reason}` : ''}`, () => {
  let consumption: AzureFunctionsProvider;
  let flex: AzureFunctionsProvider;

  beforeAll(async () => {
    consumption = await createAzureFunctionsProvider(options);
    flex = await createAzureFunctionsProvider({ ...options, plan: 'flex' });
  });
  afterAll(async () => {
    await consumption?.close();
    await flex?.close();
    // Everything the suite made is in its own resource group.
    const { ResourceManagementClient } = await import('@azure/arm-resources');
    const { DefaultAzureCredential } = await import('@azure/identity');
    if (reason === null) await new ResourceManagementClient(new DefaultAzureCredential(), options.subscription!).resourceGroups.beginDeleteAndWait(group).catch(() => undefined);
  });

  it('Consumption: deploys hello, calls it cold then warm with the facts of the entry point, billed at 100 ms at least', async () => {
    await consumption.deploy(loadFunctionPackage(path.join(REPO, 'functions/hello')));
    const cold = await consumption.invoke('hello', json({ name: 'azure' }));
    expect([cold.status, cold.httpStatus]).toEqual(['ok', 200]);
    expect(JSON.parse(cold.payload.toString('utf8'))).toEqual({ message: 'hello azure', runtime: 'nodejs', event: { name: 'azure' } });
    const warm = await consumption.invoke('hello', json({ name: 'again' }));
    expect([cold.facts.cold, warm.facts.cold]).toEqual([true, false]);
    expect(warm.facts.instanceId).toBe(cold.facts.instanceId);
    for (const facts of [cold.facts, warm.facts]) {
      expect(facts.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(facts.memoryMb).toBe(1536);
      expect(facts.billedMs).toBeGreaterThanOrEqual(100);
    }
  });

  it('Consumption: an environment update restarts the app with it; memory is refused', async () => {
    await consumption.updateConfiguration('hello', { environment: { EXTRA: '1' } });
    expect((await consumption.invoke('hello', json({}))).status).toBe('ok');
    await expect(consumption.updateConfiguration('hello', { memoryMb: 2048 })).rejects.toThrow('the Consumption plan has no memory setting');
  });

  it('reports a function error with its type', async () => {
    const dir = writeFunction({ name: 'failing', runtime: 'nodejs', handler: 'index.handler' }, { 'index.mjs': "export const handler = async () => { throw new TypeError('live failure'); };\n" });
    await consumption.deploy(loadFunctionPackage(dir));
    const r = await consumption.invoke('failing', json({}));
    expect([r.status, r.httpStatus, r.errorClass]).toEqual(['function-error', 500, 'TypeError']);
    await consumption.remove('failing');
  });

  it('Flex Consumption: deploys with 512 MB instances and changes them to 2048 MB', async () => {
    await flex.deploy(loadFunctionPackage(path.join(REPO, 'functions/lab-node')), { memoryMb: 512 });
    expect((await flex.invoke('lab-node', json({}))).facts.memoryMb).toBe(512);
    await flex.updateConfiguration('lab-node', { memoryMb: 2048 });
    const after = await flex.invoke('lab-node', json({}));
    expect([after.status, after.facts.memoryMb, after.facts.cold]).toEqual(['ok', 2048, true]);
    await flex.remove('lab-node');
  });

  it('removes a function: calls are then rejected and a second remove is ResourceNotFound', async () => {
    await consumption.remove('hello');
    const err = await consumption.remove('hello').catch((e: unknown) => e);
    expect(isFaasbenchError(err, 'ResourceNotFound')).toBe(true);
  });
});
