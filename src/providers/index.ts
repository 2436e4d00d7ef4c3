/**
 * providers/: talking to platforms (DESIGN.md §1-§2). One file per platform implements core's
 * Provider (local, aws-lambda, openfaas, http), the registry maps names to factories, and
 * conformance.ts is the suite every provider's test runs. Providers deploy, invoke, reconfigure
 * and remove functions and report each call as an InvokeResult with the platform's facts; they
 * do not schedule, time, retry or store calls.
 *
 * The registry imports each provider's file only when that provider is created: importing this
 * index loads no SDK and no platform.
 *
 * Imports only core/ and platform/ (the local provider runs the platform in-process, the openfaas
 * provider shares its gateway's conventions); never invoker, store, experiments, cli or above.
 */
export { createProvider, providerNames, PROVIDERS, type ProviderFactory } from './registry.ts';
export type { ProviderOptions } from './options.ts';
export { parseReport } from './lambda-report.ts';
export { packageZip } from './package-zip.ts';
