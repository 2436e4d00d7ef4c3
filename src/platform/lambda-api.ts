/**
 * The subset of the Lambda REST API (2015-03-31) that `@aws-sdk/client-lambda` needs to create,
 * read, list, configure, delete and invoke functions. Shapes and error types follow Lambda's, so
 * the real SDK and tools built on it work against the local platform unchanged.
 */
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { z } from 'zod';
import { FaasbenchError, isFaasbenchError, type ErrorCode } from '../core/errors.ts';
import { describeIssues, parseJsonText, type FunctionManifestInput } from '../core/function-package.ts';
import type { CodeSource } from './code-staging.ts';
import { groundTruthHeaders } from './ground-truth.ts';
import { logTail } from './lambda-log.ts';
import { readBody, sendJson, parseJsonBody } from './http-io.ts';
import { functionNameOf, MAX_PAYLOAD_BYTES, type FunctionInfo, type InvocationType, type PlatformApi } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

/** A 50 MB zip, base64-encoded in JSON. */
const MAX_CREATE_BYTES = 70 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Buckets that mean "a folder on this machine" (LocalStack's convention, and ours). */
const LOCAL_BUCKETS = new Set(['hot-reload', 'faasbench-local']);

const ERROR_STATUS: Record<ErrorCode, [number, string]> = {
  InvalidFunctionPackage: [400, 'InvalidParameterValueException'],
  InvalidParameterValue: [400, 'InvalidParameterValueException'],
  InvalidRequestContent: [400, 'InvalidRequestContentException'],
  RequestTooLarge: [413, 'RequestTooLargeException'],
  ResourceNotFound: [404, 'ResourceNotFoundException'],
  ResourceConflict: [409, 'ResourceConflictException'],
  TooManyRequests: [429, 'TooManyRequestsException'],
  ServiceUnavailable: [503, 'ServiceException'],
  Unauthorized: [403, 'UnrecognizedClientException'],
};

/** The HTTP status Lambda answers an error with. */
export function statusOf(err: FaasbenchError): number {
  return ERROR_STATUS[err.code][0];
}

/** `errorType` overrides the type the error's code maps to, where Lambda names one case apart. */
export function sendLambdaError(res: ServerResponse, err: FaasbenchError, errorType?: string): void {
  const [status, mapped] = ERROR_STATUS[err.code];
  const type = errorType ?? mapped;
  const extra = err.code === 'TooManyRequests' ? { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } : {};
  sendJson(res, status, { Type: 'User', Message: err.message, message: err.message, ...extra }, { 'x-amzn-errortype': type });
}

const createSchema = z.object({
  FunctionName: z.string().min(1),
  Runtime: z.string().optional(),
  Handler: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().optional(),
  MemorySize: z.number().optional(),
  EphemeralStorage: z.object({ Size: z.number() }).optional(),
  Environment: z.object({ Variables: z.record(z.string(), z.string()).optional() }).optional(),
  Code: z.object({ ZipFile: z.string().optional(), S3Bucket: z.string().optional(), S3Key: z.string().optional() }),
});

const updateSchema = z.object({
  Description: z.string().optional(),
  Timeout: z.number().optional(),
  MemorySize: z.number().optional(),
  EphemeralStorage: z.object({ Size: z.number() }).optional(),
  Environment: z.object({ Variables: z.record(z.string(), z.string()).optional() }).optional(),
});

function parseWith<T extends z.ZodType>(schema: T, body: Buffer, what: string): z.output<T> {
  const result = schema.safeParse(parseJsonBody(body, 'request body'));
  if (!result.success) throw new FaasbenchError('InvalidParameterValue', `${what}: ${describeIssues(result.error)}`);
  return result.data;
}

// ---- route handlers (routes.ts maps the paths under /2015-03-31/functions to these) ----

export async function listFunctions({ platform, res }: RouteContext): Promise<void> {
  sendJson(res, 200, { Functions: platform.list().map((f) => configuration(f, platform)) });
}

export async function createFunction({ platform, req, res }: RouteContext): Promise<void> {
  sendJson(res, 201, configuration(await create(platform, await readBody(req, MAX_CREATE_BYTES)), platform));
}

export async function getFunction({ platform, res, name }: RouteContext): Promise<void> {
  sendJson(res, 200, { Configuration: configuration(platform.get(name), platform), Code: { RepositoryType: 'S3', Location: '' } });
}

export async function deleteFunction({ platform, res, name }: RouteContext): Promise<void> {
  platform.remove(name);
  res.writeHead(204).end();
}

export async function updateFunctionCode({ platform, req, res, name }: RouteContext): Promise<void> {
  sendJson(res, 200, configuration(await updateCode(platform, name, await readBody(req, MAX_CREATE_BYTES)), platform));
}

export async function getConfiguration({ platform, res, name }: RouteContext): Promise<void> {
  sendJson(res, 200, configuration(platform.get(name), platform));
}

export async function updateConfiguration({ platform, req, res, name }: RouteContext): Promise<void> {
  const input = parseWith(updateSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'UpdateFunctionConfiguration');
  const info = platform.update(
    name,
    defined({ description: input.Description, timeoutS: input.Timeout, memoryMb: input.MemorySize, ephemeralStorageMb: input.EphemeralStorage?.Size, environment: input.Environment?.Variables }),
  );
  sendJson(res, 200, configuration(info, platform));
}

export function noOperation({ req, url }: RouteContext): never {
  throw new FaasbenchError('ResourceNotFound', `no Lambda API operation for ${req.method ?? 'GET'} ${url.pathname}`);
}

function codeSource(code: z.output<typeof createSchema>['Code']): CodeSource {
  if (code.ZipFile) return { zip: Buffer.from(code.ZipFile, 'base64') };
  if (code.S3Bucket && LOCAL_BUCKETS.has(code.S3Bucket) && code.S3Key && path.isAbsolute(code.S3Key)) return { folder: code.S3Key };
  throw new FaasbenchError(
    'InvalidParameterValue',
    'field "Code": expected ZipFile, or S3Bucket "faasbench-local" (or "hot-reload") with S3Key an absolute folder path',
  );
}

/** A function.json inside the package supplies the platform settings Lambda's API has no field for. */
function manifestInside(source: CodeSource): Partial<FunctionManifestInput> {
  let text: string | undefined;
  if ('zip' in source) {
    try {
      // Bounded before inflating: a function.json is small, and a bomb is staging's to refuse.
      const entry = unzipSync(source.zip, { filter: (f) => f.name === 'function.json' && f.originalSize <= MAX_MANIFEST_BYTES })['function.json'];
      text = entry ? strFromU8(entry) : undefined;
    } catch {
      return {}; // staging reports the broken zip with its own message
    }
  }
  if (text === undefined) return {};
  const raw = parseJsonText(text, 'function.json in Code.ZipFile');
  if (typeof raw !== 'object' || raw === null) return {};
  const { inputs: _inputs, ...settings } = raw as Record<string, unknown>;
  return settings as Partial<FunctionManifestInput>;
}

function create(platform: PlatformApi, body: Buffer): Promise<FunctionInfo> {
  const input = parseWith(createSchema, body, 'CreateFunction');
  if (platform.list().some((f) => f.name === input.FunctionName)) {
    throw new FaasbenchError('ResourceConflict', `Function already exist: ${input.FunctionName}`);
  }
  const source = codeSource(input.Code);
  const base = manifestInside(source);
  if (!input.Runtime && !base.runtime) throw new FaasbenchError('InvalidParameterValue', 'field "Runtime": required for a zip package');
  const manifest: FunctionManifestInput = {
    ...base,
    name: input.FunctionName,
    runtime: input.Runtime ?? (base.runtime as string),
    ...defined({
      handler: input.Handler,
      description: input.Description,
      timeoutS: input.Timeout,
      memoryMb: input.MemorySize,
      ephemeralStorageMb: input.EphemeralStorage?.Size,
      environment: input.Environment?.Variables,
    }),
  };
  return platform.deploy(manifest, source);
}

const updateCodeSchema = z.object({ ZipFile: z.string().optional(), S3Bucket: z.string().optional(), S3Key: z.string().optional() });

/** UpdateFunctionCode: new code, same settings; the next call starts a new instance. */
function updateCode(platform: PlatformApi, name: string, body: Buffer): Promise<FunctionInfo> {
  const current = platform.get(name);
  const source = codeSource(parseWith(updateCodeSchema, body, 'UpdateFunctionCode'));
  return platform.deploy({ ...current.settings, name: current.name, runtime: current.runtimeId, handler: current.handler, inputs: current.inputs }, source);
}

export async function invoke({ platform, req, res, name }: RouteContext): Promise<void> {
  const type = invocationType(req.headers['x-amz-invocation-type']);
  const payload = await readBody(req, MAX_PAYLOAD_BYTES);
  parseJsonBody(payload, 'request body');
  const clientContext = req.headers['x-amz-client-context'];
  const result = await platform.invoke(functionNameOf(name), payload.length ? payload : Buffer.from('{}'), type, typeof clientContext === 'string' ? clientContext : undefined).catch((err: unknown) => {
    // Lambda answers an Event payload over its 1 MB limit as RequestEntityTooLargeException.
    if (type === 'Event' && isFaasbenchError(err, 'RequestTooLarge')) return err;
    throw err;
  });
  if (result instanceof FaasbenchError) {
    sendLambdaError(res, result, 'RequestEntityTooLargeException');
    return;
  }
  if (!result) {
    res.writeHead(type === 'Event' ? 202 : 204, { 'x-amzn-requestid': 'accepted' }).end();
    return;
  }
  const headers: Record<string, string> = { ...groundTruthHeaders(result), 'x-amzn-requestid': result.requestId, 'x-amz-executed-version': '$LATEST' };
  if (result.outcome.kind === 'function-error') headers['x-amz-function-error'] = 'Unhandled';
  if (req.headers['x-amz-log-type'] === 'Tail') headers['x-amz-log-result'] = logTail(result.log);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': result.outcome.payload.length, ...headers });
  res.end(result.outcome.payload);
}

function invocationType(header: string | string[] | undefined): InvocationType {
  if (header === undefined) return 'RequestResponse';
  if (header === 'RequestResponse' || header === 'Event' || header === 'DryRun') return header;
  throw new FaasbenchError('InvalidParameterValue', `header X-Amz-Invocation-Type: expected RequestResponse, Event or DryRun, got "${String(header)}"`);
}

function configuration(f: FunctionInfo, platform: PlatformApi): Record<string, unknown> {
  return {
    FunctionName: f.name,
    FunctionArn: f.arn,
    Runtime: f.runtimeId,
    Role: `arn:aws:iam::000000000000:role/faasbench-local`,
    Handler: f.handler,
    CodeSize: f.codeSize,
    CodeSha256: f.codeSha256,
    Description: f.settings.description,
    Timeout: f.settings.timeoutS,
    MemorySize: f.settings.memoryMb,
    LastModified: f.lastModified.replace('Z', '+0000'),
    Version: '$LATEST',
    RevisionId: String(f.revision),
    Environment: { Variables: f.settings.environment },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
    EphemeralStorage: { Size: f.settings.ephemeralStorageMb },
    TracingConfig: { Mode: 'PassThrough' },
    // Not Lambda fields: the local platform's own settings, for tools that know them.
    FaasbenchSettings: { ...f.settings, platform: platform.facts },
  };
}

/** Drops undefined fields, so absent API fields never override defaults or current settings. */
function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
