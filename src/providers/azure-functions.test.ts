// The azure-functions provider in adapter mode: the conformance suite every provider runs, on packages
// loaded through @azure/functions' own registration API in an adapter host process; then what is
// Azure's own (options, plan memory, prices, the generated Python entry point).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadFunctionPackage } from '../core/function-package.ts';
import { billedMsOf, PRICE_TABLES, pricingFor } from '../analysis/pricing.ts';
import { REPO, scratchDir } from '../../test/support/platform.ts';
import { appName, storageAccountName } from './azure-options.ts';
import { createAzureFunctionsProvider, instanceMemoryMb } from './azure-functions.ts';
import { azurePackage, functionTimeout } from './azure-package.ts';
import { providerConformance } from './conformance.ts';
import { azureSchema } from './azure-options.ts';

providerConformance('azure-functions, adapter host', async () => ({ provider: await createAzureFunctionsProvider({ emulator: 'adapter' }) }), {
  workDir: () => scratchDir('conformance'),
  reportsInstanceId: true,
  unreachable: (url) => createAzureFunctionsProvider({ emulator: 'adapter', functionsUrl: url, functionKeys: { 'conformance-hello': 'any-key' } }),
});

const options = (o: Record<string, unknown> = {}) => azureSchema.parse(o);

describe('azure-functions specifics', () => {
  it('names the option that is wrong', async () => {
    await expect(createAzureFunctionsProvider({ plan: 'premium', emulator: 'adapter' })).rejects.toThrow('provider azure-functions: option "plan"');
    await expect(createAzureFunctionsProvider({ runtimes: { nodejs: '18' }, emulator: 'adapter' })).rejects.toThrow('provider azure-functions: option "runtimes.nodejs"');
    await expect(createAzureFunctionsProvider({ appPrefix: 'Bad_Prefix', emulator: 'adapter' })).rejects.toThrow('provider azure-functions: option "appPrefix": expected 1-20 lowercase letters');
    await expect(createAzureFunctionsProvider({ zone: 'x' })).rejects.toThrow('provider azure-functions: unknown option "zone"');
  });

  it('asks for a subscription before anything else on Azure', async () => {
    const saved = process.env.AZURE_SUBSCRIPTION_ID;
    delete process.env.AZURE_SUBSCRIPTION_ID;
    try {
      await expect(createAzureFunctionsProvider({})).rejects.toThrow('provider azure-functions: option "subscription" (or AZURE_SUBSCRIPTION_ID) is required');
    } finally {
      if (saved !== undefined) process.env.AZURE_SUBSCRIPTION_ID = saved;
    }
  });

  it('gives each function an app name Azure accepts, the same every time, and a storage account name', () => {
    const o = options({ resourceGroup: 'bench' });
    expect(appName(o, 'sub-1', 'Lab_Node')).toMatch(/^faasbench-lab-node-[0-9a-f]{8}$/);
    expect(appName(o, 'sub-1', 'Lab_Node')).toBe(appName(o, 'sub-1', 'Lab_Node'));
    expect(appName(o, 'sub-2', 'Lab_Node')).not.toBe(appName(o, 'sub-1', 'Lab_Node'));
    expect(appName(o, 'sub-1', 'x'.repeat(64)).length).toBe(60);
    expect(storageAccountName(o, 'sub-1')).toMatch(/^faasbench[0-9a-f]{15}$/);
    expect(storageAccountName(options({ storageAccount: 'mine123' }), 'sub-1')).toBe('mine123');
  });

  it('gives an instance the memory its plan has: 1.5 GB on Consumption, the next Flex size on Flex', () => {
    expect(instanceMemoryMb(options(), 128, 'f')).toBe(1536);
    expect([128, 512, 513, 2048, 4096].map((mb) => instanceMemoryMb(options({ plan: 'flex' }), mb, 'f'))).toEqual([512, 512, 2048, 2048, 4096]);
    expect(() => instanceMemoryMb(options({ plan: 'flex' }), 4097, 'f')).toThrow('provider azure-functions: f: field "memoryMb": Flex Consumption instances have at most 4096 MB, got 4097');
    expect(instanceMemoryMb(options({ emulator: 'adapter' }), 128, 'f')).toBe(128);
  });

  it('bills Consumption calls at 100 ms at least and prices them from Azure\'s table', () => {
    const consumption = PRICE_TABLES['azure-functions/consumption']!;
    const flex = PRICE_TABLES['azure-functions/flex']!;
    expect([billedMsOf(3.2, consumption), billedMsOf(100.1, consumption), billedMsOf(3.2, flex), billedMsOf(1200.5, flex)]).toEqual([100, 101, 1000, 1201]);
    expect(pricingFor('azure-functions').table).toBe(consumption);
    expect(pricingFor('azure-functions', { priceAs: 'azure-functions/flex' }).table).toBe(flex);
    expect([consumption.usdPerGbSecond, consumption.usdPerMillionRequests, flex.usdPerGbSecond, flex.usdPerMillionRequests]).toEqual([0.000016, 0.2, 0.000026, 0.4]);
  });

  it('writes host.json with the timeout, package.json naming the entry and @azure/functions, and keeps the package\'s own fields', () => {
    expect([functionTimeout(3), functionTimeout(59.5), functionTimeout(3600)]).toEqual(['00:00:03', '00:01:00', '01:00:00']);
    const dir = scratchDir('azure-pkg');
    writeFileSync(path.join(dir, 'function.json'), JSON.stringify({ name: 'pkg', runtime: 'nodejs', handler: 'index.handler', timeoutS: 30 }));
    writeFileSync(path.join(dir, 'index.mjs'), 'export const handler = async () => 1;\n');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'own', type: 'module', dependencies: { leftpad: '1.0.0' } }));
    const files = unzipSync(azurePackage(loadFunctionPackage(dir)).zip);
    expect(Object.keys(files).sort()).toEqual(['faasbench-azure.cjs', 'function.json', 'host.json', 'index.mjs', 'package.json']);
    expect(JSON.parse(strFromU8(files['host.json']!))).toEqual({ version: '2.0', functionTimeout: '00:00:30', extensions: { http: { routePrefix: 'api' } } });
    expect(JSON.parse(strFromU8(files['package.json']!))).toEqual({ name: 'own', type: 'module', main: 'faasbench-azure.cjs', dependencies: { leftpad: '1.0.0', '@azure/functions': '4.16.5' } });
  });

  it('refuses a provided package and a file named as a generated one', () => {
    const dir = scratchDir('azure-refuse');
    writeFileSync(path.join(dir, 'function.json'), JSON.stringify({ name: 'boot', runtime: 'provided', handler: 'x' }));
    expect(() => azurePackage(loadFunctionPackage(dir))).toThrow('field "runtime": Azure Functions runs nodejs and python packages, not provided');
    writeFileSync(path.join(dir, 'function.json'), JSON.stringify({ name: 'clash', runtime: 'nodejs', handler: 'index.handler' }));
    writeFileSync(path.join(dir, 'host.json'), '{}');
    expect(() => azurePackage(loadFunctionPackage(dir))).toThrow(`${path.join(dir, 'host.json')}: the package has a file named as one faasbench generates for Azure`);
  });

  it('generates a Python v2 function_app.py that compiles, with requirements.txt asking for azure-functions', () => {
    const files = unzipSync(azurePackage(loadFunctionPackage(path.join(REPO, 'functions/hello-py'))).zip);
    expect(strFromU8(files['requirements.txt']!)).toBe('azure-functions==1.*\n');
    const source = strFromU8(files['function_app.py']!);
    expect(source).toContain('app = func.FunctionApp()');
    expect(source).toContain('@app.route(route=FUNCTION_NAME, methods=["POST", "GET"], auth_level=func.AuthLevel.FUNCTION)');
    const dir = scratchDir('azure-py');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'function_app.py'), source);
    execFileSync('python3', ['-m', 'py_compile', path.join(dir, 'function_app.py')]);
  });

  it('refuses a python package in adapter mode, saying it needs Azure', async () => {
    const provider = await createAzureFunctionsProvider({ emulator: 'adapter' });
    try {
      await expect(provider.deploy(loadFunctionPackage(path.join(REPO, 'functions/hello-py')))).rejects.toThrow('provider azure-functions: deploy hello-py: emulator=adapter runs the Node.js worker\'s model only; a python package needs Azure');
    } finally {
      await provider.close();
    }
  });
});
