/**
 * GetFunction's `Code.Location`: a URL that downloads the deployment package without credentials
 * for ten minutes, as Lambda's presigned S3 URL does. It is signed with a secret of this process,
 * so the URL itself is the credential and the route needs no token.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FaasbenchError } from '../core/errors.ts';
import { sameSecret } from './request-guard.ts';
import type { RouteContext } from './route-context.ts';

const SECRET = randomBytes(32);
const VALID_MS = 10 * 60 * 1000;
export const CODE_PATH = '/faasbench/code';

const sign = (name: string, qualifier: string, expires: string): string => createHmac('sha256', SECRET).update(`${name}\n${qualifier}\n${expires}`).digest('hex');

/** The download URL for a function's package, on the host the caller used. */
export function codeLocation(req: IncomingMessage, name: string, qualifier: string | undefined): string {
  const expires = String(Date.now() + VALID_MS);
  const q = qualifier ?? '';
  const params = new URLSearchParams({ ...(q ? { Qualifier: q } : {}), Expires: expires, Signature: sign(name, q, expires) });
  return `http://${req.headers.host ?? '127.0.0.1'}${CODE_PATH}/${encodeURIComponent(name)}?${params.toString()}`;
}

export async function downloadCode({ platform, res, name, url }: RouteContext): Promise<void> {
  const qualifier = url.searchParams.get('Qualifier') ?? '';
  const expires = url.searchParams.get('Expires') ?? '';
  const signature = url.searchParams.get('Signature') ?? '';
  if (!sameSecret(signature, sign(name, qualifier, expires))) throw new FaasbenchError('Unauthorized', 'the code location is not signed by this platform');
  if (!(Number(expires) > Date.now())) throw new FaasbenchError('Unauthorized', 'the code location has expired: call GetFunction again');
  const zip = await platform.codeZip(name, qualifier || undefined);
  res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length }).end(zip);
}
