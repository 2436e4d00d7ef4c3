/**
 * What the azure-functions provider asks of where its functions live: Azure itself
 * (azure-cloud.ts, through Microsoft's ARM clients and Kudu) or the adapter host on this machine
 * (azure-adapter.ts). Both answer with the URL a function is called at and its function key; the
 * call itself is the provider's, the same HTTP request for both.
 */
import type { AzurePackage } from './azure-package.ts';

export interface FunctionEndpoint {
  /** The HTTP trigger's URL: `https://<app>.azurewebsites.net/api/<function>`. */
  readonly url: string;
  /** The function key, sent as x-functions-key; kept in memory only, never printed or stored. */
  readonly key: string;
}

/** A change to a Function App's settings, given the settings it has now. */
export type AppSettingsPatch = (current: Record<string, string>) => Record<string, string>;

export interface AzureBackend {
  /** Creates what the function needs on first use, uploads the package, applies `settings` (app settings). */
  deploy(pkg: AzurePackage, settings: Record<string, string>): Promise<FunctionEndpoint>;
  /** Where a deployed function answers, or null when it does not exist. */
  endpoint(fn: string): Promise<FunctionEndpoint | null>;
  /** Rewrites the app settings; the app's workers restart with them. */
  updateSettings(fn: string, patch: AppSettingsPatch): Promise<FunctionEndpoint>;
  /** Flex Consumption's instance memory; a plan without one refuses, saying why. */
  updateMemory?(fn: string, memoryMb: number): Promise<void>;
  remove(fn: string): Promise<void>;
  close(): Promise<void>;
}
