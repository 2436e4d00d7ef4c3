/**
 * The azure-functions provider's options (`-o key=value`), checked with zod like every provider's,
 * and the names it derives from them: one Function App per function, and one resource group and
 * storage account shared by them (as SeBS lays out its Azure resources).
 */
import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { z } from 'zod';
import type { Runtime } from '../core/runtime-id.ts';
import { baseUrl, connectionFields } from './options.ts';

/** Flex Consumption's instance sizes (functionAppConfig.scaleAndConcurrency.instanceMemoryMB). */
export const FLEX_MEMORY_MB = [512, 2048, 4096] as const;
/** What every Consumption-plan instance has; the plan has no memory setting. */
export const CONSUMPTION_MEMORY_MB = 1536;

const isCredential = (v: unknown): v is TokenCredential => typeof (v as { getToken?: unknown } | null)?.getToken === 'function';

export const azureSchema = z.strictObject({
  /** The subscription id; default $AZURE_SUBSCRIPTION_ID. */
  subscription: z.string().min(1).optional(),
  resourceGroup: z.string().regex(/^[-\w._()]{1,89}[-\w_()]$/, 'expected 2-90 letters, digits, "-", "_", ".", "(" or ")", not ending in "."').default('faasbench'),
  region: z.string().regex(/^[a-z0-9]+$/, 'expected an Azure region name such as eastus, westeurope').default('eastus'),
  /** consumption: Linux Consumption (memory fixed at 1.5 GB); flex: Flex Consumption (512, 2048 or 4096 MB instances). */
  plan: z.enum(['consumption', 'flex']).default('consumption'),
  /** Runtime versions per family, e.g. { "nodejs": "22", "python": "3.12" }. */
  runtimes: z.strictObject({ nodejs: z.enum(['20', '22']), python: z.enum(['3.11', '3.12']) }).partial().default({}),
  /** Function App names are `<appPrefix>-<function>-<8 hex>`, globally unique on azurewebsites.net. */
  appPrefix: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'expected 1-20 lowercase letters, digits or "-", starting with a letter').default('faasbench'),
  /** The storage account the apps share; default derived from subscription, resource group and region. */
  storageAccount: z.string().regex(/^[a-z0-9]{3,24}$/, 'expected 3-24 lowercase letters or digits').optional(),
  /** `adapter`: deploy into an adapter host on this machine instead of Azure (no account needed). */
  emulator: z.enum(['adapter']).optional(),
  /** Azure Resource Manager's URL (another cloud, or a recorder in tests). */
  endpoint: baseUrl.optional(),
  /** Where calls go, `{app}` the Function App's name. */
  functionsUrl: z.string().min(1).default('https://{app}.azurewebsites.net'),
  /** Kudu (deployment) site, `{app}` the Function App's name. */
  scmUrl: z.string().min(1).default('https://{app}.scm.azurewebsites.net'),
  /** Function keys for functions this provider did not deploy (invoke with --no-deploy). */
  functionKeys: z.record(z.string(), z.string().min(1)).default({}),
  /** A TokenCredential to use instead of DefaultAzureCredential (code and tests only). */
  credential: z.custom<TokenCredential>(isCredential, 'expected a TokenCredential').optional(),
  /** How long deploy waits for provisioning, the zip deployment and the function's key. */
  readyTimeoutS: z.number().positive().default(900),
  ...connectionFields,
});

export type AzureOptions = z.output<typeof azureSchema>;

/** `linuxFxVersion` and Flex's runtime for a package's runtime family. */
export function runtimeStack(o: AzureOptions, runtime: Runtime): { name: 'node' | 'python'; version: string } {
  if (runtime === 'nodejs') return { name: 'node', version: o.runtimes.nodejs ?? '20' };
  return { name: 'python', version: o.runtimes.python ?? '3.11' };
}

const shortHash = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** The Function App holding function `fn`: lowercase, `_` as `-`, at most 60 characters. */
export function appName(o: AzureOptions, subscription: string, fn: string): string {
  const middle = fn.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 60 - o.appPrefix.length - 10);
  return `${o.appPrefix}-${middle}-${shortHash(`${subscription}/${o.resourceGroup}/${fn}`, 8)}`;
}

export function storageAccountName(o: AzureOptions, subscription: string): string {
  return o.storageAccount ?? `faasbench${shortHash(`${subscription}/${o.resourceGroup}/${o.region}`, 15)}`;
}

export function fillApp(template: string, app: string): string {
  return template.replaceAll('{app}', app).replace(/\/+$/, '');
}
