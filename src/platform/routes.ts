/**
 * Every route of the gateway in one table: method, path pattern, which API answers it (and so the
 * shape of its errors), what credential it needs, and its handler. One decoding of the function
 * name segment for all of them: a malformed `%` escape is a 400 naming the segment.
 */
import type { ServerResponse } from 'node:http';
import { FaasbenchError } from '../core/errors.ts';
import { serveFunctionUrl, sendUrlError, sendUrlRefusal } from './function-url-serve.ts';
import { sendJson } from './http-io.ts';
import { httpTrigger } from './http-trigger.ts';
import * as lambda from './lambda-api.ts';
import { LAMBDA_OPERATION_PATHS, notImplemented } from './lambda-not-implemented.ts';
import * as urls from './lambda-function-urls.ts';
import * as openfaas from './openfaas-api.ts';
import * as xray from './xray-api.ts';
import type { Access, Refusal } from './request-guard.ts';
import type { RouteContext } from './route-context.ts';
import { answerSts } from './sts-api.ts';

/** Whose error shapes a route answers with. */
export type ApiName = 'lambda' | 'openfaas' | 'trigger' | 'url' | 'gateway';

export interface Route {
  /** `*` for any method. */
  readonly method: string;
  /** Matched against the URL's pathname as sent (still percent-encoded); group `name` is the function name. */
  readonly pattern: RegExp;
  readonly api: ApiName;
  readonly access: Access;
  readonly handler: (ctx: RouteContext) => Promise<void> | void;
}

const FN = '/2015-03-31/functions';
const NAME = '(?<name>[^/]+)';
const URL_FN = '/2021-10-31/functions';
const route = (method: string, pattern: string, api: ApiName, access: Access, handler: Route['handler']): Route => ({ method, pattern: new RegExp(`^${pattern}$`), api, access, handler });

/** First match wins: each API's catch-all comes after its routes. */
export const ROUTES: readonly Route[] = [
  route('GET', `${FN}/?`, 'lambda', 'admin', lambda.listFunctions),
  route('POST', `${FN}/?`, 'lambda', 'admin', lambda.createFunction),
  route('GET', `${FN}/${NAME}`, 'lambda', 'admin', lambda.getFunction),
  route('DELETE', `${FN}/${NAME}`, 'lambda', 'admin', lambda.deleteFunction),
  route('PUT', `${FN}/${NAME}/code`, 'lambda', 'admin', lambda.updateFunctionCode),
  route('GET', `${FN}/${NAME}/configuration`, 'lambda', 'admin', lambda.getConfiguration),
  route('PUT', `${FN}/${NAME}/configuration`, 'lambda', 'admin', lambda.updateConfiguration),
  route('POST', `${FN}/${NAME}/invocations`, 'lambda', 'invoke', lambda.invoke),
  route('POST', `/2021-11-15/functions/${NAME}/response-streaming-invocations`, 'lambda', 'invoke', lambda.invokeWithResponseStream),
  route('GET', `${FN}/${NAME}/versions`, 'lambda', 'admin', lambda.listVersions),
  route('POST', `${FN}/${NAME}/versions`, 'lambda', 'admin', lambda.publishVersion),
  route('GET', `${FN}/${NAME}/aliases`, 'lambda', 'admin', lambda.listAliases),
  route('POST', `${FN}/${NAME}/aliases`, 'lambda', 'admin', lambda.createAlias),
  route('GET', `${FN}/${NAME}/aliases/(?<alias>[^/]+)`, 'lambda', 'admin', lambda.getAlias),
  route('PUT', `${FN}/${NAME}/aliases/(?<alias>[^/]+)`, 'lambda', 'admin', lambda.updateAlias),
  route('DELETE', `${FN}/${NAME}/aliases/(?<alias>[^/]+)`, 'lambda', 'admin', lambda.deleteAlias),
  route('PUT', `/2017-10-31/functions/${NAME}/concurrency`, 'lambda', 'admin', lambda.putFunctionConcurrency),
  route('DELETE', `/2017-10-31/functions/${NAME}/concurrency`, 'lambda', 'admin', lambda.deleteFunctionConcurrency),
  route('GET', `/2019-09-30/functions/${NAME}/concurrency`, 'lambda', 'admin', lambda.getFunctionConcurrency),
  route('PUT', `/2019-09-30/functions/${NAME}/provisioned-concurrency`, 'lambda', 'admin', lambda.putProvisioned),
  route('GET', `/2019-09-30/functions/${NAME}/provisioned-concurrency`, 'lambda', 'admin', lambda.getProvisioned),
  route('DELETE', `/2019-09-30/functions/${NAME}/provisioned-concurrency`, 'lambda', 'admin', lambda.deleteProvisioned),
  route('GET', '/2016-08-19/account-settings/?', 'lambda', 'admin', lambda.getAccountSettings),
  route('PUT', `/2019-09-25/functions/${NAME}/event-invoke-config`, 'lambda', 'admin', lambda.putEventInvokeConfig),
  route('POST', `/2019-09-25/functions/${NAME}/event-invoke-config`, 'lambda', 'admin', lambda.updateEventInvokeConfig),
  route('GET', `/2019-09-25/functions/${NAME}/event-invoke-config`, 'lambda', 'admin', lambda.getEventInvokeConfig),
  route('DELETE', `/2019-09-25/functions/${NAME}/event-invoke-config`, 'lambda', 'admin', lambda.deleteEventInvokeConfig),
  route('GET', `/2019-09-25/functions/${NAME}/event-invoke-config/list`, 'lambda', 'admin', lambda.listEventInvokeConfigs),
  route('GET', `/2017-03-31/tags/${NAME}`, 'lambda', 'admin', lambda.listTags),
  route('POST', `/2017-03-31/tags/${NAME}`, 'lambda', 'admin', lambda.tagResource),
  route('DELETE', `/2017-03-31/tags/${NAME}`, 'lambda', 'admin', lambda.untagResource),
  route('GET', `/faasbench/code/${NAME}`, 'lambda', 'signed', lambda.downloadCode),

  route('GET', '/system/functions', 'openfaas', 'admin', openfaas.listFunctions),
  route('POST', '/system/functions', 'openfaas', 'admin', openfaas.deployFunction),
  route('PUT', '/system/functions', 'openfaas', 'admin', openfaas.deployFunction),
  route('DELETE', '/system/functions', 'openfaas', 'admin', openfaas.deleteFunction),
  route('GET', `/system/function/${NAME}`, 'openfaas', 'admin', openfaas.functionStatus),
  route('GET', '/system/info', 'openfaas', 'admin', openfaas.systemInfo),
  route('*', '/system/.*', 'openfaas', 'admin', openfaas.noSystemRoute),
  // `<name>` or `<name>.<namespace>`, then any path; an empty name is a function not found.
  route('*', '/function/(?<name>[^/]*)(/.*)?', 'openfaas', 'invoke', openfaas.invokeFunction),
  route('*', '/async-function/(?<name>[^/]*)(/.*)?', 'openfaas', 'invoke', openfaas.invokeAsync),

  route('*', `/fn/${NAME}(/.*)?`, 'trigger', 'invoke', httpTrigger),

  // Function URLs: the config API (Lambda's 2021-10-31 paths), then the URLs themselves; the
  // gateway routes a URL's own host (<url-id>.lambda-url.<region>.localhost) to the path form.
  route('POST', `${URL_FN}/${NAME}/url`, 'lambda', 'admin', urls.createFunctionUrlConfig),
  route('GET', `${URL_FN}/${NAME}/url`, 'lambda', 'admin', urls.getFunctionUrlConfig),
  route('PUT', `${URL_FN}/${NAME}/url`, 'lambda', 'admin', urls.updateFunctionUrlConfig),
  route('DELETE', `${URL_FN}/${NAME}/url`, 'lambda', 'admin', urls.deleteFunctionUrlConfig),
  route('GET', `${URL_FN}/${NAME}/urls`, 'lambda', 'admin', urls.listFunctionUrlConfigs),
  route('*', `/lambda-url/${NAME}(/.*)?`, 'url', 'invoke', serveFunctionUrl),

  // X-Ray's trace reads (its SDK client's paths), answered in the Lambda API's error shape, which X-Ray shares.
  route('POST', '/TraceSummaries', 'lambda', 'admin', xray.getTraceSummaries),
  route('POST', '/Traces', 'lambda', 'admin', xray.batchGetTraces),

  // Every other operation of Lambda's API, under any of its versions' prefixes: a 501 naming it.
  route('*', LAMBDA_OPERATION_PATHS, 'lambda', 'admin', notImplemented),

  // STS's GetCallerIdentity (query protocol, POST /) for `check-credentials`: sts-api.ts.
  route('POST', '/', 'lambda', 'admin', answerSts),

  route('*', '/healthz', 'gateway', 'admin', healthz),
  route('*', '/metrics', 'gateway', 'admin', metrics),
  route('*', '.*', 'gateway', 'admin', noRoute),
];

export interface Matched {
  readonly route: Route;
  /** The pattern's named segments (`name`, `alias`) as sent; decodeSegment decodes each. */
  readonly rawSegments: Readonly<Record<string, string>>;
}

export function matchRoute(method: string, pathname: string): Matched {
  for (const candidate of ROUTES) {
    if (candidate.method !== '*' && candidate.method !== method) continue;
    const match = candidate.pattern.exec(pathname);
    if (match) return { route: candidate, rawSegments: { ...match.groups } };
  }
  // The table ends with a catch-all.
  throw new Error(`no route matched ${method} ${pathname}`);
}

/** decodeURIComponent, with its URIError ("URI malformed") as a 400 that says which segment. */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new FaasbenchError('InvalidRequestContent', `path segment "${raw}" has a malformed percent-escape: % must be followed by two hex digits of UTF-8`);
  }
}

/** An error from a route, answered in its API's shape. */
export function sendError(api: ApiName, res: ServerResponse, err: FaasbenchError): void {
  if (api === 'openfaas') openfaas.sendText(res, openfaas.STATUS_OF[err.code], err.message);
  else if (api === 'trigger') sendJson(res, lambda.statusOf(err), { message: err.message });
  else if (api === 'url') sendUrlError(res, lambda.statusOf(err), err);
  else lambda.sendLambdaError(res, err);
}

/** A refusal by the guard, in the route's API's shape: always 403, but OpenFaaS asks for basic auth with 401. */
export function sendRefusal(api: ApiName, res: ServerResponse, refusal: Refusal): void {
  if (api === 'openfaas') {
    const status = refusal.reason === 'credential' ? 401 : 403;
    res.writeHead(status, { 'content-type': 'text/plain', ...(status === 401 ? { 'www-authenticate': 'Basic realm="Restricted"' } : {}) });
    res.end(status === 401 ? 'Unauthorized\n' : `Forbidden: ${refusal.message}\n`);
  } else if (api === 'trigger') sendJson(res, 403, { message: refusal.message });
  else if (api === 'url') sendUrlRefusal(res, refusal);
  else lambda.sendLambdaError(res, new FaasbenchError('Unauthorized', refusal.message), refusal.reason === 'credential' ? undefined : 'AccessDeniedException');
}

function healthz({ platform, res }: RouteContext): void {
  sendJson(res, 200, { status: 'ok', functions: platform.list().length, ...platform.facts, reaped: platform.reaped });
}

async function metrics({ platform, res }: RouteContext): Promise<void> {
  const text = await platform.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': platform.metrics.registry.contentType }).end(text);
}

function noRoute({ req, res, url }: RouteContext): void {
  sendJson(res, 404, { message: `no route for ${req.method ?? 'GET'} ${url.pathname}` });
}
