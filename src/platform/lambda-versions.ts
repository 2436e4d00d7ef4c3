/**
 * Lambda's versioning operations: PublishVersion, ListVersionsByFunction and the alias CRUD with
 * weighted routing (RoutingConfig.AdditionalVersionWeights).
 */
import { z } from 'zod';
import { readBody, sendJson } from './http-io.ts';
import { aliasShape, configuration, defined, page, parseWith } from './lambda-shapes.ts';
import { MAX_PAYLOAD_BYTES } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

const publishSchema = z.strictObject({ CodeSha256: z.string().optional(), Description: z.string().max(256).optional(), RevisionId: z.string().optional() });
const routing = z.strictObject({ AdditionalVersionWeights: z.record(z.string(), z.number()).optional() });
const createAliasSchema = z.strictObject({ Name: z.string(), FunctionVersion: z.string().min(1), Description: z.string().max(256).optional(), RoutingConfig: routing.optional() });
const updateAliasSchema = z.strictObject({ FunctionVersion: z.string().min(1).optional(), Description: z.string().max(256).optional(), RoutingConfig: routing.optional(), RevisionId: z.string().optional() });

/** The alias name segment of `/aliases/{Name}`, decoded by the gateway like the function name. */
const aliasOf = ({ segments }: RouteContext): string => segments.alias ?? '';

export async function publishVersion({ platform, req, res, name }: RouteContext): Promise<void> {
  const input = parseWith(publishSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'PublishVersion');
  const info = platform.publishVersion(name, defined({ description: input.Description, codeSha256: input.CodeSha256, revisionId: input.RevisionId }));
  sendJson(res, 201, configuration(info, platform));
}

export async function listVersions({ platform, res, name, url }: RouteContext): Promise<void> {
  const { items, nextMarker } = page(platform.versions(name), url);
  sendJson(res, 200, { Versions: items.map((v) => configuration(v, platform)), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
}

export async function createAlias({ platform, req, res, name }: RouteContext): Promise<void> {
  const input = parseWith(createAliasSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'CreateAlias');
  const alias = platform.createAlias(name, input.Name, { functionVersion: input.FunctionVersion, ...defined({ description: input.Description, weights: input.RoutingConfig?.AdditionalVersionWeights }) });
  sendJson(res, 201, aliasShape(platform.get(name).arn, alias));
}

export async function getAlias(ctx: RouteContext): Promise<void> {
  const { platform, res, name } = ctx;
  sendJson(res, 200, aliasShape(platform.get(name).arn, platform.alias(name, aliasOf(ctx))));
}

export async function updateAlias(ctx: RouteContext): Promise<void> {
  const { platform, req, res, name } = ctx;
  const input = parseWith(updateAliasSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'UpdateAlias');
  const patch = defined({ functionVersion: input.FunctionVersion, description: input.Description, weights: input.RoutingConfig?.AdditionalVersionWeights });
  sendJson(res, 200, aliasShape(platform.get(name).arn, platform.updateAlias(name, aliasOf(ctx), patch, input.RevisionId)));
}

export async function deleteAlias(ctx: RouteContext): Promise<void> {
  const { platform, res, name } = ctx;
  platform.deleteAlias(name, aliasOf(ctx));
  res.writeHead(204).end();
}

export async function listAliases({ platform, res, name, url }: RouteContext): Promise<void> {
  const version = url.searchParams.get('FunctionVersion');
  const aliases = platform.aliases(name).filter((a) => version === null || a.functionVersion === version);
  const { items, nextMarker } = page(aliases, url);
  const arn = platform.get(name).arn;
  sendJson(res, 200, { Aliases: items.map((a) => aliasShape(arn, a)), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
}
