/**
 * Lambda's function operations: Create, Get, List, Delete, UpdateFunctionCode, Get/Update
 * FunctionConfiguration. Every field the platform can honour is honoured; fields it records
 * without acting on (Role, Architectures, TracingConfig) are kept as given; fields that would
 * change behaviour it cannot provide (layers, images, VPCs...) are refused by name, never ignored.
 */
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { parseJsonText, type FunctionManifestInput } from '../core/function-package.ts';
import { parseRuntime, RUNTIMES } from '../core/runtime-id.ts';
import type { CodeSource } from './code-staging.ts';
import { codeLocation } from './code-location.ts';
import { readBody, sendJson } from './http-io.ts';
import { LAMBDA_RUNTIMES, runtimeValidationMessage } from './lambda-runtimes.ts';
import { configuration, defined, page, parseWith } from './lambda-shapes.ts';
import { MAX_PAYLOAD_BYTES, type FunctionInfo, type PlatformApi, type RecordedFields } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

/** A 50 MB zip, base64-encoded in JSON. */
const MAX_CREATE_BYTES = 70 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Buckets that mean "a folder on this machine" (LocalStack's convention, and ours). */
const LOCAL_BUCKETS = new Set(['hot-reload', 'faasbench-local']);

const architectures = z.array(z.enum(['x86_64', 'arm64'])).length(1);
const tracing = z.strictObject({ Mode: z.enum(['Active', 'PassThrough']) });
const environment = z.object({ Variables: z.record(z.string(), z.string()).optional() });

/** Fields Lambda has whose behaviour the local platform cannot give: refused when they ask for anything. */
const unsupported = {
  VpcConfig: z.object({ SubnetIds: z.array(z.string()).optional(), SecurityGroupIds: z.array(z.string()).optional() }).passthrough().optional(),
  DeadLetterConfig: z.object({ TargetArn: z.string().optional() }).optional(),
  KMSKeyArn: z.string().optional(),
  Layers: z.array(z.string()).optional(),
  FileSystemConfigs: z.array(z.unknown()).optional(),
  ImageConfig: z.unknown().optional(),
  SnapStart: z.object({ ApplyOn: z.string().optional() }).optional(),
  LoggingConfig: z.unknown().optional(),
};

const createSchema = z.strictObject({
  FunctionName: z.string().min(1),
  Runtime: z.string().optional(),
  Role: z.string().optional(),
  Handler: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().optional(),
  MemorySize: z.number().optional(),
  Publish: z.boolean().optional(),
  PackageType: z.string().optional(),
  Environment: environment.optional(),
  TracingConfig: tracing.optional(),
  Tags: z.record(z.string(), z.string()).optional(),
  CodeSigningConfigArn: z.string().optional(),
  Architectures: architectures.optional(),
  EphemeralStorage: z.object({ Size: z.number() }).optional(),
  Code: z.strictObject({ ZipFile: z.string().optional(), S3Bucket: z.string().optional(), S3Key: z.string().optional(), S3ObjectVersion: z.string().optional(), ImageUri: z.string().optional() }),
  ...unsupported,
});

const updateSchema = z.strictObject({
  Role: z.string().optional(),
  Handler: z.string().optional(),
  Runtime: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().optional(),
  MemorySize: z.number().optional(),
  Environment: environment.optional(),
  TracingConfig: tracing.optional(),
  EphemeralStorage: z.object({ Size: z.number() }).optional(),
  RevisionId: z.string().optional(),
  ...unsupported,
});

const updateCodeSchema = z.strictObject({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  S3ObjectVersion: z.string().optional(),
  ImageUri: z.string().optional(),
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: z.string().optional(),
  Architectures: architectures.optional(),
});

// ---- route handlers (routes.ts maps the paths under /2015-03-31/functions to these) ----

export async function listFunctions({ platform, res, url }: RouteContext): Promise<void> {
  const all = url.searchParams.get('FunctionVersion') === 'ALL';
  const functions = all ? platform.list().flatMap((f) => platform.versions(f.name)) : platform.list();
  const { items, nextMarker } = page(functions, url);
  sendJson(res, 200, { Functions: items.map((f) => configuration(f, platform)), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
}

export async function createFunction({ platform, req, res }: RouteContext): Promise<void> {
  sendJson(res, 201, configuration(await create(platform, await readBody(req, MAX_CREATE_BYTES)), platform));
}

export async function getFunction({ platform, req, res, name, url }: RouteContext): Promise<void> {
  const qualifier = url.searchParams.get('Qualifier') ?? undefined;
  const info = platform.get(name, qualifier);
  const reserved = platform.reservedConcurrency(info.name);
  const tags = platform.tags(info.name);
  sendJson(res, 200, {
    Configuration: configuration(info, platform),
    Code: { RepositoryType: 'S3', Location: codeLocation(req, info.name, qualifier) },
    ...(Object.keys(tags).length > 0 ? { Tags: tags } : {}),
    ...(reserved !== undefined ? { Concurrency: { ReservedConcurrentExecutions: reserved } } : {}),
  });
}

export async function deleteFunction({ platform, res, name, url }: RouteContext): Promise<void> {
  platform.remove(name, url.searchParams.get('Qualifier') ?? undefined);
  res.writeHead(204).end();
}

export async function updateFunctionCode({ platform, req, res, name }: RouteContext): Promise<void> {
  sendJson(res, 200, configuration(await updateCode(platform, name, await readBody(req, MAX_CREATE_BYTES)), platform));
}

export async function getConfiguration({ platform, res, name, url }: RouteContext): Promise<void> {
  sendJson(res, 200, configuration(platform.get(name, url.searchParams.get('Qualifier') ?? undefined), platform));
}

export async function updateConfiguration({ platform, req, res, name }: RouteContext): Promise<void> {
  const input = parseWith(updateSchema, await readBody(req, MAX_PAYLOAD_BYTES), 'UpdateFunctionConfiguration');
  refuseUnsupported(input);
  if (input.Runtime !== undefined) checkRuntime(input.Runtime);
  const info = platform.update(name, {
    settings: defined({ description: input.Description, timeoutS: input.Timeout, memoryMb: input.MemorySize, ephemeralStorageMb: input.EphemeralStorage?.Size, environment: input.Environment?.Variables }),
    ...defined({ handler: input.Handler, runtime: input.Runtime, revisionId: input.RevisionId }),
    recorded: recordedOf(input),
  });
  sendJson(res, 200, configuration(info, platform));
}

// ---- the work behind them ----

function create(platform: PlatformApi, body: Buffer): Promise<FunctionInfo> {
  const input = parseWith(createSchema, body, 'CreateFunction');
  refuseUnsupported(input);
  if (input.PackageType !== undefined && input.PackageType !== 'Zip') refuse('PackageType', `"${input.PackageType}": only Zip packages run locally`);
  if (input.CodeSigningConfigArn !== undefined) refuse('CodeSigningConfigArn', 'code signing is not checked locally');
  if (platform.list().some((f) => f.name === input.FunctionName)) {
    throw new FaasbenchError('ResourceConflict', `Function already exist: ${input.FunctionName}`);
  }
  if (input.Runtime !== undefined) checkRuntime(input.Runtime);
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
  return platform.deploy(manifest, source, { recorded: recordedOf(input), ...defined({ tags: input.Tags, publish: input.Publish }) });
}

/** UpdateFunctionCode: new code, same settings; the next call starts a new instance. DryRun checks only. */
function updateCode(platform: PlatformApi, name: string, body: Buffer): Promise<FunctionInfo> {
  const current = platform.get(name);
  const input = parseWith(updateCodeSchema, body, 'UpdateFunctionCode');
  const source = codeSource(input);
  const manifest = { ...current.settings, name: current.name, runtime: current.runtimeId, handler: current.handler, inputs: current.inputs };
  const recorded = input.Architectures ? { architectures: input.Architectures } : undefined;
  return platform.deploy(manifest, source, defined({ recorded, publish: input.Publish, dryRun: input.DryRun, revisionId: input.RevisionId }));
}

function recordedOf(input: { Role?: string; Architectures?: RecordedFields['architectures']; TracingConfig?: { Mode: RecordedFields['tracingMode'] } }): Partial<RecordedFields> {
  return defined({ role: input.Role, architectures: input.Architectures, tracingMode: input.TracingConfig?.Mode });
}

/** Lambda's enum (or faasbench's short names) first, a ValidationException; then what the local platform can run. */
function checkRuntime(value: string): void {
  if (!LAMBDA_RUNTIMES.includes(value) && !(RUNTIMES as readonly string[]).includes(value)) {
    throw new FaasbenchError('InvalidParameterValue', runtimeValidationMessage(value), { reason: 'ValidationException' });
  }
  if (!parseRuntime(value)) throw new FaasbenchError('InvalidParameterValue', `The runtime parameter of ${value} is not supported by the local platform: it runs nodejs, python and provided runtimes`);
}

function refuseUnsupported(input: { [K in keyof typeof unsupported]?: z.output<(typeof unsupported)[K]> }): void {
  const asks = {
    VpcConfig: (input.VpcConfig?.SubnetIds?.length ?? 0) > 0 || (input.VpcConfig?.SecurityGroupIds?.length ?? 0) > 0,
    DeadLetterConfig: Boolean(input.DeadLetterConfig?.TargetArn),
    KMSKeyArn: Boolean(input.KMSKeyArn),
    Layers: (input.Layers?.length ?? 0) > 0,
    FileSystemConfigs: (input.FileSystemConfigs?.length ?? 0) > 0,
    ImageConfig: input.ImageConfig !== undefined,
    SnapStart: input.SnapStart?.ApplyOn !== undefined && input.SnapStart.ApplyOn !== 'None',
    LoggingConfig: input.LoggingConfig !== undefined,
  };
  for (const [field, asked] of Object.entries(asks)) if (asked) refuse(field, 'the local platform cannot honour it (docs/lambda-fidelity.md)');
}

function refuse(field: string, why: string): never {
  throw new FaasbenchError('InvalidParameterValue', `field "${field}" is not supported: ${why}`);
}

function codeSource(code: { ZipFile?: string; S3Bucket?: string; S3Key?: string; ImageUri?: string }): CodeSource {
  if (code.ImageUri !== undefined) refuse('ImageUri', 'container images do not run locally; send a zip');
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
