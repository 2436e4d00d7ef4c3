/**
 * A function URL's HTTP request as the event Lambda hands the function (payload format 2.0), and
 * the function's result as the HTTP response Lambda makes of it. Pure: the serving code
 * (function-url-serve.ts) reads the request and writes the response.
 *
 * Where Lambda's documentation and Lambda differ, this follows what Lambda was seen to do
 * (LocalStack's snapshot tests recorded against AWS): a string result is the body as it is (the
 * documentation shows it quoted), a JSON result without statusCode is re-serialized compactly,
 * `"statusCode": "418"` is a status, and NONE calls carry `requestContext.accountId: "anonymous"`.
 */
import { ACCOUNT_ID } from './platform-api.ts';

/** The request as it came, before any mapping. */
export interface UrlRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded, without the path form's `/lambda-url/<id>` prefix. */
  readonly rawPath: string;
  /** After the `?`, as sent; '' without one. */
  readonly rawQueryString: string;
  /** Header lines in arrival order (Node's rawHeaders, paired), names in any case. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** `HTTP/1.1` */
  readonly protocol: string;
}

/** What Lambda adds to the request: the URL's identity, the call's ids and time, the caller. */
export interface UrlEventContext {
  readonly urlId: string;
  readonly region: string;
  readonly requestId: string;
  readonly time: Date;
  /** The port the request reached (x-forwarded-port). */
  readonly port: number;
  /** The X-Ray header Lambda adds, `Root=1-...` (x-amzn-trace-id). */
  readonly traceId: string;
  /** The SigV4 access key of an AWS_IAM URL's caller; undefined for NONE. */
  readonly iamAccessKey: string | undefined;
}

export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly routeKey: '$default';
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: string[];
  readonly headers: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly requestContext: Record<string, unknown>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** Connection-level headers: Lambda's front end answers them itself and does not pass them on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive']);

export function functionUrlEvent(request: UrlRequest, context: UrlEventContext): FunctionUrlEvent {
  const { headers, cookies } = eventHeaders(request, context);
  const query = queryParameters(request.rawQueryString);
  const binary = request.body.length > 0 && !isTextContentType(headers['content-type']);
  const domainName = `${context.urlId}.lambda-url.${context.region}.localhost`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: context.iamAccessKey === undefined ? 'anonymous' : ACCOUNT_ID,
      apiId: context.urlId,
      ...(context.iamAccessKey === undefined ? {} : { authorizer: { iam: iamCaller(context.iamAccessKey) } }),
      domainName,
      domainPrefix: context.urlId,
      http: { method: request.method, path: request.rawPath, protocol: request.protocol, sourceIp: request.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: context.requestId,
      routeKey: '$default',
      stage: '$default',
      time: requestTime(context.time),
      timeEpoch: context.time.getTime(),
    },
    ...(request.body.length > 0 ? { body: request.body.toString(binary ? 'base64' : 'utf8') } : {}),
    isBase64Encoded: binary,
  };
}

/** Names lower-cased, repeats joined with `,`; cookies apart, split at `;`; the forwarding headers Lambda adds. */
function eventHeaders(request: UrlRequest, context: UrlEventContext): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, value] of request.headers) {
    const name = rawName.toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c !== ''));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor === undefined ? request.sourceIp : `${forwardedFor}, ${request.sourceIp}`;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(context.port);
  headers['x-amzn-trace-id'] = context.traceId;
  return { headers, cookies };
}

/** Repeated keys joined with `,`, as Lambda does; undefined without a query. */
function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) query[name] = name in query ? `${query[name]},${value}` : value;
  return Object.keys(query).length > 0 ? query : undefined;
}

/**
 * Lambda passes a body as text only when its content type says text (text/*, JSON, XML,
 * JavaScript); anything else, form posts and a missing type included, arrives base64-encoded.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type.startsWith('text/') || /^[\w.-]+\/(json|xml|javascript|[\w.-]+\+(json|xml))$/.test(type);
}

/** Who signed an AWS_IAM call: any credentials are this account's on the local platform. */
function iamCaller(accessKey: string): Record<string, unknown> {
  return { accessKey, accountId: ACCOUNT_ID, callerId: ACCOUNT_ID, cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${ACCOUNT_ID}:root`, userId: ACCOUNT_ID };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `07/Sep/2021:22:50:22 +0000`, the access-log time of Lambda's requestContext. */
export function requestTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

// ---- the response ----

export interface UrlResponse {
  readonly status: number;
  /** Lower-case names; set-cookie may repeat. */
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** What Lambda answers when the function failed or its result is not a response it can make. */
export function internalServerError(): UrlResponse {
  return { status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('Internal Server Error') };
}

/** Headers a function may not set: they describe the message, and the platform writes the message. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);
/** RFC 9110's token and field-value: a result that breaks them is no response, not a header to inject. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The function's successful result as the HTTP response: an object with statusCode is the
 * response itself; a string is the body; any other JSON is a 200 JSON body.
 */
export function urlResponseOf(payload: Buffer): UrlResponse {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    // A custom runtime may post any bytes: they are the body.
    return jsonBody(payload);
  }
  if (typeof value === 'string') return jsonBody(Buffer.from(value));
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('statusCode' in value)) return jsonBody(Buffer.from(JSON.stringify(value)));
  return shapedResponse(value as Record<string, unknown>);
}

function jsonBody(body: Buffer): UrlResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

function shapedResponse(shaped: Record<string, unknown>): UrlResponse {
  const status = statusOf(shaped.statusCode);
  if (status === undefined) return internalServerError();
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  if (typeof shaped.headers === 'object' && shaped.headers !== null) {
    for (const [name, value] of Object.entries(shaped.headers)) {
      const lower = name.toLowerCase();
      if (FRAMING.has(lower) || value === null || typeof value === 'object' || value === undefined) continue;
      if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(String(value))) return internalServerError();
      headers[lower] = String(value);
    }
  }
  const cookies = Array.isArray(shaped.cookies) ? shaped.cookies.filter((c): c is string => typeof c === 'string') : [];
  if (!cookies.every((c) => HEADER_VALUE.test(c))) return internalServerError();
  if (cookies.length > 0) {
    const own = headers['set-cookie'];
    headers['set-cookie'] = [...(own === undefined ? [] : [own].flat()), ...cookies];
  }
  return { status, headers, body: bodyOf(shaped.body, shaped.isBase64Encoded === true) };
}

function statusOf(value: unknown): number | undefined {
  const status = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

function bodyOf(body: unknown, base64: boolean): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, base64 ? 'base64' : 'utf8');
  return Buffer.from(JSON.stringify(body));
}
