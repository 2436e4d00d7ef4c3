/**
 * Lambda's function URL config API (2021-10-31): Create, Get, Update, Delete and
 * ListFunctionUrlConfigs, over the platform's FunctionUrls registry. Status codes, error types and
 * messages are those AWS answers (recorded by LocalStack's snapshot tests against AWS), including
 * its quirks: Qualifier `$LATEST` or a version number is a ValidationException (a URL belongs to
 * the function or to an alias), and a missing function is "Function does not exist" for
 * Create/Update/List but "The resource you requested does not exist." for Get/Delete.
 */
import { z } from 'zod';
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import { describeIssues } from '../core/function-package.ts';
import { AUTH_TYPES, INVOKE_MODES, type AuthType, type Cors, type FunctionUrlConfig, type InvokeMode } from './function-urls.ts';
import { parseJsonBody, readBody, sendJson } from './http-io.ts';
import { sendLambdaError } from './lambda-api.ts';
import { functionNameOf, functionRefOf, MAX_PAYLOAD_BYTES, type FunctionInfo, type PlatformApi } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

const NO_FUNCTION = 'Function does not exist';
const NO_RESOURCE = 'The resource you requested does not exist.';
const PAGE_MAX = 50;

/** Lambda's 400 for a value outside its model's constraints; boto3 raises it as ValidationException. */
class ValidationError extends FaasbenchError {
  constructor(problems: readonly string[]) {
    super('InvalidParameterValue', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
  }
}

type Handler = (ctx: RouteContext) => Promise<void>;

/** The one error type Lambda names apart from the code's mapping (lambda-api.ts) is answered here. */
const withValidation =
  (handler: Handler): Handler =>
  async (ctx) => {
    try {
      await handler(ctx);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      sendLambdaError(ctx.res, err, 'ValidationException');
    }
  };

// ---- route handlers (routes.ts maps /2021-10-31/functions/<name>/url and /urls to these) ----

export const createFunctionUrlConfig = withValidation(async (ctx) => {
  const { platform, res } = ctx;
  const { name, qualifier } = target(ctx);
  const input = parseBody(await readBody(ctx.req, MAX_PAYLOAD_BYTES), 'create');
  const fn = functionOr404(platform, name, NO_FUNCTION);
  const existing = platform.functionUrls.get(fn.name, qualifier);
  if (existing) {
    throw new FaasbenchError('ResourceConflict', `Failed to create function url config for [functionArn = ${existing.functionArn}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
  }
  requireAlias(platform, fn, qualifier, NO_FUNCTION);
  const config = platform.functionUrls.create({
    functionName: fn.name,
    qualifier,
    functionArn: qualifier === undefined ? fn.arn : `${fn.arn}:${qualifier}`,
    authType: input.AuthType as AuthType,
    cors: input.Cors,
    invokeMode: input.InvokeMode,
  });
  sendJson(res, 201, { ...shape(config, 'as-set'), CreationTime: config.creationTime });
});

export const getFunctionUrlConfig = withValidation(async (ctx) => {
  const { platform, res } = ctx;
  const { name, qualifier } = target(ctx);
  const fn = functionOr404(platform, name, NO_RESOURCE);
  sendJson(res, 200, full(configOr404(platform, fn, qualifier), 'always'));
});

export const updateFunctionUrlConfig = withValidation(async (ctx) => {
  const { platform, res } = ctx;
  const { name, qualifier } = target(ctx);
  const input = parseBody(await readBody(ctx.req, MAX_PAYLOAD_BYTES), 'update');
  const fn = functionOr404(platform, name, NO_FUNCTION);
  requireAlias(platform, fn, qualifier, NO_FUNCTION);
  configOr404(platform, fn, qualifier);
  const config = platform.functionUrls.update(fn.name, qualifier, { authType: input.AuthType as AuthType | undefined, cors: input.Cors, invokeMode: input.InvokeMode });
  sendJson(res, 200, full(config as FunctionUrlConfig, 'as-set'));
});

export const deleteFunctionUrlConfig = withValidation(async (ctx) => {
  const { platform, res } = ctx;
  const { name, qualifier } = target(ctx);
  const fn = functionOr404(platform, name, NO_RESOURCE);
  configOr404(platform, fn, qualifier);
  platform.functionUrls.delete(fn.name, qualifier);
  res.writeHead(204).end();
});

export const listFunctionUrlConfigs = withValidation(async (ctx) => {
  const { platform, res, url } = ctx;
  const maxItems = pageSize(url.searchParams.get('MaxItems'));
  const fn = functionOr404(platform, functionNameOf(ctx.name), NO_FUNCTION);
  const marker = url.searchParams.get('Marker');
  const after = marker === null ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
  const rest = platform.functionUrls.list(fn.name).filter((c) => after === undefined || c.functionArn > after);
  const page = rest.slice(0, maxItems);
  const last = page.at(-1);
  sendJson(res, 200, {
    FunctionUrlConfigs: page.map((c) => full(c, 'always')),
    ...(rest.length > page.length && last ? { NextMarker: Buffer.from(last.functionArn).toString('base64url') } : {}),
  });
});

// ---- request parsing ----

/** The function and qualifier a call names, by path (`name:alias`, ARNs) and `?Qualifier=`, checked as Lambda checks them. */
function target({ name: raw, url }: RouteContext): { name: string; qualifier: string | undefined } {
  const given = url.searchParams.get('Qualifier') ?? undefined;
  if (given !== undefined) checkQualifier(given);
  const ref = functionRefOf(raw, given);
  if (given === undefined && ref.qualifier !== undefined) checkQualifier(ref.qualifier);
  return ref;
}

/** An alias name: `$LATEST` and version numbers have no URL of their own. */
function checkQualifier(qualifier: string): void {
  if (qualifier.length <= 128 && /^(?!\d+$)[0-9a-zA-Z_-]+$/.test(qualifier)) return;
  throw new ValidationError([`Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`]);
}

const corsSchema = z.object({
  AllowCredentials: z.boolean().optional(),
  AllowHeaders: z.array(z.string()).optional(),
  AllowMethods: z.array(z.string()).optional(),
  AllowOrigins: z.array(z.string()).optional(),
  ExposeHeaders: z.array(z.string()).optional(),
  MaxAge: z.number().int().optional(),
});

const bodySchema = z.object({ AuthType: z.string().optional(), Cors: corsSchema.optional(), InvokeMode: z.string().optional() });

interface UrlConfigInput {
  readonly AuthType: string | undefined;
  readonly Cors: Cors | undefined;
  readonly InvokeMode: InvokeMode | undefined;
}

/** The body's fields, with the messages Lambda's model validation gives (`1 validation error detected: ...`). */
function parseBody(body: Buffer, op: 'create' | 'update'): UrlConfigInput {
  const parsed = bodySchema.safeParse(parseJsonBody(body, 'request body'));
  if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', describeIssues(parsed.error));
  const { AuthType, Cors, InvokeMode } = parsed.data;
  const problems: string[] = [];
  if (AuthType === undefined && op === 'create') problems.push("Value null at 'authType' failed to satisfy constraint: Member must not be null");
  if (AuthType !== undefined && !AUTH_TYPES.includes(AuthType as AuthType)) {
    problems.push(`Value '${AuthType}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]`);
  }
  if (InvokeMode !== undefined && !INVOKE_MODES.includes(InvokeMode as InvokeMode)) {
    problems.push(`Value '${InvokeMode}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]`);
  }
  problems.push(...corsProblems(Cors));
  if (problems.length > 0) throw new ValidationError(problems);
  return { AuthType, Cors, InvokeMode: InvokeMode as InvokeMode | undefined };
}

/** The model's bounds on Cors (the list lengths and MaxAge's range). */
function corsProblems(cors: Cors | undefined): string[] {
  if (!cors) return [];
  const problems: string[] = [];
  const { MaxAge } = cors;
  if (MaxAge !== undefined && MaxAge > 86_400) problems.push(`Value '${MaxAge}' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400`);
  if (MaxAge !== undefined && MaxAge < 0) problems.push(`Value '${MaxAge}' at 'cors.maxAge' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  const limits: [keyof Cors, string, number][] = [['AllowHeaders', 'allowHeaders', 100], ['AllowMethods', 'allowMethods', 6], ['AllowOrigins', 'allowOrigins', 100], ['ExposeHeaders', 'exposeHeaders', 100]];
  for (const [field, path, max] of limits) {
    const list = cors[field] as readonly string[] | undefined;
    if (list && list.length > max) problems.push(`Value '[${list.join(', ')}]' at 'cors.${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  return problems;
}

function pageSize(raw: string | null): number {
  if (raw === null) return PAGE_MAX;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new FaasbenchError('InvalidParameterValue', `MaxItems: expected an integer, got "${raw}"`);
  if (n < 1) throw new ValidationError([`Value '${n}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`]);
  if (n > PAGE_MAX) throw new ValidationError([`Value '${n}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to ${PAGE_MAX}`]);
  return n;
}

// ---- lookups ----

function functionOr404(platform: PlatformApi, name: string, message: string): FunctionInfo {
  try {
    return platform.get(name);
  } catch (err) {
    if (isFaasbenchError(err, 'ResourceNotFound')) throw new FaasbenchError('ResourceNotFound', message);
    throw err;
  }
}

/** A URL's alias must exist for the URL to be created or changed. */
function requireAlias(platform: PlatformApi, fn: FunctionInfo, qualifier: string | undefined, message: string): void {
  if (qualifier === undefined) return;
  try {
    platform.alias(fn.name, qualifier);
  } catch (err) {
    if (isFaasbenchError(err, 'ResourceNotFound')) throw new FaasbenchError('ResourceNotFound', message);
    throw err;
  }
}

function configOr404(platform: PlatformApi, fn: FunctionInfo, qualifier: string | undefined): FunctionUrlConfig {
  const config = platform.functionUrls.get(fn.name, qualifier);
  if (!config) throw new FaasbenchError('ResourceNotFound', NO_RESOURCE);
  return config;
}

// ---- responses ----

/**
 * `as-set`: InvokeMode only when a call set it (Create and Update answer so); `always`: BUFFERED
 * for a config without one (Get and List).
 */
function shape(c: FunctionUrlConfig, invokeMode: 'as-set' | 'always'): Record<string, unknown> {
  const mode = invokeMode === 'always' ? (c.invokeMode ?? 'BUFFERED') : c.invokeMode;
  return { FunctionUrl: c.functionUrl, FunctionArn: c.functionArn, AuthType: c.authType, ...(c.cors ? { Cors: c.cors } : {}), ...(mode ? { InvokeMode: mode } : {}) };
}

function full(c: FunctionUrlConfig, invokeMode: 'as-set' | 'always'): Record<string, unknown> {
  return { ...shape(c, invokeMode), CreationTime: c.creationTime, LastModifiedTime: c.lastModifiedTime };
}

