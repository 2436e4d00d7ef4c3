/**
 * Who may read the dashboard. It binds loopback unless told otherwise, and any other address needs
 * a token, because run data (function names, parameters, hosts) should not leak to a network by
 * a typo. With a token, every request but the static assets must carry it, as
 * `Authorization: Bearer <token>` or `?token=`. Without one, requests must name a loopback host,
 * so a web page elsewhere cannot read the runs through DNS rebinding.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FaasbenchError } from '../core/errors.ts';
import { HttpError } from './responses.ts';

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Refuses, before anything listens, to expose the runs beyond this machine without a token. */
export function requireSafeBinding(host: string, token: string | undefined): void {
  if (token !== undefined && token.length === 0) throw new FaasbenchError('InvalidParameterValue', '--token must not be empty');
  if (!isLoopbackHost(host) && token === undefined) {
    throw new FaasbenchError('Unauthorized', `binding to ${host} exposes the runs beyond this machine: give a token (--token), which every request must then carry`);
  }
}

/** Digests first: timingSafeEqual needs equal lengths, and the token's length is no one's business either. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1]?.trim();
}

/** Throws 401 when a token is set and the request does not carry it, 403 for a foreign Host without one. */
export function authorize(headers: IncomingHttpHeaders, url: URL, token: string | undefined): void {
  if (token === undefined) {
    const hostname = hostnameOf(headers.host);
    if (hostname !== undefined && !isLoopbackHost(hostname)) {
      throw new HttpError(403, 'Forbidden', `this dashboard serves loopback names only (the request named ${hostname}); to serve other hosts, start it with --host and --token`);
    }
    return;
  }
  const given = bearer(headers) ?? url.searchParams.get('token') ?? undefined;
  if (given === undefined) throw new HttpError(401, 'Unauthorized', 'a token is required: send "Authorization: Bearer <token>" or add ?token=<token> to the address', { 'www-authenticate': 'Bearer' });
  if (!sameSecret(given, token)) throw new HttpError(401, 'Unauthorized', 'the token does not match the one the dashboard was started with', { 'www-authenticate': 'Bearer error="invalid_token"' });
}

/** The Host header without its port; undefined when absent (HTTP/1.0 clients). */
function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0];
}
