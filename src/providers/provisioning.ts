/**
 * Provisioned concurrency as the providers ask Lambda's API for it (Provider.provision): publish a
 * version, point PROVISIONED_ALIAS at it, put the config on the alias, poll until READY. The local
 * provider speaks the REST paths here; aws-lambda sends the same operations through the SDK and
 * shares only the wait.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { monotonicMs } from '../core/clock.ts';
import { FaasbenchError } from '../core/errors.ts';
import { PROVISIONED_ALIAS, type Provisioned } from '../core/provider.ts';
import { controlError, type HttpReply } from './http-client.ts';

/** What GetProvisionedConcurrencyConfig says: IN_PROGRESS, READY or FAILED, and why it failed. */
export interface ProvisionedStatus {
  readonly status: string | undefined;
  readonly reason: string | undefined;
}

/** Polls `status` until READY; FAILED, or not READY within `timeoutS`, is an error naming `what`. */
export async function untilReady(what: string, status: () => Promise<ProvisionedStatus>, options: { readonly timeoutS: number; readonly intervalMs: number }): Promise<void> {
  const deadline = monotonicMs() + options.timeoutS * 1000;
  for (;;) {
    const s = await status();
    if (s.status === 'READY') return;
    if (s.status === 'FAILED') throw new FaasbenchError('ServiceUnavailable', `${what}: provisioned concurrency FAILED${s.reason ? `: ${s.reason}` : ''}`);
    if (monotonicMs() > deadline) throw new FaasbenchError('ServiceUnavailable', `${what}: provisioned concurrency not READY after ${options.timeoutS} s (status ${s.status ?? 'none'})`);
    await sleep(options.intervalMs);
  }
}

/** One request to the Lambda REST API: `path` from the root (`/2015-03-31/...`), `what` for errors. */
export type LambdaRequest = (method: Dispatcher.HttpMethod, path: string, body: string | null, what: string) => Promise<HttpReply>;

const provisionedPath = (fn: string, qualifier: string): string => `/2019-09-30/functions/${encodeURIComponent(fn)}/provisioned-concurrency?Qualifier=${encodeURIComponent(qualifier)}`;

function jsonOf(reply: HttpReply): Record<string, unknown> {
  return JSON.parse(reply.body.toString('utf8')) as Record<string, unknown>;
}

/** Provider.provision over the REST API. */
export async function provisionByRestApi(request: LambdaRequest, fn: string, count: number, options: { readonly what: string; readonly timeoutS: number }): Promise<Provisioned> {
  const { what } = options;
  const functions = `/2015-03-31/functions/${encodeURIComponent(fn)}`;
  const published = await request('POST', `${functions}/versions`, '{}', what);
  if (published.status !== 201) throw controlError(`${what}: PublishVersion`, published);
  const version = jsonOf(published).Version;
  if (typeof version !== 'string') throw new FaasbenchError('ServiceUnavailable', `${what}: PublishVersion answered without a Version`);
  const created = await request('POST', `${functions}/aliases`, JSON.stringify({ Name: PROVISIONED_ALIAS, FunctionVersion: version }), what);
  if (created.status === 409) {
    // The alias of an earlier provision: whatever it still provisions goes first, so the move
    // never lands while instances are being allocated for it.
    await unprovisionByRestApi(request, fn, PROVISIONED_ALIAS, { what, missingOk: true });
    const moved = await request('PUT', `${functions}/aliases/${PROVISIONED_ALIAS}`, JSON.stringify({ FunctionVersion: version }), what);
    if (moved.status !== 200) throw controlError(`${what}: UpdateAlias`, moved);
  } else if (created.status !== 201) {
    throw controlError(`${what}: CreateAlias`, created);
  }
  const config = provisionedPath(fn, PROVISIONED_ALIAS);
  const put = await request('PUT', config, JSON.stringify({ ProvisionedConcurrentExecutions: count }), what);
  if (put.status !== 202) throw controlError(`${what}: PutProvisionedConcurrencyConfig`, put);
  await untilReady(
    what,
    async () => {
      const got = await request('GET', config, null, what);
      if (got.status !== 200) throw controlError(`${what}: GetProvisionedConcurrencyConfig`, got);
      const { Status, StatusReason } = jsonOf(got);
      return { status: typeof Status === 'string' ? Status : undefined, reason: typeof StatusReason === 'string' ? StatusReason : undefined };
    },
    { timeoutS: options.timeoutS, intervalMs: 20 },
  );
  return { qualifier: PROVISIONED_ALIAS, version };
}

/** Provider.unprovision over the REST API; `missingOk` when there may be nothing to drop. */
export async function unprovisionByRestApi(request: LambdaRequest, fn: string, qualifier: string, options: { readonly what: string; readonly missingOk?: boolean }): Promise<void> {
  const reply = await request('DELETE', provisionedPath(fn, qualifier), null, options.what);
  if (reply.status === 204 || (reply.status === 404 && options.missingOk)) return;
  throw controlError(`${options.what}: DeleteProvisionedConcurrencyConfig`, reply);
}
