/**
 * A function URL's Cors config applied as Lambda documents it: with a config, Lambda answers a
 * browser's preflight itself, without invoking the function, and adds the CORS headers to every
 * response, where they win over the same headers from the function. Without one, nothing is
 * added, and an OPTIONS request is the function's to answer.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Cors } from './function-urls.ts';

/** The headers for an actual (non-preflight) response to a request from `origin`. */
export function corsHeaders(cors: Cors | undefined, headers: IncomingHttpHeaders): Record<string, string> {
  const allowed = allowedOrigin(cors, headers.origin);
  if (!cors || allowed === undefined) return {};
  return {
    'access-control-allow-origin': allowed,
    ...(allowed === '*' ? {} : { vary: 'Origin' }),
    ...(cors.AllowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(cors.ExposeHeaders?.length ? { 'access-control-expose-headers': cors.ExposeHeaders.join(',') } : {}),
  };
}

/** For a preflight to a URL with a Cors config, the answer's headers; undefined when the function should see the request. */
export function preflightHeaders(cors: Cors | undefined, method: string, headers: IncomingHttpHeaders): Record<string, string> | undefined {
  const requested = headers['access-control-request-method'];
  if (!cors || method !== 'OPTIONS' || headers.origin === undefined || typeof requested !== 'string') return undefined;
  const origin = allowedOrigin(cors, headers.origin);
  const methods = cors.AllowMethods ?? [];
  const methodAllowed = methods.includes('*') || methods.some((m) => m.toUpperCase() === requested.toUpperCase());
  // A refused preflight is still answered, without the headers: the browser then refuses the call.
  if (origin === undefined || !methodAllowed) return {};
  const requestedHeaders = headers['access-control-request-headers'];
  const allowHeaders = cors.AllowHeaders?.includes('*') ? requestedHeaders : cors.AllowHeaders?.join(',');
  return {
    'access-control-allow-origin': origin,
    ...(origin === '*' ? {} : { vary: 'Origin' }),
    'access-control-allow-methods': methods.includes('*') ? requested : methods.join(','),
    ...(allowHeaders ? { 'access-control-allow-headers': allowHeaders } : {}),
    ...(cors.MaxAge !== undefined ? { 'access-control-max-age': String(cors.MaxAge) } : {}),
    ...(cors.AllowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
  };
}

/** `*` when any origin may call (and no credentials ride along), the origin itself when listed, else undefined. */
function allowedOrigin(cors: Cors | undefined, origin: string | undefined): string | undefined {
  if (!cors || origin === undefined) return undefined;
  const origins = cors.AllowOrigins ?? [];
  // Browsers refuse `*` with credentials: the origin is echoed instead.
  if (origins.includes('*')) return cors.AllowCredentials ? origin : '*';
  return origins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}
