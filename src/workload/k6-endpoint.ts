/**
 * The HTTP request a k6 script sends for one call, worked out from a provider's name and options
 * the way that provider calls (src/providers/README.md): the local platform's and Lambda's Invoke
 * REST path, OpenFaaS's `/function/<name>`, a Knative Service through its ingress, the http
 * provider's URL. Secrets (tokens, passwords) are never written into the script: it reads them
 * from environment variables when k6 runs, and says which.
 *
 * Plain data in, plain data out: providers/ is a layer above workload/, so the few paths and
 * headers are restated here rather than imported.
 */
import { FaasbenchError } from '../core/errors.ts';

/** A header whose value the script builds from an environment variable at run time. */
export interface SecretHeader {
  readonly header: string;
  readonly env: string;
  /** `Bearer <value>`, or `Basic base64(<user>:<value>)`. */
  readonly scheme: { readonly kind: 'bearer' } | { readonly kind: 'basic'; readonly user: string };
}

export interface K6Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly secretHeaders: readonly SecretHeader[];
  /** null: no body (GET). */
  readonly body: string | null;
  /** Requests to AWS itself are signed per call with SigV4 (k6's jslib aws); region literal or from $AWS_REGION. */
  readonly sigv4?: { readonly region: string | null; readonly path: string };
  /** The client's limit per call, as the provider's `timeoutMs`. */
  readonly timeoutMs: number;
  /** What the person running k6 must know (printed, and written into the script). */
  readonly notes: readonly string[];
}

/** faasbench's HTTP providers' default limit per call (src/providers/http-client.ts). */
const DEFAULT_TIMEOUT_MS = 960_000;
/** Where `faasbench platform start` listens unless told otherwise. */
export const LOCAL_PLATFORM_URL = 'http://127.0.0.1:9000';
const JSON_TYPE = { 'content-type': 'application/json' } as const;

type Options = Readonly<Record<string, unknown>>;
type Builder = (fn: string, body: string, o: Options) => Omit<K6Request, 'timeoutMs'>;

const BUILDERS: Readonly<Record<string, Builder>> = {
  local: localRequest,
  'aws-lambda': lambdaRequest,
  openfaas: openFaasRequest,
  http: httpRequest,
  knative: knativeRequest,
  grpc: () => {
    throw noHttp('grpc', 'it calls a gRPC method');
  },
};

/** The request for calls of `fn` with `body` (the event's JSON) through `provider`. */
export function k6Request(provider: string, options: Options, fn: string, body: string): K6Request {
  const build = Object.hasOwn(BUILDERS, provider) ? BUILDERS[provider] : undefined;
  if (!build) throw new FaasbenchError('InvalidParameterValue', `provider "${provider}": k6 export knows ${Object.keys(BUILDERS).join(', ')}`);
  const timeoutMs = options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : positive(provider, 'timeoutMs', options.timeoutMs);
  return { ...build(fn, body, options), timeoutMs };
}

function noHttp(provider: string, why: string): FaasbenchError {
  return new FaasbenchError(
    'InvalidParameterValue',
    `provider ${provider} has no plain HTTP endpoint to export to k6 (${why}); k6 export writes k6/http scripts: export through a provider that calls over HTTP (local, aws-lambda, openfaas, http, knative with protocol=http)`,
  );
}

function text(provider: string, key: string, value: unknown, required: true): string;
function text(provider: string, key: string, value: unknown, required?: false): string | undefined;
function text(provider: string, key: string, value: unknown, required = false): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') throw new FaasbenchError('InvalidParameterValue', `provider ${provider}: option "${key}": expected a text${required ? ' (needed to export to k6)' : ''}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function positive(provider: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new FaasbenchError('InvalidParameterValue', `provider ${provider}: option "${key}": expected a whole number above 0, got ${JSON.stringify(value)}`);
  return value;
}

function httpUrl(provider: string, key: string, value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new FaasbenchError('InvalidParameterValue', `provider ${provider}: option "${key}": expected an http:// or https:// URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

const invokePath = (fn: string): string => `/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`;

const bearer = (env: string): SecretHeader => ({ header: 'authorization', env, scheme: { kind: 'bearer' } });

function localRequest(fn: string, body: string, o: Options): Omit<K6Request, 'timeoutMs'> {
  const given = text('local', 'url', o.url);
  const base = given === undefined ? LOCAL_PLATFORM_URL : httpUrl('local', 'url', given);
  const notes = [
    ...(given === undefined ? [`no -o url given: calls go to ${LOCAL_PLATFORM_URL}, where \`faasbench platform start\` listens; start it there and deploy ${fn} to it (\`faasbench deploy ${fn} --provider local -o url=${LOCAL_PLATFORM_URL}\`) before running k6`] : []),
    ...(o.token !== undefined ? ['the platform token is read from $FAASBENCH_TOKEN when k6 runs'] : []),
  ];
  return { method: 'POST', url: `${base}${invokePath(fn)}`, headers: JSON_TYPE, secretHeaders: o.token === undefined ? [] : [bearer('FAASBENCH_TOKEN')], body, notes };
}

function lambdaRequest(fn: string, body: string, o: Options): Omit<K6Request, 'timeoutMs'> {
  const endpoint = text('aws-lambda', 'endpoint', o.endpoint);
  if (endpoint !== undefined) {
    // A Lambda-compatible endpoint (the local platform) takes its token as a bearer, and no signature.
    const notes = o.token === undefined ? [] : ['the endpoint token is read from $FAASBENCH_TOKEN when k6 runs'];
    return { method: 'POST', url: `${httpUrl('aws-lambda', 'endpoint', endpoint)}${invokePath(fn)}`, headers: JSON_TYPE, secretHeaders: o.token === undefined ? [] : [bearer('FAASBENCH_TOKEN')], body, notes };
  }
  const region = text('aws-lambda', 'region', o.region) ?? null;
  const host = `lambda.${region ?? '$AWS_REGION'}.amazonaws.com`;
  const notes = [
    `calls are signed with SigV4 by k6's jslib aws (fetched by k6 from jslib.k6.io) from $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY and $AWS_SESSION_TOKEN${region === null ? ', in $AWS_REGION' : ''}; k6 does not read ~/.aws${o.profile !== undefined ? ' (option "profile" is not used)' : ''}`,
  ];
  return { method: 'POST', url: `https://${host}${invokePath(fn)}`, headers: JSON_TYPE, secretHeaders: [], body, sigv4: { region, path: invokePath(fn) }, notes };
}

function openFaasRequest(fn: string, body: string, o: Options): Omit<K6Request, 'timeoutMs'> {
  const base = httpUrl('openfaas', 'url', text('openfaas', 'url', o.url, true));
  const namespace = text('openfaas', 'namespace', o.namespace);
  const name = namespace === undefined ? fn : `${fn}.${namespace}`;
  const user = text('openfaas', 'user', o.user) ?? 'admin';
  const secretHeaders: SecretHeader[] = o.password === undefined ? [] : [{ header: 'authorization', env: 'OPENFAAS_PASSWORD', scheme: { kind: 'basic', user } }];
  const notes = o.password === undefined ? [] : [`the gateway password is read from $OPENFAAS_PASSWORD when k6 runs (user ${user})`];
  const contentType = text('openfaas', 'contentType', o.contentType) ?? 'application/json';
  return { method: 'POST', url: `${base}/function/${encodeURIComponent(name)}`, headers: { 'content-type': contentType }, secretHeaders, body, notes };
}

function httpRequest(fn: string, payload: string, o: Options): Omit<K6Request, 'timeoutMs'> {
  const name = encodeURIComponent(fn);
  const url = text('http', 'url', o.url, true).replaceAll('{fn}', name);
  httpUrl('http', 'url', url);
  const method = text('http', 'method', o.method) ?? 'POST';
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw new FaasbenchError('InvalidParameterValue', `provider http: option "method": expected GET, POST, PUT, PATCH or DELETE, got "${method}"`);
  const headers = { ...stringRecord('http', 'headers', o.headers) };
  const host = text('http', 'host', o.host);
  if (host !== undefined) headers.host = host.replaceAll('{fn}', name);
  const template = text('http', 'body', o.body);
  const body = method === 'GET' ? null : template === undefined ? payload : template.replaceAll('{payload}', payload);
  return { method, url, headers, secretHeaders: [], body, notes: [] };
}

function stringRecord(provider: string, key: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new FaasbenchError('InvalidParameterValue', `provider ${provider}: option "${key}": expected an object of texts, e.g. {"x-api-key":"..."}`);
  }
  return { ...(value as Record<string, string>) };
}

function knativeRequest(fn: string, body: string, o: Options): Omit<K6Request, 'timeoutMs'> {
  if (o.protocol === 'grpc') throw noHttp('knative', 'protocol=grpc calls a gRPC method');
  const ingress = httpUrl('knative', 'ingress', text('knative', 'ingress', o.ingress, true));
  const path = text('knative', 'path', o.path) ?? '/';
  const namespace = text('knative', 'namespace', o.namespace) ?? 'default';
  const domain = text('knative', 'domain', o.domain) ?? 'example.com';
  const contentType = text('knative', 'contentType', o.contentType) ?? 'application/json';
  return { method: 'POST', url: `${ingress}${path}`, headers: { host: `${fn}.${namespace}.${domain}`, 'content-type': contentType }, secretHeaders: [], body, notes: [] };
}
