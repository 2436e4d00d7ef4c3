/**
 * The answer for a Lambda API operation the local platform does not implement: an explicit error
 * naming the operation, never a 404 a tool would read as "the function does not exist".
 *
 * 501 with `x-amzn-errortype: NotImplementedException`: boto3 and the AWS CLI raise it as a
 * ClientError with that code and the message, the JS SDK as a LambdaServiceException named
 * NotImplementedException ($fault "server"); none of them retries a 501 (they retry 500, 502, 503,
 * 504 and throttling), so the answer comes at once. A path that is no operation at all is 404
 * UnknownOperationException, as AWS's REST services answer one.
 */
import { sendJson } from './http-io.ts';
import { LAMBDA_OPERATIONS, type LambdaOperationName } from './lambda-operations.ts';
import type { RouteContext } from './route-context.ts';

export const NOT_IMPLEMENTED_TYPE = 'NotImplementedException';
export const UNKNOWN_OPERATION_TYPE = 'UnknownOperationException';

export function notImplementedMessage(operation: string): string {
  return `faasbench's local Lambda does not implement ${operation}`;
}

interface Template {
  readonly name: LambdaOperationName;
  readonly method: string;
  readonly path: RegExp;
  /** `key=value` pairs the operation always sends (ListProvisionedConcurrencyConfigs' `List=ALL`). */
  readonly query: readonly (readonly [string, string])[];
  /** Characters outside labels: the more, the more specific where two templates match. */
  readonly literals: number;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(op: (typeof LAMBDA_OPERATIONS)[number]): Template {
  const [pathPart = '', queryPart] = op.requestUri.split('?');
  // Clients differ on a trailing slash (botocore `/functions/`, the JS SDK `/functions`): either matches.
  const trimmed = pathPart.replace(/\/$/, '');
  const source = trimmed
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? (part.endsWith('+}') ? '.+' : '[^/]+') : escape(part)))
    .join('');
  return {
    name: op.name,
    method: op.method,
    path: new RegExp(`^${source}/?$`),
    query: queryPart ? [...new URLSearchParams(queryPart)] : [],
    literals: trimmed.replace(/\{[^}]+\}/g, '').length,
  };
}

const TEMPLATES: readonly Template[] = LAMBDA_OPERATIONS.map(compile);

/**
 * The operation a request is, from its method, its pathname as sent (still percent-encoded, no
 * query) and its query string (`url.search`): two pairs of operations share a path and differ by a
 * query the client always sends (GetLayerVersionByArn's `find=LayerVersion`,
 * ListProvisionedConcurrencyConfigs' `List=ALL`). Undefined when it is none.
 */
export function matchOperation(method: string, pathname: string, search = ''): LambdaOperationName | undefined {
  const params = new URLSearchParams(search);
  let best: Template | undefined;
  for (const t of TEMPLATES) {
    if (t.method !== method || !t.path.test(pathname) || !t.query.every(([k, v]) => params.get(k) === v)) continue;
    if (!best || t.query.length > best.query.length || (t.query.length === best.query.length && t.literals > best.literals)) best = t;
  }
  return best?.name;
}

/** Every path prefix (API version and first segment) of the table, as a pattern for routes.ts. */
export const LAMBDA_OPERATION_PATHS = `(?:${[...new Set(LAMBDA_OPERATIONS.map((op) => /^\/[^/?]+\/[^/?{]+/.exec(op.requestUri)?.[0] ?? op.requestUri))]
  .sort()
  .map(escape)
  .join('|')})(?:/.*)?`;

/** Route handler for every Lambda API path no implemented route took. */
export function notImplemented({ req, res, url, requestId }: RouteContext): void {
  // The body is not needed; reading it keeps the connection usable for the client's next call.
  req.resume();
  const method = req.method ?? 'GET';
  const operation = matchOperation(method, url.pathname, url.search);
  const [status, type, message] = operation
    ? [501, NOT_IMPLEMENTED_TYPE, notImplementedMessage(operation)]
    : [404, UNKNOWN_OPERATION_TYPE, `no Lambda API operation is ${method} ${url.pathname}`];
  sendJson(res, status, { Type: operation ? 'Service' : 'User', Message: message, message }, { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId });
}
