/**
 * One read-only call per provider that says whether its credentials work and whose they are:
 * STS GetCallerIdentity for AWS (allowed to every principal, whatever its policies), and the
 * function list (`GET /system/functions`) for an OpenFaaS gateway, which requires its login.
 * The outcome tells missing credentials from rejected ones from an unreachable service, so
 * `check-credentials` can exit with a code for each.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsAuth } from './credentials-aws.ts';
import { credentialsPath, storedOpenFaas } from './credentials-file.ts';
import { createDispatcher, send } from './http-client.ts';

/** `deferred`: the provider uses its platform's own credentials tooling, which faasbench does not check. */
export type CheckStatus = 'ok' | 'deferred' | 'missing' | 'rejected' | 'failed';

export interface CheckOutcome {
  readonly provider: string;
  readonly status: CheckStatus;
  /** One line for a person: who you are, or what went wrong. Never a secret. */
  readonly message: string;
  /** Where the credentials came from. */
  readonly source?: string;
  /** What the service said about you (AWS: arn, account, userId; OpenFaaS: gateway, user). */
  readonly identity?: Readonly<Record<string, string | number>>;
}

export interface AwsCheckOptions {
  /** An STS endpoint instead of AWS's (the local platform's URL answers GetCallerIdentity). */
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** Every check waits this long at most: a check is one small call. */
const CHECK_TIMEOUT_MS = 20_000;

/** AWS errors that mean the service saw the keys and refused them. */
const REJECTED = /^(InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|AccessDenied|AccessDeniedException|UnrecognizedClientException|InvalidAccessKeyId|AuthFailure)$/;

export async function checkAws(o: AwsCheckOptions, env: NodeJS.ProcessEnv = process.env): Promise<CheckOutcome> {
  const provider = 'aws-lambda';
  // The keys as the provider signs with them against AWS: with an endpoint only STS moves.
  const auth = awsAuth({ ...(o.profile ? { profile: o.profile } : {}), ...(o.region ? { region: o.region } : {}) }, env);
  const region = o.region ?? auth.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const client = new STSClient({
    region,
    maxAttempts: 1,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(auth.credentials ? { credentials: auth.credentials } : auth.profile ? { profile: auth.profile } : {}),
    requestHandler: { requestTimeout: CHECK_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
  try {
    const who = await client.send(new GetCallerIdentityCommand({}));
    const identity = { arn: who.Arn ?? '', account: who.Account ?? '', userId: who.UserId ?? '' };
    return { provider, status: 'ok', source: auth.source, identity, message: `you are ${identity.arn} (account ${identity.account}, user id ${identity.userId})` };
  } catch (err) {
    return { provider, source: auth.source, ...awsFailure(err) };
  } finally {
    client.destroy();
  }
}

function awsFailure(err: unknown): { status: CheckStatus; message: string } {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  const httpStatus = e.$metadata?.httpStatusCode;
  // The SDK's chain found nothing to sign with.
  if (e.name === 'CredentialsProviderError') return { status: 'missing', message: `no AWS credentials: ${e.message} (store some with \`faasbench login aws\`)` };
  if (REJECTED.test(e.name)) return { status: 'rejected', message: `STS refused the credentials: ${e.name}: ${e.message}` };
  // A Lambda-compatible endpoint may refuse in a shape of its own, which the STS client cannot parse.
  if (httpStatus === 401 || httpStatus === 403) return { status: 'rejected', message: `STS refused the credentials (HTTP ${httpStatus})` };
  return { status: 'failed', message: `STS GetCallerIdentity failed: ${e.name}: ${e.message}` };
}

export interface OpenFaasCheckOptions {
  readonly url: string;
  /** Overrides the stored user. */
  readonly user?: string;
}

export async function checkOpenFaas(o: OpenFaasCheckOptions, env: NodeJS.ProcessEnv = process.env): Promise<CheckOutcome> {
  const provider = 'openfaas';
  const file = credentialsPath(env);
  const stored = storedOpenFaas(o.url, file);
  if (!stored) return { provider, status: 'missing', message: `no login stored for gateway ${o.url} (store one with \`faasbench login openfaas --url ${o.url} --password-stdin\`)` };
  const source = `stored by \`faasbench login openfaas\` (${file})`;
  const user = o.user ?? stored.user;
  const gateway = new URL(o.url);
  const http = createDispatcher(gateway.origin, { timeoutMs: CHECK_TIMEOUT_MS });
  try {
    const authorization = `Basic ${Buffer.from(`${user}:${stored.password}`).toString('base64')}`;
    const reply = await send(http, { method: 'GET', url: new URL(`${o.url.replace(/\/+$/, '')}/system/functions`), headers: { authorization }, body: null });
    if (reply.status === 401 || reply.status === 403) return { provider, status: 'rejected', source, message: `gateway ${o.url} refused user ${user}: HTTP ${reply.status}` };
    if (reply.status !== 200) return { provider, status: 'failed', source, message: `gateway ${o.url}: GET /system/functions answered HTTP ${reply.status}` };
    const functions = countOf(reply.body);
    return { provider, status: 'ok', source, identity: { gateway: o.url, user, functions }, message: `gateway ${o.url} accepts you as ${user} (${functions} function${functions === 1 ? '' : 's'} deployed)` };
  } catch (err) {
    return { provider, status: 'failed', source, message: `gateway ${o.url}: ${(err as Error).message}` };
  } finally {
    await http.close();
  }
}

function countOf(body: Buffer): number {
  try {
    const list = JSON.parse(body.toString('utf8')) as unknown;
    return Array.isArray(list) ? list.length : 0;
  } catch {
    return 0;
  }
}
