/**
 * Who may call the gateway: the checks every route passes before its body is read or anything
 * runs. Host allowlist (DNS rebinding), Origin and fetch-metadata refusal (pages in a browser),
 * and the two credentials, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseFunctionUrlHost } from './function-urls.ts';

/**
 * What a route needs: the invoke token (or the platform token), the platform token, or a signature
 * in its own URL that its handler checks (`signed`: a download link handed out by an admin call).
 */
export type Access = 'invoke' | 'admin' | 'signed';

export interface GuardOptions {
  /** The platform token; without one every route is open (loopback only: platform.ts enforces it). */
  readonly token: string | undefined;
  /** Authorizes invocation routes only: what functions get to call other functions. */
  readonly invokeToken?: string | undefined;
  /** The address the gateway is bound to: a name it may be called by besides the loopback names. */
  readonly boundHost?: string;
  /** More Host names to accept (a machine name, a LAN address), without port. */
  readonly allowedHosts?: readonly string[];
  /** Origins (`http://host:port`) whose pages may call the gateway; none by default. */
  readonly allowedOrigins?: readonly string[];
}

/** Each API answers a refusal in its own shape (routes.ts): 403, or OpenFaaS's 401 for a credential. */
export type Refusal = { readonly reason: 'host' | 'origin' | 'credential'; readonly message: string };

/**
 * Who a route serves: the platform's own APIs, or a function URL (function-url-serve.ts).
 *
 * A function URL is public by design: on Lambda any page may call one, and CORS decides what the
 * page may read. So its routes skip the Origin and fetch-metadata refusals, which exist to keep
 * pages away from the platform's APIs. That is safe because a URL route does one thing, invoke the
 * one function its 32-character random url id names (an unknown id is refused before anything
 * runs), so a page learns nothing and changes nothing it could not with the URL in hand; and the
 * gateway sends every request for a URL's host to the URL routes, so that host never reaches the
 * platform's APIs. The Host check stays: besides the platform's names, only
 * `<url-id>.lambda-url.<region>.localhost[:port]` is added, a `.localhost` name (RFC 6761) that no
 * one can point a DNS record at, so it opens no door to DNS rebinding. The credential check
 * (refuseUnauthorized) is unchanged: with a platform token, a URL needs it like any invocation.
 */
export type GuardScope = 'platform' | 'function-url';

/** Host and Origin checks: these come before anything else, credential or not. */
export function refuseForeign(req: IncomingMessage, options: GuardOptions, scope: GuardScope = 'platform'): Refusal | undefined {
  const host = req.headers.host;
  const urlHost = scope === 'function-url' && parseFunctionUrlHost(host) !== undefined;
  if (host === undefined || !(urlHost || hostAllowed(host, options))) {
    return { reason: 'host', message: `Host "${host ?? ''}" is not a name of this platform (loopback names and the bound address are; the option allowedHosts adds more)` };
  }
  if (scope === 'function-url') return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && !(options.allowedOrigins ?? []).includes(origin)) {
    return { reason: 'origin', message: `requests from pages at origin "${origin}" are refused (the option allowedOrigins allows an origin)` };
  }
  // A browser sends no Origin on a cross-site GET (an <img> or a link), but does send fetch
  // metadata: anything other than the user's own navigation or this origin is another page.
  const site = req.headers['sec-fetch-site'];
  if (origin === undefined && site !== undefined && site !== 'none' && site !== 'same-origin') {
    return { reason: 'origin', message: `requests from other pages (Sec-Fetch-Site: ${String(site)}) are refused` };
  }
  return undefined;
}

const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);

/** Loopback names, the bound address and the allowed names, each with or without a port. */
export function hostAllowed(hostHeader: string, options: Pick<GuardOptions, 'boundHost' | 'allowedHosts'>): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(hostHeader.trim());
  if (!match) return false;
  const name = (match[1] as string).toLowerCase();
  if (LOOPBACK_NAMES.has(name) || /^127(\.\d{1,3}){3}$/.test(name)) return true;
  const bound = options.boundHost?.toLowerCase();
  const accepted = [...(bound === undefined ? [] : [bound.includes(':') ? `[${bound}]` : bound]), ...(options.allowedHosts ?? []).map((h) => h.toLowerCase())];
  return accepted.includes(name);
}

/** The credential for the route's access, or a refusal. */
export function refuseUnauthorized(req: IncomingMessage, access: Access, options: GuardOptions): Refusal | undefined {
  if (options.token === undefined || access === 'signed') return undefined;
  const offered = offeredToken(req);
  const ok = offered !== undefined && (sameSecret(offered, options.token) || (access === 'invoke' && options.invokeToken !== undefined && sameSecret(offered, options.invokeToken)));
  if (ok) return undefined;
  const message =
    offered === undefined
      ? 'a token is required: send "Authorization: Bearer <token>" or use the token as the access key id'
      : access === 'invoke'
        ? 'the token offered is not valid here'
        : 'the token offered does not allow this operation (the invoke token allows invocations only)';
  return { reason: 'credential', message };
}

/** Bearer token, our header, an AWS SigV4 access key id, or the password of OpenFaaS's basic auth as `admin`. */
export function offeredToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization ?? '';
  const basic = /^Basic (.+)$/i.exec(auth)?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    return decoded.startsWith('admin:') ? decoded.slice('admin:'.length) : undefined;
  }
  const header = req.headers['x-faasbench-token'];
  return /^Bearer (.+)$/.exec(auth)?.[1] ?? /Credential=([^/]+)\//.exec(auth)?.[1] ?? (typeof header === 'string' ? header : undefined);
}

/**
 * Compares digests, so the time taken says nothing about the secret, its length included
 * (timingSafeEqual itself throws on, and a length check returns early on, different lengths).
 */
export function sameSecret(offered: string, secret: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(offered), digest(secret));
}
