/**
 * STS's GetCallerIdentity on the local platform, as `@aws-sdk/client-sts` sends it to an
 * endpoint: the query protocol (`POST /`, form body `Action=GetCallerIdentity&Version=2011-06-15`)
 * answered in STS's XML. It lets `faasbench check-credentials aws` make its one read-only call
 * without an AWS account. The platform takes any key on loopback (its --token as the access key id
 * otherwise, checked by the gateway before this runs), so the identity it reports is the access key
 * id that signed the request: which keys the client used, the one thing a local check can show
 * (with --token, the token's holder: that key id is the token itself).
 * No secret reaches the platform: SigV4 sends a signature, never the secret key.
 */
import { readBody } from './http-io.ts';
import { ACCOUNT_ID } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

/** A query-protocol body is a few form fields; anything larger is not STS's. */
const BODY_LIMIT_BYTES = 64 * 1024;
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export async function answerSts({ req, res, requestId }: RouteContext): Promise<void> {
  const form = new URLSearchParams((await readBody(req, BODY_LIMIT_BYTES)).toString('utf8'));
  const action = form.get('Action');
  if (action !== 'GetCallerIdentity') {
    const what = action === null ? 'no Action in the form body' : `STS action ${action} is not served here (only GetCallerIdentity)`;
    sendStsError(res, 400, action === null ? 'MissingAction' : 'InvalidAction', what, requestId);
    return;
  }
  // With --token the gateway has dropped the header (the key id is the token, a secret): the caller
  // is then known only as its holder. The SDK always signs, so no other call comes without one.
  const accessKeyId = signingKeyId(req.headers.authorization) ?? 'faasbench-token-holder';
  const body = [
    `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">`,
    '<GetCallerIdentityResult>',
    `<Arn>${xml(`arn:aws:iam::${ACCOUNT_ID}:user/${accessKeyId}`)}</Arn>`,
    `<UserId>${xml(accessKeyId)}</UserId>`,
    `<Account>${ACCOUNT_ID}</Account>`,
    '</GetCallerIdentityResult>',
    `<ResponseMetadata><RequestId>${xml(requestId)}</RequestId></ResponseMetadata>`,
    '</GetCallerIdentityResponse>',
  ].join('');
  sendXml(res, 200, body);
}

/** The access key id of a SigV4 `Authorization` header (`Credential=<id>/<date>/...`). */
function signingKeyId(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

function sendStsError(res: RouteContext['res'], status: number, code: string, message: string, requestId: string): void {
  const body = `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>Sender</Type><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error><RequestId>${xml(requestId)}</RequestId></ErrorResponse>`;
  sendXml(res, status, body);
}

function sendXml(res: RouteContext['res'], status: number, body: string): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': bytes.length });
  res.end(bytes);
}

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

