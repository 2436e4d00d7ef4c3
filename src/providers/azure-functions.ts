/**
 * The `azure-functions` provider: Azure Functions, one Function App per function, through
 * Microsoft's ARM clients and Kudu's zip deployment (azure-cloud.ts), or offline through an
 * adapter host that loads the same package with @azure/functions' own registration API
 * (`-o emulator=adapter`, azure-adapter.ts). The package gets a generated entry point for the
 * Node.js v4 or Python v2 programming model (azure-package.ts) that runs the Lambda-signature
 * handler unchanged.
 *
 * A call is a POST of the payload to the function's HTTP trigger with its function key
 * (x-functions-key). The facts come from the entry point's headers: request id (the invocation
 * id), cold (its module-level marker, as SeBS's), instance (WEBSITE_INSTANCE_ID, else the marker's
 * id), init, duration, memory and peak memory; billed duration is the duration as the plan's price
 * table bills it (analysis/pricing.ts).
 *
 * Settings: the environment and FAASBENCH_MEMORY_MB / FAASBENCH_TIMEOUT_S are app settings; the
 * timeout is also host.json's functionTimeout. Memory is the plan's: Consumption instances have
 * 1.5 GB whatever is asked (and refuse a change), Flex Consumption instances 512, 2048 or 4096 MB
 * (the smallest that holds the asked memory).
 */
import type { FunctionPackage, FunctionSettingsInput } from '../core/function-package.ts';
import { FaasbenchError } from '../core/errors.ts';
import { functionSettingsSchema, describeIssues } from '../core/function-package.ts';
import { NO_FACTS, type PlatformFacts } from '../core/invocation-record.ts';
import type { CallOptions, InvokeResult, Provider } from '../core/provider.ts';
import { billedMsOf, PRICE_TABLES } from '../analysis/pricing.ts';
import type { AzureBackend, FunctionEndpoint } from './azure-backend.ts';
import { azureSchema, CONSUMPTION_MEMORY_MB, FLEX_MEMORY_MB, type AzureOptions } from './azure-options.ts';
import { azurePackage } from './azure-package.ts';
import { createDispatcher, errorTypeIn, factsFromHeaders, send, statusOfHttp, transportFailure, type ConnectionPool, type HttpReply } from './http-client.ts';
import { definedFields, parseOptions, type ProviderOptions } from './options.ts';

/** host.json's functionTimeout on Consumption: 10 minutes at most (Flex has no such bound). */
const CONSUMPTION_MAX_TIMEOUT_S = 600;
/** The settings a Function App can change in place. */
const CONFIGURABLE = new Set(['memoryMb', 'environment']);
/** The app setting naming the variables that came from the package's environment, so an update can replace them. */
const ENVIRONMENT_KEYS = 'FAASBENCH_ENVIRONMENT_KEYS';

export async function createAzureFunctionsProvider(options: ProviderOptions = {}): Promise<AzureFunctionsProvider> {
  const o = parseOptions('azure-functions', azureSchema, options);
  const backend = o.emulator === 'adapter' ? await adapterBackend(o) : await cloudBackend(o);
  return new AzureFunctionsProvider(o, backend, createDispatcher(null, o));
}

async function adapterBackend(o: AzureOptions): Promise<AzureBackend> {
  const { AzureAdapterBackend } = await import('./azure-adapter.ts');
  return new AzureAdapterBackend(Math.min(o.readyTimeoutS, 120));
}

async function cloudBackend(o: AzureOptions): Promise<AzureBackend> {
  const { AzureCloudBackend } = await import('./azure-cloud.ts');
  return AzureCloudBackend.create(o);
}

/** The memory an instance has on the plan for a package asking for `memoryMb`. */
export function instanceMemoryMb(o: AzureOptions, memoryMb: number, fn: string): number {
  if (o.emulator === 'adapter') return memoryMb;
  if (o.plan === 'consumption') return CONSUMPTION_MEMORY_MB;
  const size = FLEX_MEMORY_MB.find((mb) => mb >= memoryMb);
  if (size === undefined) throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: ${fn}: field "memoryMb": Flex Consumption instances have at most ${FLEX_MEMORY_MB.at(-1)} MB, got ${memoryMb}`);
  return size;
}

export class AzureFunctionsProvider implements Provider {
  readonly name = 'azure-functions';
  readonly #endpoints = new Map<string, FunctionEndpoint>();

  constructor(
    private readonly o: AzureOptions,
    readonly backend: AzureBackend,
    private readonly http: ConnectionPool,
  ) {}

  async deploy(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): Promise<void> {
    const built = azurePackage(pkg, overrides);
    const { manifest } = built;
    const memoryMb = instanceMemoryMb(this.o, manifest.memoryMb, manifest.name);
    if (this.o.emulator === undefined && this.o.plan === 'consumption' && manifest.timeoutS > CONSUMPTION_MAX_TIMEOUT_S) {
      throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: deploy ${manifest.name}: field "timeoutS": the Consumption plan stops a call after at most ${CONSUMPTION_MAX_TIMEOUT_S} s (host.json's functionTimeout), got ${manifest.timeoutS}; use -o plan=flex for longer`);
    }
    const settings = { ...manifest.environment, ...faasbenchSettings(memoryMb, manifest.timeoutS), [ENVIRONMENT_KEYS]: Object.keys(manifest.environment).join(',') };
    this.#endpoints.set(manifest.name, await this.backend.deploy(built, settings));
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    let endpoint: FunctionEndpoint | null;
    try {
      endpoint = await this.#endpoint(fn);
    } catch (err) {
      return transportFailure(err);
    }
    if (!endpoint) return { status: 'rejected', httpStatus: 404, payload: Buffer.alloc(0), errorClass: 'ResourceNotFoundException', facts: NO_FACTS };
    let reply: HttpReply;
    try {
      reply = await send(this.http, { method: 'POST', url: new URL(endpoint.url), headers: { 'content-type': 'application/json', 'x-functions-key': endpoint.key, ...call?.traceHeaders }, body: payload });
    } catch (err) {
      return transportFailure(err);
    }
    const status = statusOfHttp(reply.status);
    const errorClass = status === 'ok' ? null : (errorTypeIn(reply.body) ?? `HTTP ${reply.status}`);
    return { status, httpStatus: reply.status, payload: reply.body, errorClass, facts: this.#facts(reply) };
  }

  async updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void> {
    const given = definedFields(patch);
    const unknown = Object.keys(given).filter((key) => !CONFIGURABLE.has(key));
    if (unknown.length) {
      throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: update ${fn}: a Function App cannot change "${unknown.join('", "')}" in place (timeoutS is host.json's: deploy again with it); settings it can change: ${[...CONFIGURABLE].join(', ')}`);
    }
    const checked = functionSettingsSchema.pick({ memoryMb: true, environment: true }).partial().safeParse(given);
    if (!checked.success) throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: update ${fn}: ${describeIssues(checked.error)}`);
    // Only what was given: the schema's defaults would otherwise fill in the rest.
    const memoryMb = 'memoryMb' in given ? checked.data.memoryMb : undefined;
    const environment = 'environment' in given ? checked.data.environment : undefined;
    const instanceMb = memoryMb === undefined ? undefined : instanceMemoryMb(this.o, memoryMb, fn);
    if (instanceMb !== undefined && this.o.emulator === undefined) await this.#updateMemory(fn, instanceMb);
    const endpoint = await this.backend.updateSettings(fn, (current) => patchedSettings(current, environment, instanceMb));
    this.#endpoints.set(fn, endpoint);
  }

  async remove(fn: string): Promise<void> {
    this.#endpoints.delete(fn);
    await this.backend.remove(fn);
  }

  async close(): Promise<void> {
    await this.http.close();
    await this.backend.close();
  }

  async #updateMemory(fn: string, memoryMb: number): Promise<void> {
    if (this.o.plan === 'consumption' || !this.backend.updateMemory) {
      throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: update ${fn}: field "memoryMb": the Consumption plan has no memory setting (every instance has ${CONSUMPTION_MEMORY_MB} MB); deploy with -o plan=flex for ${FLEX_MEMORY_MB.join(', ')} MB instances`);
    }
    await this.backend.updateMemory(fn, memoryMb);
  }

  /** A function's URL and key: as deployed, given as an option, or asked of the backend. */
  async #endpoint(fn: string): Promise<FunctionEndpoint | null> {
    const known = this.#endpoints.get(fn);
    if (known) return known;
    const key = this.o.functionKeys[fn];
    const found = key !== undefined ? { url: `${this.o.functionsUrl.replaceAll('{app}', fn).replace(/\/+$/, '')}/api/${encodeURIComponent(fn)}`, key } : await this.backend.endpoint(fn);
    if (found) this.#endpoints.set(fn, found);
    return found;
  }

  #facts(reply: HttpReply): PlatformFacts {
    const facts = factsFromHeaders(reply.headers);
    if (!facts) return NO_FACTS;
    const table = PRICE_TABLES[this.o.plan === 'flex' ? 'azure-functions/flex' : 'azure-functions/consumption']!;
    return { ...facts, billedMs: facts.durationMs === null ? null : billedMsOf(facts.durationMs, table) };
  }
}

function faasbenchSettings(memoryMb: number, timeoutS: number): Record<string, string> {
  return { FAASBENCH_MEMORY_MB: String(memoryMb), FAASBENCH_TIMEOUT_S: String(timeoutS) };
}

/** The app settings with the package's environment replaced by `environment` and the memory changed, as given. */
function patchedSettings(current: Record<string, string>, environment: Record<string, string> | undefined, memoryMb: number | undefined): Record<string, string> {
  const next = { ...current };
  if (environment !== undefined) {
    for (const key of (current[ENVIRONMENT_KEYS] ?? '').split(',').filter(Boolean)) delete next[key];
    Object.assign(next, environment, { [ENVIRONMENT_KEYS]: Object.keys(environment).join(',') });
  }
  if (memoryMb !== undefined) next.FAASBENCH_MEMORY_MB = String(memoryMb);
  return next;
}
