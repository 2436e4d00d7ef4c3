/**
 * The `local` provider: faasbench's own platform, either in this process (started here, or handed
 * over as a LocalPlatform) or already running at a URL (`faasbench platform start`). Calls always
 * go over HTTP to the Lambda API, so a measured call costs what any client's would; the platform's
 * ground truth comes back in the `X-Faasbench-*` headers.
 *
 * Deploying in-process hands the folder to the platform. Deploying to a URL uploads a zip with the
 * effective function.json inside, which carries every setting (concurrency, maxInstances...) and
 * the bundled `include` files, and works for a platform on another machine too. Provisioned
 * concurrency always goes through the Lambda API (provisioning.ts).
 */
import { z } from 'zod';
import type { Dispatcher } from 'undici';
import { FaasbenchError } from '../core/errors.ts';
import { resolvedIncludes, type FunctionPackage, type FunctionSettingsInput } from '../core/function-package.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import type { CallOptions, InvokeResult, Provider, Provisioned } from '../core/provider.ts';
import type { LocalPlatform, PlatformOptions } from '../platform/platform.ts';
import { controlError, controlSend, createDispatcher, errorTypeIn, factsFromHeaders, header, send, statusOfHttp, transportFailure, type ConnectionPool, type HttpReply } from './http-client.ts';
import { effectiveManifest, packageZip } from './package-zip.ts';
import { baseUrl, connectionFields, definedFields, parseOptions, type ProviderOptions } from './options.ts';
import { provisionByRestApi, unprovisionByRestApi } from './provisioning.ts';
import { warmRequestPath, warmUpTarget } from './request-warm-up.ts';
import { keepMeasurement } from './local-measurements.ts';

/** The function variable the platform reads (platform/measure-call.ts: not imported, which would load the platform). */
const MEASURE_VARIABLE = 'FAASBENCH_MEASURE';

const schema = z.strictObject({
  /** A platform running in this process. */
  platform: z.custom<LocalPlatform>(isLocalPlatform, 'expected a LocalPlatform').optional(),
  /** A platform already running elsewhere, e.g. http://127.0.0.1:9000. */
  url: baseUrl.optional(),
  /** The platform's token, when it was started with one. */
  token: z.string().min(1).optional(),
  /** Options for the platform started here when neither `platform` nor `url` is given. */
  platformOptions: z.custom<PlatformOptions>((v) => typeof v === 'object' && v !== null, 'expected an object').optional(),
  /**
   * In-function measurements of each call (local-measurements.ts): functions deployed through this
   * provider get MEASURE_VARIABLE. Off by default: they cost the platform CPU on every call.
   */
  measure: z.boolean().default(false),
  /** Performance counters too (implies measure): attaching perf adds about 60 ms before each call is delivered. */
  counters: z.boolean().default(false),
  ...connectionFields,
});

/** The settings UpdateFunctionConfiguration carries, and their Lambda API fields. */
const LAMBDA_FIELDS = { memoryMb: 'MemorySize', timeoutS: 'Timeout', description: 'Description', environment: 'Environment' } as const;

/** How long provision waits for READY: an instance's init, on a machine that may be busy. */
const PROVISION_TIMEOUT_S = 120;

export async function createLocalProvider(options: ProviderOptions = {}): Promise<Provider> {
  const o = parseOptions('local', schema, options);
  if (o.platform && o.url) throw new FaasbenchError('InvalidParameterValue', 'provider local: give either option "platform" or option "url", not both');
  const owned = !o.platform && !o.url;
  // The platform (and its metrics, sandbox and API modules) loads only when this process runs one.
  const platform = o.platform ?? (o.url ? null : await (await import('../platform/platform.ts')).LocalPlatform.start(o.platformOptions));
  const url = platform?.url ?? (o.url as string);
  const measure = o.counters ? 'counters' : o.measure ? 'true' : null;
  return new LocalProvider(url, platform, owned, o.token, createDispatcher(new URL(url).origin, o), measure);
}

class LocalProvider implements Provider {
  readonly name = 'local';
  private readonly headers: Record<string, string>;

  constructor(
    private readonly url: string,
    /** In-process platform, when there is one; null when it runs elsewhere. */
    private readonly platform: LocalPlatform | null,
    private readonly owned: boolean,
    token: string | undefined,
    private readonly http: ConnectionPool,
    /** MEASURE_VARIABLE's value for what this provider deploys, or null: not set. */
    private readonly measure: string | null = null,
  ) {
    this.headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  async deploy(pkg: FunctionPackage, asked: Partial<FunctionSettingsInput> = {}): Promise<void> {
    const overrides = this.measure ? { ...asked, environment: { ...pkg.manifest.environment, ...asked.environment, [MEASURE_VARIABLE]: this.measure } } : asked;
    if (this.platform) {
      this.platform.create(effectiveManifest(pkg, overrides), { folder: pkg.dir, include: resolvedIncludes(pkg) });
      return;
    }
    const { name, runtime, handler } = pkg.manifest;
    const body = JSON.stringify({ FunctionName: name, Runtime: runtime, Handler: handler, Role: 'faasbench', Code: { ZipFile: Buffer.from(packageZip(pkg, overrides)).toString('base64') } });
    let reply = await this.control('POST', '', body, `deploy ${name}`);
    if (reply.status === 409) {
      // Deploying replaces, as it does in-process: the settings travel in the zip's function.json,
      // which UpdateFunctionCode would not read.
      await this.control('DELETE', `/${encodeURIComponent(name)}`, null, `replace ${name}`);
      reply = await this.control('POST', '', body, `deploy ${name}`);
    }
    if (reply.status !== 201) throw controlError(`deploy ${name} to ${this.url}`, reply);
  }

  /** Every function is behind the one Lambda API: its connections are opened for all the calls expected. */
  async prepare(fns: readonly string[], expectedInFlight: number, options?: { readonly load?: boolean }): Promise<void> {
    if (options?.load) {
      // A provider of the same settings talking to a server of the warm-up's own, not to the platform.
      await warmRequestPath('local', (origin) => {
        const twin = new LocalProvider(origin, null, false, undefined, createDispatcher(origin, {}));
        return warmUpTarget(twin, fns[0] ?? 'warm-up');
      });
    }
    await this.http.prepare(this.url, expectedInFlight);
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    let reply: HttpReply;
    try {
      reply = await send(this.http, { method: 'POST', url: new URL(`${this.url}/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`), headers: call?.traceHeaders ? { ...this.headers, ...call.traceHeaders } : this.headers, body: payload });
    } catch (err) {
      return transportFailure(err);
    }
    const result = lambdaApiResult(reply);
    keepMeasurement(result.facts.requestId, reply.headers);
    return result;
  }

  async updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void> {
    if (this.platform) {
      this.platform.update(fn, { settings: definedFields(patch) });
      return;
    }
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const field = LAMBDA_FIELDS[key as keyof typeof LAMBDA_FIELDS];
      if (!field) {
        throw new FaasbenchError('InvalidParameterValue', `provider local at ${this.url}: the Lambda API cannot change "${key}"; deploy again with it as an override`);
      }
      fields[field] = field === 'Environment' ? { Variables: value } : value;
    }
    const reply = await this.control('PUT', `/${encodeURIComponent(fn)}/configuration`, JSON.stringify(fields), `update ${fn}`);
    if (reply.status !== 200) throw controlError(`update ${fn} on ${this.url}`, reply);
  }

  async remove(fn: string): Promise<void> {
    if (this.platform) {
      this.platform.remove(fn);
      return;
    }
    const reply = await this.control('DELETE', `/${encodeURIComponent(fn)}`, null, `remove ${fn}`);
    if (reply.status !== 204) throw controlError(`remove ${fn} from ${this.url}`, reply);
  }

  /** Through the Lambda API in-process too: the same requests as any client's, tested by every run that uses it. */
  provision(fn: string, count: number): Promise<Provisioned> {
    return provisionByRestApi(this.lambda, fn, count, { what: `provider local: provision ${fn}`, timeoutS: PROVISION_TIMEOUT_S });
  }

  unprovision(fn: string, qualifier: string): Promise<void> {
    return unprovisionByRestApi(this.lambda, fn, qualifier, { what: `provider local: unprovision ${fn}:${qualifier}` });
  }

  async close(): Promise<void> {
    await this.http.close();
    if (this.owned) await this.platform?.stop();
  }

  private control(method: Dispatcher.HttpMethod, route: string, body: string | null, what: string): Promise<HttpReply> {
    return this.lambda(method, `/2015-03-31/functions${route}`, body, what);
  }

  private readonly lambda = (method: Dispatcher.HttpMethod, path: string, body: string | null, what: string): Promise<HttpReply> => {
    return controlSend(this.http, what, { method, url: new URL(`${this.url}${path}`), headers: this.headers, body });
  };
}

/**
 * A Lambda API answer: 200 with X-Amz-Function-Error is the function failing (its errorType is
 * the class), other statuses are the platform's (X-Amzn-ErrorType is the class).
 */
export function lambdaApiResult(reply: HttpReply): InvokeResult {
  const requestId = header(reply.headers, 'x-amzn-requestid') ?? null;
  const facts = factsFromHeaders(reply.headers) ?? { ...NO_FACTS, requestId };
  const status = statusOfHttp(reply.status);
  if (status === 'ok') {
    const functionError = header(reply.headers, 'x-amz-function-error');
    if (functionError === undefined) return { status, httpStatus: reply.status, payload: reply.body, errorClass: null, facts };
    return { status: 'function-error', httpStatus: reply.status, payload: reply.body, errorClass: errorTypeIn(reply.body) ?? functionError, facts };
  }
  // AWS may append a documentation URL after a colon.
  const errorType = header(reply.headers, 'x-amzn-errortype')?.split(':')[0];
  return { status, httpStatus: reply.status, payload: reply.body, errorClass: errorType ?? `HTTP ${reply.status}`, facts };
}

/** By shape, not instanceof: checking the class would load the platform for a provider that only talks to a URL. */
function isLocalPlatform(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as Partial<LocalPlatform>).deployFolder === 'function' && typeof (v as Partial<LocalPlatform>).stop === 'function';
}
