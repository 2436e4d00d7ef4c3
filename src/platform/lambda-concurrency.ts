/**
 * Lambda's concurrency operations: reserved concurrency per function, the account's settings, and
 * provisioned concurrency on a version or alias (instances initialised ahead and kept).
 */
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { UNZIPPED_LIMIT_BYTES } from './code-staging.ts';
import { readBody, sendJson } from './http-io.ts';
import { page, parseWith, provisionedShape } from './lambda-shapes.ts';
import { MAX_PAYLOAD_BYTES } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

const reservedSchema = z.strictObject({ ReservedConcurrentExecutions: z.number().int().min(0) });
const provisionedSchema = z.strictObject({ ProvisionedConcurrentExecutions: z.number().int().min(1) });

export async function putFunctionConcurrency({ platform, req, res, name }: RouteContext): Promise<void> {
  const input = parseWith(reservedSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'PutFunctionConcurrency');
  platform.setReservedConcurrency(name, input.ReservedConcurrentExecutions);
  sendJson(res, 200, { ReservedConcurrentExecutions: input.ReservedConcurrentExecutions });
}

export async function getFunctionConcurrency({ platform, res, name }: RouteContext): Promise<void> {
  const reserved = platform.reservedConcurrency(name);
  sendJson(res, 200, reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
}

export async function deleteFunctionConcurrency({ platform, res, name }: RouteContext): Promise<void> {
  platform.setReservedConcurrency(name, undefined);
  res.writeHead(204).end();
}

export async function getAccountSettings({ platform, res }: RouteContext): Promise<void> {
  const a = platform.accountSettings();
  sendJson(res, 200, {
    AccountLimit: {
      TotalCodeSize: 80 * 1024 ** 3,
      CodeSizeUnzipped: UNZIPPED_LIMIT_BYTES,
      CodeSizeZipped: 52_428_800,
      ConcurrentExecutions: a.concurrentExecutions,
      UnreservedConcurrentExecutions: a.unreservedConcurrentExecutions,
    },
    AccountUsage: { TotalCodeSize: a.totalCodeSize, FunctionCount: a.functionCount },
  });
}

function qualifierOf(url: URL): string {
  const q = url.searchParams.get('Qualifier');
  if (!q) throw new FaasbenchError('InvalidParameterValue', 'Qualifier: a version number or an alias is required for provisioned concurrency');
  return q;
}

export async function putProvisioned({ platform, req, res, name, url }: RouteContext): Promise<void> {
  const input = parseWith(provisionedSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'PutProvisionedConcurrencyConfig');
  sendJson(res, 202, provisionedShape(platform.putProvisioned(name, qualifierOf(url), input.ProvisionedConcurrentExecutions)));
}

/** GET on the same path is Get, or List with `?List=ALL`. */
export async function getProvisioned(ctx: RouteContext): Promise<void> {
  const { platform, res, name, url } = ctx;
  if (url.searchParams.get('List') === 'ALL') {
    const arn = platform.get(name).arn;
    const { items, nextMarker } = page(platform.listProvisioned(name), url);
    sendJson(res, 200, { ProvisionedConcurrencyConfigs: items.map((p) => provisionedShape(p, arn)), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
    return;
  }
  sendJson(res, 200, provisionedShape(platform.provisioned(name, qualifierOf(url))));
}

export async function deleteProvisioned({ platform, res, name, url }: RouteContext): Promise<void> {
  platform.deleteProvisioned(name, qualifierOf(url));
  res.writeHead(204).end();
}
