/**
 * The `gcp-functions` provider: Google Cloud Functions (2nd gen). It owns the gcp-* files beside
 * it: the options (gcp-options.ts), the package with its generated entry point (gcp-package.ts,
 * gcp-entry-node.ts, gcp-entry-python.ts), the backends that hold the functions (gcp-cloud.ts on
 * Google Cloud through `@google-cloud/functions`, gcp-emulator.ts under Google's Functions
 * Framework locally) and this file, which deploys through a backend and calls each function at its
 * HTTPS trigger.
 *
 * The entry point adapts the package's Lambda-signature handler, so the same folder deploys to
 * Lambda and here unchanged, and answers with its facts in X-Faasbench-* headers: request id,
 * instance id, cold (its first call, SeBS's marker), init (loading the handler), duration, memory,
 * max memory. Billed duration is Cloud Run's (100 ms increments, analysis/pricing.ts).
 *
 * A private function (`public=false`) is called with an ID token for its URL from
 * google-auth-library's getIdTokenClient (Application Default Credentials); each backend's SDK
 * loads only when that backend is used.
 */
import { FaasbenchError } from '../core/errors.ts';
import { functionSettingsSchema, type FunctionPackage, type FunctionSettingsInput } from '../core/function-package.ts';
import { NO_FACTS, type PlatformFacts } from '../core/invocation-record.ts';
import type { CallOptions, InvokeResult, Provider } from '../core/provider.ts';
import { billedMsOf, PRICE_TABLES } from '../analysis/pricing.ts';
import { createDispatcher, errorTypeIn, factsFromHeaders, header, send, statusOfHttp, transportFailure, type ConnectionPool, type HttpReply } from './http-client.ts';
import { UPDATABLE_SETTINGS, type GcpBackend, type GcpSettingsPatch } from './gcp-backend.ts';
import type { GcpTransport } from './gcp-cloud.ts';
import { checkFunctionName, entryPointEnvironment, gcpOptionsSchema, gcpRuntimeOf, urlFromTemplate, type GcpOptions } from './gcp-options.ts';
import { gcpPackage } from './gcp-package.ts';
import { definedFields, parseOptions, type ProviderOptions } from './options.ts';

const PRICES = PRICE_TABLES['gcp-functions/tier1']!;

export async function createGcpFunctionsProvider(options: ProviderOptions = {}, transport: GcpTransport = {}): Promise<GcpFunctionsProvider> {
  const parsed = parseOptions('gcp-functions', gcpOptionsSchema, options);
  const backend: GcpBackend = parsed.emulator
    ? new (await import('./gcp-emulator.ts')).FunctionsFrameworkEmulator()
    : new (await import('./gcp-cloud.ts')).GcpCloudBackend(parsed, transport);
  return new GcpFunctionsProvider(parsed, backend);
}

/** Gives ID tokens for a function's URL (google-auth-library's IdTokenClient, one per audience). */
type TokenSource = (url: string) => Promise<string>;

export class GcpFunctionsProvider implements Provider {
  readonly name = 'gcp-functions';
  private readonly pool: ConnectionPool;
  private tokens: TokenSource | null = null;

  constructor(
    private readonly options: GcpOptions,
    readonly backend: GcpBackend,
  ) {
    this.pool = createDispatcher(null, options);
  }

  async deploy(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): Promise<void> {
    checkFunctionName(pkg.manifest.name);
    const { manifest, zip } = gcpPackage(pkg, overrides);
    const runtime = gcpRuntimeOf(manifest.runtime, this.options);
    const environment = { ...manifest.environment, ...entryPointEnvironment(manifest.name, manifest.memoryMb, manifest.timeoutS) };
    await this.backend.deploy({ manifest, zip, environment, runtime });
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    let url: string | null;
    let headers: Record<string, string>;
    try {
      url = await this.urlOf(fn);
      if (url === null) return notFound(fn);
      headers = { 'content-type': 'application/json', ...call?.traceHeaders, ...(await this.authorization(url)) };
    } catch (err) {
      return transportFailure(err);
    }
    try {
      return resultOf(await send(this.pool, { method: 'POST', url: new URL(url), headers, body: payload }));
    } catch (err) {
      return transportFailure(err);
    }
  }

  async updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void> {
    checkFunctionName(fn);
    await this.backend.update(fn, checkedPatch(patch));
  }

  async remove(fn: string): Promise<void> {
    checkFunctionName(fn);
    await this.backend.remove(fn);
  }

  /** Finds each function's URL, fetches its ID token when private and opens connections. */
  async prepare(fns: readonly string[], expectedInFlight: number): Promise<void> {
    await Promise.all(
      fns.map(async (fn) => {
        try {
          const url = await this.urlOf(fn);
          if (url === null) return;
          await this.authorization(url);
          await this.pool.prepare(new URL(url).origin, expectedInFlight);
        } catch {
          // a failure here is the calls' to report
        }
      }),
    );
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.backend.close();
  }

  private async urlOf(fn: string): Promise<string | null> {
    if (this.options.url) return urlFromTemplate(this.options.url, fn);
    return this.backend.urlOf(fn);
  }

  private async authorization(url: string): Promise<Record<string, string>> {
    if (this.options.public || this.options.emulator) return {};
    this.tokens ??= await idTokens();
    return { authorization: `Bearer ${await this.tokens(url)}` };
  }
}

/**
 * ID tokens from Application Default Credentials. The audience is the function's URL as Google's
 * docs name it: the run.app service URL, or https://REGION-PROJECT.cloudfunctions.net/FUNCTION.
 */
async function idTokens(): Promise<TokenSource> {
  const { GoogleAuth } = await import('google-auth-library');
  const auth = new GoogleAuth();
  const clients = new Map<string, Awaited<ReturnType<typeof auth.getIdTokenClient>>>();
  return async (url) => {
    const audience = url.replace(/\/+$/, '');
    let client = clients.get(audience);
    if (!client) {
      client = await auth.getIdTokenClient(audience);
      clients.set(audience, client);
    }
    const headers = await client.getRequestHeaders(url);
    return (headers.get('authorization') ?? '').replace(/^Bearer /, '');
  };
}

/** Checks a patch's fields as the package format does, and that Cloud Functions can change them. */
function checkedPatch(patch: Partial<FunctionSettingsInput>): GcpSettingsPatch {
  const given = definedFields(patch);
  const unknown = Object.keys(given).filter((key) => !UPDATABLE_SETTINGS.has(key));
  if (unknown.length) {
    throw new FaasbenchError('InvalidParameterValue', `provider gcp-functions: Cloud Functions cannot change "${unknown.join('", "')}" of a deployed function; settings it can change: ${[...UPDATABLE_SETTINGS].join(', ')}`);
  }
  const shape = functionSettingsSchema.shape;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const result = shape[key as keyof typeof shape].safeParse(value);
    if (!result.success) throw new FaasbenchError('InvalidParameterValue', `provider gcp-functions: setting "${key}": ${result.error.issues.map((i) => i.message).join('; ')}`);
    out[key] = result.data;
  }
  return out as GcpSettingsPatch;
}

/** No such function: what Cloud Run's front end answers for a removed service's URL. */
function notFound(fn: string): InvokeResult {
  return { status: 'rejected', httpStatus: 404, payload: Buffer.from(`function ${fn} not found`), errorClass: 'NotFound', facts: NO_FACTS };
}

function resultOf(reply: HttpReply): InvokeResult {
  const facts = factsOf(reply);
  const status = statusOfHttp(reply.status);
  if (status === 'ok') return { status, httpStatus: reply.status, payload: reply.body, errorClass: null, facts };
  const fromFunction = header(reply.headers, 'x-faasbench-function-error') !== undefined;
  const errorClass = (fromFunction ? errorTypeIn(reply.body) : undefined) ?? `HTTP ${reply.status}`;
  return { status, httpStatus: reply.status, payload: reply.body, errorClass, facts };
}

/** The entry point's facts with Cloud Run's billed time; none for an answer it did not give. */
function factsOf(reply: HttpReply): PlatformFacts {
  const facts = factsFromHeaders(reply.headers);
  if (!facts) return NO_FACTS;
  return { ...facts, billedMs: facts.durationMs === null ? null : billedMsOf(facts.durationMs, PRICES) };
}
