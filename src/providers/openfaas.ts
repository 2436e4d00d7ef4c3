/**
 * The `openfaas` provider: an OpenFaaS gateway (faas-netes, faasd, or the local platform's subset
 * of the API). Deploy is faas-cli's: `PUT /system/functions`, and `POST` when that says 404; then
 * it waits until the function is listed with all its replicas available. Invoke is
 * `POST /function/<name>` with the payload as the raw body.
 *
 * OpenFaaS runs container images, and this provider builds none: `image` is a template
 * (`{name}`, `{dir}`) for images built elsewhere (faas-cli build/push with a template that runs
 * Lambda-signature handlers). Its default, `faasbench-local:{dir}`, is how the local platform's
 * gateway names a function folder on its machine.
 *
 * A deployment states the package's settings three ways: as OpenFaaS reads them (`envVars` with
 * the watchdog's exec/read/write timeouts, `limits.memory`, label `com.openfaas.scale.max`) and in
 * full as the annotation `com.faasbench.settings`, which updateConfiguration reads back and the
 * local platform applies. Facts: OpenFaaS reports only X-Call-Id and X-Duration-Seconds (the
 * gateway's time for the call); the X-Faasbench-* ground truth is used when present.
 *
 * Without a `password` option, the login `faasbench login openfaas` stored for the gateway's URL
 * is used (credentials-file.ts), as faas-cli uses its own stored login.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Dispatcher } from 'undici';
import { monotonicMs } from '../core/clock.ts';
import { FaasbenchError } from '../core/errors.ts';
import { describeIssues, functionSettingsSchema, type FunctionManifest, type FunctionPackage, type FunctionSettings, type FunctionSettingsInput } from '../core/function-package.ts';
import { NO_FACTS, type PlatformFacts } from '../core/invocation-record.ts';
import type { CallOptions, InvokeResult, Provider } from '../core/provider.ts';
import { controlError, controlSend, createDispatcher, errorTypeIn, factsFromHeaders, header, send, statusOfHttp, transportFailure, type HttpReply } from './http-client.ts';
import { goDurationSeconds, LOCAL_IMAGE_PREFIX, MAX_SCALE_LABEL, memoryMb, SETTINGS_ANNOTATION } from '../platform/openfaas-api.ts';
import { effectiveManifest } from './package-zip.ts';
import { storedOpenFaas } from './credentials-file.ts';
import { baseUrl, connectionFields, definedFields, parseOptions, type ProviderOptions } from './options.ts';

const SETTING_KEYS = Object.keys(functionSettingsSchema.shape) as (keyof FunctionSettings)[];

const schema = z.strictObject({
  /** The gateway, e.g. http://127.0.0.1:8080. */
  url: baseUrl,
  /** Basic auth user: default the stored login's, else `admin`. */
  user: z.string().min(1).optional(),
  /** Basic auth password (OpenFaaS's basic-auth secret; the local platform's token). */
  password: z.string().min(1).optional(),
  /** The image a function deploys as; `{name}` and `{dir}` are the package's name and folder. */
  image: z.string().min(1).default(`${LOCAL_IMAGE_PREFIX}{dir}`),
  namespace: z.string().min(1).optional(),
  /** Content-Type of invocation bodies: payloads are JSON events. */
  contentType: z.string().min(1).default('application/json'),
  /** How long deploy and update wait for the function's replicas. */
  readyTimeoutS: z.number().positive().default(120),
  ...connectionFields,
});

type Options = z.output<typeof schema>;

/** FunctionStatus, as far as this provider reads it. */
interface FunctionStatus {
  image?: string;
  envProcess?: string;
  envVars?: Record<string, string> | null;
  limits?: { memory?: string } | null;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  replicas?: number;
  availableReplicas?: number;
}

export async function createOpenFaasProvider(options: ProviderOptions = {}): Promise<Provider> {
  const o = parseOptions('openfaas', schema, options);
  return new OpenFaasProvider(o, createDispatcher(new URL(o.url).origin, o));
}

class OpenFaasProvider implements Provider {
  readonly name = 'openfaas';
  private readonly auth: Record<string, string>;

  constructor(
    private readonly o: Options,
    private readonly http: Dispatcher,
  ) {
    const login = o.password ? { user: o.user ?? 'admin', password: o.password } : storedOpenFaas(o.url);
    const user = o.user ?? login?.user;
    this.auth = login ? { authorization: `Basic ${Buffer.from(`${user}:${login.password}`).toString('base64')}` } : {};
  }

  async deploy(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): Promise<void> {
    const manifest = effectiveManifest(pkg, overrides);
    const image = this.o.image.replaceAll('{name}', manifest.name).replaceAll('{dir}', pkg.dir);
    await this.apply(this.deployment(manifest.name, image, manifest), `deploy ${manifest.name}`);
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    let reply: HttpReply;
    try {
      reply = await send(this.http, {
        method: 'POST',
        url: new URL(`${this.o.url}/function/${encodeURIComponent(this.qualified(fn))}`),
        headers: { ...this.auth, 'content-type': this.o.contentType, ...call?.traceHeaders },
        body: payload,
      });
    } catch (err) {
      return transportFailure(err);
    }
    const status = statusOfHttp(reply.status);
    const errorClass = status === 'ok' ? null : (errorTypeIn(reply.body) ?? `HTTP ${reply.status}`);
    return { status, httpStatus: reply.status, payload: reply.body, errorClass, facts: gatewayFacts(reply) };
  }

  async updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void> {
    const current = await this.status(fn);
    if (!current) throw new FaasbenchError('ResourceNotFound', `provider openfaas: update ${fn}: function not found`);
    const parsed = functionSettingsSchema.safeParse({ ...settingsIn(current), ...definedFields(patch) });
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', `provider openfaas: update ${fn}: ${describeIssues(parsed.error)}`);
    const spec = this.deployment(fn, current.image ?? '', parsed.data, current);
    await this.apply(spec, `update ${fn}`, true);
  }

  async remove(fn: string): Promise<void> {
    const body = JSON.stringify({ functionName: fn, ...(this.o.namespace ? { namespace: this.o.namespace } : {}) });
    const reply = await this.control('DELETE', '/system/functions', body, `remove ${fn}`);
    if (reply.status >= 300) throw controlError(`provider openfaas: remove ${fn}`, reply);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** A FunctionDeployment for the settings, keeping what a current deployment has beyond them. */
  private deployment(name: string, image: string, s: FunctionSettings | FunctionManifest, current?: FunctionStatus): Record<string, unknown> {
    const settings = Object.fromEntries(SETTING_KEYS.map((k) => [k, s[k]]).filter(([, v]) => v !== undefined));
    const timeout = `${s.timeoutS}s`;
    const { [MAX_SCALE_LABEL]: _max, ...labels } = current?.labels ?? {};
    return {
      service: name,
      image,
      ...(this.o.namespace ? { namespace: this.o.namespace } : {}),
      ...(current?.envProcess ? { envProcess: current.envProcess } : {}),
      envVars: { ...s.environment, exec_timeout: timeout, read_timeout: timeout, write_timeout: timeout },
      labels: { ...labels, ...(s.maxInstances !== undefined ? { [MAX_SCALE_LABEL]: String(s.maxInstances) } : {}) },
      annotations: { ...current?.annotations, [SETTINGS_ANNOTATION]: JSON.stringify(settings) },
      limits: { memory: `${s.memoryMb}Mi` },
    };
  }

  /** Update, or create when there is nothing to update (faas-cli's order); then wait for readiness. */
  private async apply(spec: Record<string, unknown>, what: string, mustExist = false): Promise<void> {
    const body = JSON.stringify(spec);
    let reply = await this.control('PUT', '/system/functions', body, what);
    if (reply.status === 404 && !mustExist) reply = await this.control('POST', '/system/functions', body, what);
    if (reply.status >= 300) throw controlError(`provider openfaas: ${what}`, reply);
    await this.ready(String(spec.service), what);
  }

  /** Listed, with every replica it wants available (none wanted: it scales from zero on the first call). */
  private async ready(fn: string, what: string): Promise<void> {
    const deadline = monotonicMs() + this.o.readyTimeoutS * 1000;
    for (;;) {
      const status = await this.status(fn);
      if (status && (status.availableReplicas ?? 0) >= (status.replicas ?? 0)) return;
      if (monotonicMs() > deadline) {
        throw new FaasbenchError('ServiceUnavailable', `provider openfaas: ${what}: not ready after ${this.o.readyTimeoutS} s (${status ? `${status.availableReplicas ?? 0}/${status.replicas ?? 0} replicas available` : 'not listed'})`);
      }
      await sleep(250);
    }
  }

  private async status(fn: string): Promise<FunctionStatus | null> {
    const query = this.o.namespace ? `?namespace=${encodeURIComponent(this.o.namespace)}` : '';
    const reply = await this.control('GET', `/system/function/${encodeURIComponent(fn)}${query}`, null, `status of ${fn}`);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw controlError(`provider openfaas: status of ${fn}`, reply);
    return JSON.parse(reply.body.toString('utf8')) as FunctionStatus;
  }

  private qualified(fn: string): string {
    return this.o.namespace ? `${fn}.${this.o.namespace}` : fn;
  }

  private control(method: Dispatcher.HttpMethod, route: string, body: string | null, what: string): Promise<HttpReply> {
    return controlSend(this.http, `provider openfaas: ${what}`, {
      method,
      url: new URL(`${this.o.url}${route}`),
      headers: { ...this.auth, 'content-type': 'application/json' },
      body,
    });
  }
}

/**
 * The settings a deployment has: all of them from the annotation this provider writes, or, for a
 * function deployed otherwise, what OpenFaaS's own fields say (defaults for the rest).
 */
function settingsIn(status: FunctionStatus): Partial<FunctionSettingsInput> {
  const annotated = parseObject(status.annotations?.[SETTINGS_ANNOTATION]);
  if (annotated) return annotated;
  const { exec_timeout: timeout, read_timeout: _read, write_timeout: _write, ...environment } = status.envVars ?? {};
  const max = status.labels?.[MAX_SCALE_LABEL];
  return {
    environment,
    ...(timeout !== undefined ? { timeoutS: goDurationSeconds(timeout, 'envVars.exec_timeout') } : {}),
    ...(status.limits?.memory !== undefined ? { memoryMb: memoryMb(status.limits.memory) } : {}),
    ...(max !== undefined ? { maxInstances: Number(max) } : {}),
  };
}

function parseObject(text: string | undefined): Partial<FunctionSettingsInput> | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Partial<FunctionSettingsInput>) : null;
  } catch {
    return null;
  }
}

/** Ground truth when the gateway is the local platform; otherwise what OpenFaaS says. */
function gatewayFacts(reply: HttpReply): PlatformFacts {
  const truth = factsFromHeaders(reply.headers);
  if (truth) return truth;
  const seconds = Number(header(reply.headers, 'x-duration-seconds'));
  return {
    ...NO_FACTS,
    requestId: header(reply.headers, 'x-call-id') ?? null,
    durationMs: Number.isFinite(seconds) && header(reply.headers, 'x-duration-seconds') !== undefined ? seconds * 1000 : null,
  };
}
