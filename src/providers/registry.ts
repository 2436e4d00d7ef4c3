/**
 * Providers by name. A factory takes a plain options object (validated by the provider, errors
 * naming the option) and resolves to a ready Provider. A new platform is one file here plus one
 * line in PROVIDERS.
 *
 * Each factory imports its provider's module when first called: the AWS SDK and the local
 * platform load only for a run that uses them, not for every command that names a provider.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { Provider } from '../core/provider.ts';
import type { ProviderOptions } from './options.ts';

export type ProviderFactory = (options?: ProviderOptions) => Promise<Provider>;

export const PROVIDERS: Readonly<Record<string, ProviderFactory>> = {
  local: async (options) => (await import('./local.ts')).createLocalProvider(options),
  'aws-lambda': async (options) => (await import('./aws-lambda.ts')).createAwsLambdaProvider(options),
  openfaas: async (options) => (await import('./openfaas.ts')).createOpenFaasProvider(options),
  http: async (options) => (await import('./http.ts')).createHttpProvider(options),
  grpc: async (options) => (await import('./grpc.ts')).createGrpcProvider(options),
  knative: async (options) => (await import('./knative.ts')).createKnativeProvider(options),
  'azure-functions': async (options) => (await import('./azure-functions.ts')).createAzureFunctionsProvider(options),
  'gcp-functions': async (options) => (await import('./gcp-functions.ts')).createGcpFunctionsProvider(options),
};

export function providerNames(): string[] {
  return Object.keys(PROVIDERS);
}

export async function createProvider(name: string, options: ProviderOptions = {}): Promise<Provider> {
  const factory = Object.hasOwn(PROVIDERS, name) ? PROVIDERS[name] : undefined;
  if (!factory) throw new FaasbenchError('InvalidParameterValue', `unknown provider "${name}": expected one of ${providerNames().join(', ')}`);
  return factory(options);
}
