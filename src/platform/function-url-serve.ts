/**
 * Serving function URLs: `http://<url-id>.lambda-url.<region>.localhost:<port>/<path>` (the
 * gateway routes that host to `/lambda-url/<url-id>/<path>`) and that path form itself. The
 * request becomes Lambda's function URL event (function-url-event.ts), runs through
 * PlatformApi.invoke on the function or the URL's alias, and its result becomes the response.
 *
 * Answers as Lambda's: an unknown url id is 403 `{"Message":null}`; an AWS_IAM URL called without
 * a SigV4 signature, or a URL whose alias is gone, is 403 "Forbidden..."; a function error is 502
 * `Internal Server Error`; a throttle is 429; every response carries x-amzn-RequestId.
 *
 * Differences (docs/lambda-fidelity.md): a SigV4 signature is looked for, not verified (the Lambda
 * API here accepts any credentials too); an AuthType NONE URL needs no resource-based policy
 * (AddPermission) to be public; with a platform token, the URL routes need it like every other
 * invocation route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import { callerSpanContext, type SpanContext } from '../spans/trace-context.ts';
import { xrayRoot } from '../spans/xray-trace.ts';
import { corsHeaders, preflightHeaders } from './function-url-cors.ts';
import { functionUrlEvent, internalServerError, urlResponseOf, type UrlRequest, type UrlResponse } from './function-url-event.ts';
import { respondStreamed } from './function-url-stream.ts';
import { parseFunctionUrlHost, type FunctionUrlConfig, type InvokeMode } from './function-urls.ts';
import { groundTruthHeaders } from './ground-truth.ts';
import { readBody } from './http-io.ts';
import type { InvocationResult } from './invocation.ts';
import { MAX_PAYLOAD_BYTES, type InvokeOptions, type PlatformApi } from './platform-api.ts';
import type { Refusal } from './request-guard.ts';
import type { RouteContext } from './route-context.ts';
import { callerRoot, newRoot } from './trace-id.ts';

const FORBIDDEN = 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html';

/** One call through a URL, ready to run: what a responder needs. */
export interface UrlCall {
  readonly platform: PlatformApi;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly config: FunctionUrlConfig;
  readonly requestId: string;
  readonly traceId: string;
  /** The caller's span (traceparent, B3 or X-Amzn-Trace-Id): the platform's spans are its children. */
  readonly caller: SpanContext | undefined;
  /** The function URL event, serialized. */
  readonly payload: Buffer;
}

export type UrlResponder = (call: UrlCall) => Promise<void>;

/**
 * How a URL's InvokeMode is served: whole, or as the function streams it.
 */
export const RESPONDERS: Record<InvokeMode, UrlResponder> = {
  BUFFERED: respondBuffered,
  RESPONSE_STREAM: respondStreaming,
};

/** `ANY /lambda-url/<url-id>/...`; routes.ts decodes the id into `name`. */
export async function serveFunctionUrl({ platform, req, res, url, name: urlId, requestId }: RouteContext): Promise<void> {
  const host = parseFunctionUrlHost(req.headers.host);
  const config = platform.functionUrls.lookup(urlId);
  if (!config || (host !== undefined && host.region !== platform.functionUrls.region)) {
    return sendUrlJson(res, 403, { Message: null }, { 'x-amzn-errortype': 'AccessDeniedException' });
  }
  const accessKey = sigV4AccessKey(req, url);
  if (config.authType === 'AWS_IAM' && accessKey === undefined) return sendForbidden(res);
  const method = req.method ?? 'GET';
  const preflight = preflightHeaders(config.cors, method, req.headers);
  if (preflight) {
    res.writeHead(200, { ...preflight, 'content-length': 0 }).end();
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(req, MAX_PAYLOAD_BYTES);
  } catch (err) {
    if (!isFaasbenchError(err, 'RequestTooLarge')) throw err;
    return sendTooLarge(res);
  }
  const caller = callerSpanContext(req.headers);
  const traceId = traceIdOf(req.headers['x-amzn-trace-id'], caller);
  const event = functionUrlEvent(urlRequest(req, url, body, host !== undefined), {
    urlId: config.urlId,
    region: platform.functionUrls.region,
    requestId,
    time: new Date(),
    port: req.socket.localPort ?? 0,
    traceId,
    iamAccessKey: config.authType === 'AWS_IAM' ? accessKey : undefined,
  });
  await RESPONDERS[config.invokeMode ?? 'BUFFERED']({ platform, req, res, config, requestId, traceId, caller, payload: Buffer.from(JSON.stringify(event)) });
}

/** Runs the function, waits for its whole result, and answers with the response made of it. */
export async function respondBuffered(call: UrlCall): Promise<void> {
  const { platform, res, config, payload } = call;
  let result: InvocationResult;
  try {
    result = (await platform.invoke(config.functionName, payload, invokeOptions(call))) as InvocationResult;
  } catch (err) {
    if (!(err instanceof FaasbenchError)) throw err;
    return sendInvokeError(res, err);
  }
  answerWhole(call, result);
}

/** RESPONSE_STREAM: the response goes out as the function streams it (function-url-stream.ts). */
function respondStreaming(call: UrlCall): Promise<void> {
  const { platform, req, res, config, requestId, traceId, payload } = call;
  return respondStreamed({
    req,
    res,
    invoke: (options) => platform.invoke(config.functionName, payload, { ...options, ...invokeOptions(call) }),
    headers: { ...corsHeaders(config.cors, req.headers), 'x-amzn-requestid': requestId, 'x-amzn-trace-id': traceId },
    whole: (result) => answerWhole(call, result),
    refused: (err) => sendInvokeError(res, err),
  });
}

/** What every call through a URL runs with: the URL's alias, the event's request id, the caller's trace. */
function invokeOptions({ config, requestId, traceId, caller }: UrlCall): InvokeOptions {
  return { qualifier: config.qualifier, requestId, traceId, ...(caller ? { caller } : {}) };
}

/** A whole result as the URL's response. */
function answerWhole(call: UrlCall, result: InvocationResult): void {
  const { req, res, config, traceId } = call;
  const response: UrlResponse = result.outcome.kind === 'function-error' ? internalServerError() : urlResponseOf(result.outcome.payload);
  const headers = { ...response.headers, ...corsHeaders(config.cors, req.headers), ...groundTruthHeaders(result), 'x-amzn-requestid': result.requestId, 'x-amzn-trace-id': traceId };
  res.writeHead(response.status, { ...headers, 'content-length': response.body.length });
  res.end(req.method === 'HEAD' ? undefined : response.body);
}

/**
 * The caller's X-Ray header when it carries a well-formed Root (Lambda continues the trace), else
 * the trace of its traceparent or B3 as a Root (the same trace under AWS's mapping), else a new one.
 */
function traceIdOf(sent: string | string[] | undefined, caller: SpanContext | undefined): string {
  if (typeof sent === 'string' && callerRoot(sent) !== undefined) return sent;
  return `Root=${caller ? xrayRoot(caller.traceId) : newRoot()}`;
}

/** Why an invocation was refused, as Lambda's URL front end says it. */
function sendInvokeError(res: ServerResponse, err: FaasbenchError): void {
  if (err.code === 'TooManyRequests') return sendUrlJson(res, 429, { Message: 'Rate Exceeded.' });
  if (err.code === 'RequestTooLarge') return sendTooLarge(res);
  // The function or the URL's alias is gone: Lambda keeps the URL, and refuses calls to it.
  if (err.code === 'ResourceNotFound') return sendForbidden(res);
  sendUrlJson(res, 500, { Message: 'Internal Server Error' });
}

/** The request as function-url-event.ts takes it: the path as sent, with the path form's prefix off. */
function urlRequest(req: IncomingMessage, url: URL, body: Buffer, hostForm: boolean): UrlRequest {
  // An absolute-form target (`GET http://host/path`, as to a proxy) is read as its path and query.
  const target = req.url?.startsWith('/') ? req.url : `${url.pathname}${url.search}`;
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    // What the gateway removed (the platform's credential) stays out of the event.
    if (name.toLowerCase() in req.headers) headers.push([name, req.rawHeaders[i + 1] as string]);
  }
  return {
    method: req.method ?? 'GET',
    rawPath: hostForm ? path : (/^\/lambda-url\/[^/?]+(\/.*)?$/i.exec(path)?.[1] ?? '/'),
    rawQueryString: queryAt === -1 ? '' : target.slice(queryAt + 1),
    headers,
    body,
    sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
  };
}

/**
 * The access key of a SigV4-signed request (Authorization header or presigned query), read from
 * the raw headers: the gateway takes the platform's token, which may be that key, out of
 * req.headers before handlers run.
 */
function sigV4AccessKey(req: IncomingMessage, url: URL): string | undefined {
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if ((req.rawHeaders[i] as string).toLowerCase() !== 'authorization') continue;
    const key = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//.exec(req.rawHeaders[i + 1] as string)?.[1];
    if (key !== undefined) return key;
  }
  const credential = url.searchParams.get('X-Amz-Credential');
  return url.searchParams.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' && credential ? credential.split('/')[0] : undefined;
}

function sendForbidden(res: ServerResponse): void {
  sendUrlJson(res, 403, { Message: FORBIDDEN }, { 'x-amzn-errortype': 'AccessDeniedException' });
}

function sendTooLarge(res: ServerResponse): void {
  sendUrlJson(res, 413, { Message: `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation` });
}

/** The gateway has set x-amzn-RequestId already. */
function sendUrlJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
  res.end(body);
}

/** An error a URL route threw (a malformed url id escape), in the URL's shape; routes.ts calls this. */
export function sendUrlError(res: ServerResponse, status: number, err: FaasbenchError): void {
  sendUrlJson(res, status, { Message: err.message });
}

/** A refusal by the gateway's guard (Host, or the platform token), in the URL's shape; routes.ts calls this. */
export function sendUrlRefusal(res: ServerResponse, refusal: Refusal): void {
  sendUrlJson(res, 403, { Message: refusal.message }, { 'x-amzn-errortype': 'AccessDeniedException' });
}
