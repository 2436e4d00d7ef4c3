/**
 * Providers by name. A factory takes a plain options object (validated by the provider, errors
 * naming the option) and resolves to a ready Provider. A new platform is one file here plus one
 * line in PROVIDERS.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { Provider } from '../core/provider.ts';
import { createAwsLambdaProvider } from './aws-lambda.ts';
import { createHttpProvider } from './http.ts';
import { createLocalProvider } from './local.ts';
import { createOpenFaasProvider } from './openfaas.ts';
import type { ProviderOptions } from './options.ts';

export type ProviderFactory = (options?: ProviderOptions) => Promise<Provider>;

export const PROVIDERS: Readonly<Record<string, ProviderFactory>> = {
  local: createLocalProvider,
  'aws-lambda': createAwsLambdaProvider,
  openfaas: createOpenFaasProvider,
  http: createHttpProvider,
};

export function providerNames(): string[] {
  return Object.keys(PROVIDERS);
}

export async function createProvider(name: string, options: ProviderOptions = {}): Promise<Provider> {
  const factory = Object.hasOwn(PROVIDERS, name) ? PROVIDERS[name] : undefined;
  if (!factory) throw new FaasbenchError('InvalidParameterValue', `unknown provider "${name}": expected one of ${providerNames().join(', ')}`);
  return factory(options);
}
