/**
 * The subset of the OpenFaaS gateway API (openfaas/faas api-docs) that deploys, lists, updates,
 * removes and invokes functions, mapped onto the local platform, so the `openfaas` provider and
 * tools such as faas-cli can run against it.
 *
 * - A deployment's `image` names a folder on this machine: `faasbench-local:/abs/path/to/fn`. Its
 *   function.json supplies runtime, handler and settings; the request's fields then override them:
 *   annotation `com.faasbench.settings` (JSON of function.json settings), `envVars` (the
 *   environment; `exec_timeout` such as "30s" becomes timeoutS, and the watchdog's read/write
 *   timeouts are dropped), `limits.memory` ("256Mi", "1Gi", "512M") and label
 *   `com.openfaas.scale.max` (maxInstances). CPU follows memory as the function's cpuModel says.
 * - `/function/<name>` hands a Lambda-signature handler the raw body as its event: parsed as JSON
 *   when it parses, otherwise as a UTF-8 string; an empty body is `{}`, as on the Lambda API. The
 *   response body is the handler's result as Lambda returns it (JSON), 200 on success and 500 with
 *   Lambda's `{ errorType, errorMessage }` on a function error. Like OpenFaaS, responses carry
 *   X-Call-Id and X-Duration-Seconds, and like every local invocation, the X-Faasbench-* headers.
 * - `/async-function/<name>` answers 202 and runs the call from the function's event queue, as a
 *   Lambda Event call (event-queue.ts: 1 MB payload limit, retries, bounded); X-Callback-Url is
 *   refused: nothing here delivers results.
 * - With a platform token, every route here needs basic auth as `admin` with the token as the
 *   password (faas-cli's login), or `Authorization: Bearer <token>` (request-guard.ts); the
 *   invoke token opens /function and /async-function only.
 * - One namespace, `openfaas-fn`; secrets are not supported.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { FaasbenchError, type ErrorCode } from '../core/errors.ts';
import {
  describeIssues,
  loadFunctionPackage,
  resolvedIncludes,
  type FunctionManifestInput,
  type FunctionSettingsInput,
} from '../core/function-package.ts';
import { groundTruthHeaders } from './ground-truth.ts';
import { parseJsonBody, readBody, sendJson } from './http-io.ts';
import type { InvocationResult } from './invocation.ts';
import { MAX_PAYLOAD_BYTES, type FunctionInfo, type PlatformApi } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

export const LOCAL_IMAGE_PREFIX = 'faasbench-local:';
export const SETTINGS_ANNOTATION = 'com.faasbench.settings';
export const MAX_SCALE_LABEL = 'com.openfaas.scale.max';
const NAMESPACE = 'openfaas-fn';
const WATCHDOG_TIMEOUTS = new Set(['exec_timeout', 'read_timeout', 'write_timeout']);

const resources = z.object({ memory: z.string().optional(), cpu: z.string().optional() }).nullish();
const stringMap = z.record(z.string(), z.string()).nullish();

/** FunctionDeployment; fields this platform does not use (constraints, registryAuth...) pass unread. */
const deploymentSchema = z.object({
  service: z.string().min(1),
  image: z.string().min(1),
  namespace: z.string().optional(),
  envProcess: z.string().optional(),
  envVars: stringMap,
  labels: stringMap,
  annotations: stringMap,
  limits: resources,
  requests: resources,
  secrets: z.array(z.string()).nullish(),
});
type Deployment = z.output<typeof deploymentSchema>;

/** What a deployment asked for that the platform's FunctionInfo does not keep, echoed by the status routes. */
interface Recorded {
  readonly image: string;
  readonly envProcess: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly createdAt: string;
}

interface GatewayState {
  readonly deployments: Map<string, Recorded>;
  readonly invocations: Map<string, number>;
}

const states = new WeakMap<PlatformApi, GatewayState>();

function stateOf(platform: PlatformApi): GatewayState {
  let state = states.get(platform);
  if (!state) {
    state = { deployments: new Map(), invocations: new Map() };
    states.set(platform, state);
  }
  return state;
}

/** OpenFaaS answers errors as plain text; routes.ts sends them with these statuses. */
export const STATUS_OF: Record<ErrorCode, number> = {
  InvalidFunctionPackage: 400,
  InvalidParameterValue: 400,
  InvalidRequestContent: 400,
  RequestTooLarge: 413,
  ResourceNotFound: 404,
  ResourceConflict: 409,
  PreconditionFailed: 412,
  TooManyRequests: 429,
  ServiceUnavailable: 503,
  Unauthorized: 401,
};

export function sendText(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length }).end(body);
}

// ---- /system: deploy, list, status, update, remove (routes.ts maps the paths to these) ----

export async function listFunctions({ platform, res, url }: RouteContext): Promise<void> {
  checkNamespace(url.searchParams.get('namespace') ?? undefined); // ?namespace= on every /system route
  sendJson(res, 200, platform.list().map((f) => statusOf(platform, f)));
}

/** POST creates (409 if it exists), PUT replaces (404 if it does not). */
export async function deployFunction({ platform, req, res, url }: RouteContext): Promise<void> {
  checkNamespace(url.searchParams.get('namespace') ?? undefined);
  const replace = req.method === 'PUT';
  const spec = parseBody(deploymentSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'FunctionDeployment');
  const exists = platform.list().some((f) => f.name === spec.service);
  if (!replace && exists) throw new FaasbenchError('ResourceConflict', `function ${spec.service} already exists: update it with PUT /system/functions`);
  if (replace && !exists) throw new FaasbenchError('ResourceNotFound', `function ${spec.service} not found`);
  await deploy(platform, spec);
  sendText(res, replace ? 200 : 202, '');
}

export async function deleteFunction({ platform, req, res, url }: RouteContext): Promise<void> {
  checkNamespace(url.searchParams.get('namespace') ?? undefined);
  const { functionName, namespace } = parseBody(z.object({ functionName: z.string().min(1), namespace: z.string().optional() }), await readBody(req, MAX_PAYLOAD_BYTES), 'DeleteFunctionRequest');
  checkNamespace(namespace);
  if (!platform.list().some((f) => f.name === functionName)) throw new FaasbenchError('ResourceNotFound', `function ${functionName} not found`);
  platform.remove(functionName);
  stateOf(platform).deployments.delete(functionName);
  stateOf(platform).invocations.delete(functionName);
  sendText(res, 200, '');
}

export async function functionStatus({ platform, res, url, name }: RouteContext): Promise<void> {
  checkNamespace(url.searchParams.get('namespace') ?? undefined);
  const info = platform.list().find((f) => f.name === name);
  if (!info) throw new FaasbenchError('ResourceNotFound', `function ${name} not found`);
  sendJson(res, 200, statusOf(platform, info));
}

export async function systemInfo({ res, url }: RouteContext): Promise<void> {
  checkNamespace(url.searchParams.get('namespace') ?? undefined);
  const version = { release: 'faasbench-local', sha: '' };
  sendJson(res, 200, { provider: { provider: 'faasbench-local', orchestration: 'local', version }, version, arch: process.arch === 'arm64' ? 'arm64' : 'x86_64' });
}

export function noSystemRoute({ req, url }: RouteContext): never {
  checkNamespace(url.searchParams.get('namespace') ?? undefined);
  throw new FaasbenchError('ResourceNotFound', `no OpenFaaS route for ${req.method ?? 'GET'} ${url.pathname}`);
}

function parseBody<T extends z.ZodType>(schema: T, body: Buffer, what: string): z.output<T> {
  const result = schema.safeParse(parseJsonBody(body, 'request body'));
  if (!result.success) throw new FaasbenchError('InvalidParameterValue', `${what}: ${describeIssues(result.error)}`);
  return result.data;
}

function checkNamespace(namespace: string | undefined): void {
  if (namespace !== undefined && namespace !== '' && namespace !== NAMESPACE) {
    throw new FaasbenchError('InvalidParameterValue', `namespace "${namespace}": the local platform has one namespace, ${NAMESPACE}`);
  }
}

async function deploy(platform: PlatformApi, spec: Deployment): Promise<void> {
  checkNamespace(spec.namespace);
  if (spec.secrets?.length) throw new FaasbenchError('InvalidParameterValue', 'field "secrets": the local platform does not support secrets');
  const dir = folderOf(spec.image);
  const pkg = loadFunctionPackage(dir);
  const settings = settingsOf(spec);
  const environment = { ...pkg.manifest.environment, ...settings.environment, ...functionEnvironment(spec) };
  const manifest: FunctionManifestInput = { ...pkg.manifest, ...settings, environment, name: spec.service };
  await platform.deploy(manifest, { folder: pkg.dir, include: resolvedIncludes(pkg) });
  stateOf(platform).deployments.set(spec.service, {
    image: spec.image,
    envProcess: spec.envProcess ?? '',
    labels: spec.labels ?? {},
    annotations: spec.annotations ?? {},
    createdAt: new Date().toISOString(),
  });
  // An update keeps the count, as OpenFaaS's (from Prometheus) does.
  if (!stateOf(platform).invocations.has(spec.service)) stateOf(platform).invocations.set(spec.service, 0);
}

function folderOf(image: string): string {
  const dir = image.startsWith(LOCAL_IMAGE_PREFIX) ? image.slice(LOCAL_IMAGE_PREFIX.length) : '';
  if (!path.isAbsolute(dir)) {
    throw new FaasbenchError('InvalidParameterValue', `field "image": the local platform deploys folders: expected "${LOCAL_IMAGE_PREFIX}/absolute/path/to/function", got "${image}"`);
  }
  return dir;
}

/** The settings a deployment states: its annotation first, then the fields OpenFaaS itself defines. */
function settingsOf(spec: Deployment): Partial<FunctionSettingsInput> {
  const settings: Partial<FunctionSettingsInput> = { ...annotatedSettings(spec.annotations?.[SETTINGS_ANNOTATION]) };
  const timeout = spec.envVars?.exec_timeout;
  if (timeout !== undefined) settings.timeoutS = goDurationSeconds(timeout, 'envVars.exec_timeout');
  if (spec.limits?.memory !== undefined) settings.memoryMb = memoryMb(spec.limits.memory);
  const max = spec.labels?.[MAX_SCALE_LABEL];
  if (max !== undefined) {
    if (!/^[1-9]\d*$/.test(max)) throw new FaasbenchError('InvalidParameterValue', `field "labels.${MAX_SCALE_LABEL}": expected a positive whole number, got "${max}"`);
    settings.maxInstances = Number(max);
  }
  return settings;
}

function annotatedSettings(text: string | undefined): Partial<FunctionSettingsInput> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaasbenchError('InvalidParameterValue', `field "annotations.${SETTINGS_ANNOTATION}": expected a JSON object of function.json settings`);
  }
  return value as Partial<FunctionSettingsInput>;
}

/** envVars without the watchdog's timeouts, which are settings here rather than the function's environment. */
function functionEnvironment(spec: Deployment): Record<string, string> {
  return Object.fromEntries(Object.entries(spec.envVars ?? {}).filter(([k]) => !WATCHDOG_TIMEOUTS.has(k)));
}

/** Go's duration syntax as OpenFaaS timeouts use it: "30s", "1m30s", "500ms", or bare seconds. */
export function goDurationSeconds(text: string, field: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new FaasbenchError('InvalidParameterValue', `field "${field}": expected a duration such as "30s" or "1m30s", got "${text}"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0);
}

/** A Kubernetes memory quantity in MiB (Lambda's "MB"): 256Mi, 1Gi, 512M, 268435456. */
export function memoryMb(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|K|M|G)?$/.exec(quantity.trim());
  const factor: Record<string, number> = { '': 1 / 2 ** 20, Ki: 1 / 1024, Mi: 1, Gi: 1024, k: 1e3 / 2 ** 20, K: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
  if (!match) throw new FaasbenchError('InvalidParameterValue', `field "limits.memory": expected a quantity such as "256Mi" or "1Gi", got "${quantity}"`);
  return Math.round(Number(match[1]) * (factor[match[2] ?? ''] as number));
}

/** FunctionStatus: the platform's settings are the truth; the recorded deployment adds what only it knows. */
function statusOf(platform: PlatformApi, info: FunctionInfo): Record<string, unknown> {
  const recorded = stateOf(platform).deployments.get(info.name);
  const { [MAX_SCALE_LABEL]: _max, ...labels } = recorded?.labels ?? {};
  const instances = platform.instances(info.name).filter((i) => i.live);
  return {
    name: info.name,
    image: recorded?.image ?? '',
    namespace: NAMESPACE,
    envProcess: recorded?.envProcess ?? '',
    envVars: info.settings.environment,
    labels: { ...labels, ...(info.settings.maxInstances !== undefined ? { [MAX_SCALE_LABEL]: String(info.settings.maxInstances) } : {}) },
    annotations: { ...recorded?.annotations, [SETTINGS_ANNOTATION]: JSON.stringify(info.settings) },
    limits: { memory: `${info.settings.memoryMb}Mi` },
    invocationCount: stateOf(platform).invocations.get(info.name) ?? 0,
    // Instances start on demand, as with scale to zero: no instance is not unavailability.
    replicas: instances.length,
    availableReplicas: instances.filter((i) => i.phase === 'ready').length,
    createdAt: recorded?.createdAt ?? info.lastModified,
  };
}

// ---- /function and /async-function: invocation ----

/** `/function/<name>[.<namespace>]/<any path>`: Lambda-signature handlers have no use for the path. */
export function invokeFunction(ctx: RouteContext): Promise<void> {
  return invoke(ctx, false);
}

export function invokeAsync(ctx: RouteContext): Promise<void> {
  return invoke(ctx, true);
}

async function invoke({ platform, req, res, name: target }: RouteContext, async: boolean): Promise<void> {
  const [name = '', namespace] = target.split('.');
  checkNamespace(namespace);
  const event = eventOf(await readBody(req, MAX_PAYLOAD_BYTES));
  if (async) {
    if ((req.method ?? 'POST') !== 'POST') throw new FaasbenchError('InvalidParameterValue', `${req.method} /async-function/${name}: only POST queues a call`);
    if (req.headers['x-callback-url'] !== undefined) throw new FaasbenchError('InvalidParameterValue', 'header X-Callback-Url: the local platform does not deliver asynchronous results');
    await platform.invoke(name, event, { type: 'Event' });
    res.writeHead(202, { 'x-call-id': randomUUID(), 'content-length': 0 }).end();
    return;
  }
  const started = process.hrtime.bigint();
  const result = (await platform.invoke(name, event)) as InvocationResult;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const state = stateOf(platform);
  state.invocations.set(name, (state.invocations.get(name) ?? 0) + 1);
  const payload = result.outcome.payload;
  res.writeHead(result.outcome.kind === 'success' ? 200 : 500, {
    'content-type': 'application/json',
    'content-length': payload.length,
    'x-call-id': result.requestId,
    'x-duration-seconds': seconds.toFixed(6),
    ...groundTruthHeaders(result),
  });
  res.end(payload);
}

/** The body as a Lambda event: JSON stays as it is, anything else becomes a JSON string. */
function eventOf(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from('{}');
  const text = body.toString('utf8');
  try {
    JSON.parse(text);
    return body;
  } catch {
    return Buffer.from(JSON.stringify(text));
  }
}
