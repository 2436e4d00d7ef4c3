/**
 * The HTTP trigger, `ANY /fn/<name>/...`: the request becomes an API Gateway HTTP API (payload
 * format 2.0) event and the handler's result becomes the response, with API Gateway's rules for
 * results that are not `{ statusCode, body }` objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { FaasbenchError } from '../core/errors.ts';
import { callerSpanContext } from '../spans/trace-context.ts';
import { groundTruthHeaders } from './ground-truth.ts';
import { readBody, sendJson } from './http-io.ts';
import type { InvocationResult } from './invocation.ts';
import { ACCOUNT_ID, MAX_PAYLOAD_BYTES } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded))/;

/** `ANY /fn/<name>/<path>`; routes.ts decodes the name, and the path goes to the event as sent. */
export async function httpTrigger({ platform, req, res, url, name }: RouteContext): Promise<void> {
  const rawPath = /^\/fn\/[^/]+(\/.*)?$/.exec(url.pathname)?.[1] ?? '/';
  let body: Buffer;
  try {
    body = await readBody(req, MAX_PAYLOAD_BYTES);
  } catch (err) {
    if (err instanceof FaasbenchError && err.code === 'RequestTooLarge') {
      sendJson(res, 413, { message: 'Request Entity Too Large' });
      return;
    }
    throw err;
  }
  const event = apiGatewayEvent(req, url, rawPath, body);
  let result: InvocationResult;
  try {
    const caller = callerSpanContext(req.headers);
    result = (await platform.invoke(name, Buffer.from(JSON.stringify(event)), caller ? { caller } : {})) as InvocationResult;
  } catch (err) {
    if (err instanceof FaasbenchError && err.code === 'ResourceNotFound') sendJson(res, 404, { message: 'Not Found' });
    else if (err instanceof FaasbenchError && err.code === 'TooManyRequests') sendJson(res, 429, { message: 'Too Many Requests' });
    else if (err instanceof FaasbenchError && err.code === 'RequestTooLarge') sendJson(res, 413, { message: 'Request Entity Too Large' });
    else throw err;
    return;
  }
  writeResult(res, result);
}

function apiGatewayEvent(req: IncomingMessage, url: URL, rawPath: string, body: Buffer): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (key === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  const binary = body.length > 0 && contentType !== '' && !TEXT_TYPES.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: binary,
  };
}

function writeResult(res: ServerResponse, result: InvocationResult): void {
  const truth = groundTruthHeaders(result);
  if (result.outcome.kind === 'function-error') {
    sendJson(res, 502, { message: 'Internal Server Error' }, truth);
    return;
  }
  const text = result.outcome.payload.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  // API Gateway: a result without statusCode is the body of a 200 JSON response.
  if (typeof value !== 'object' || value === null || !('statusCode' in value)) {
    const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, ...truth }).end(body);
    return;
  }
  const shaped = value as { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
  const body = shaped.body === undefined ? Buffer.alloc(0) : Buffer.from(shaped.body, shaped.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(shaped.statusCode, {
    'content-type': 'application/json',
    ...shaped.headers,
    ...(shaped.cookies ? { 'set-cookie': shaped.cookies } : {}),
    'content-length': body.length,
    ...truth,
  });
  res.end(body);
}
