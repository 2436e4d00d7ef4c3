/**
 * The function package format (DESIGN.md §3): `functions/<name>/function.json` plus code.
 * The schema holds every per-function knob of the local platform, with Lambda's defaults, so one
 * file describes the function for every provider. Errors name the file and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { FaasbenchError } from './errors.ts';
import { parseRuntime, RUNTIME_HELP, type Runtime } from './runtime-id.ts';

export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10_240;
export const MAX_TIMEOUT_S = 900;
/**
 * Event calls a function's queue holds by default: at Lambda's 1 MB Event payload limit, at most
 * 1 GB of payloads waiting per function.
 */
export const DEFAULT_EVENT_QUEUE_LIMIT = 1000;
/** Lambda's EphemeralStorage (the size of /tmp): 512 MB by default, up to 10,240 MB. */
export const MIN_EPHEMERAL_STORAGE_MB = 512;
export const MAX_EPHEMERAL_STORAGE_MB = 10_240;

/**
 * Variables the runtime sets, which Lambda refuses in a function's configuration (its documented
 * "reserved environment variables"). Accepting them would only have them silently replaced.
 */
export const RESERVED_ENVIRONMENT_VARIABLES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** A NUL cannot pass through execve: accepted, it made every later invocation fail. */
const NUL_MESSAGE = 'contains a NUL byte';
const noNul = (text: string): boolean => !text.includes('\0');

const runtimeField = z.string().transform((id, ctx): Runtime => {
  const runtime = parseRuntime(id);
  if (!runtime) {
    ctx.addIssue({ code: 'custom', message: `expected ${RUNTIME_HELP}, got "${id}"` });
    return z.NEVER;
  }
  return runtime;
});

/** Names and values a process environment can carry, none of them Lambda's reserved ones. */
function checkEnvironment(env: Record<string, string>, ctx: z.RefinementCtx): void {
  for (const [key, value] of Object.entries(env)) {
    if (!noNul(key) || !noNul(value)) ctx.addIssue({ code: 'custom', path: [key], message: NUL_MESSAGE });
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'expected a name of letters, digits and "_", not starting with a digit' });
  }
  const reserved = Object.keys(env).filter((key) => RESERVED_ENVIRONMENT_VARIABLES.has(key));
  if (reserved.length) {
    ctx.addIssue({
      code: 'custom',
      message:
        'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. ' +
        `Reserved keys used in this request: ${reserved.join(',')}`,
    });
  }
}

/** Settings that may change after deployment (UpdateFunctionConfiguration). */
export const functionSettingsSchema = z.strictObject({
  memoryMb: z.number().int().min(MIN_MEMORY_MB).max(MAX_MEMORY_MB).default(128),
  timeoutS: z.number().positive().max(MAX_TIMEOUT_S).default(3),
  description: z.string().max(256).default(''),
  environment: z.record(z.string(), z.string()).superRefine(checkEnvironment).default({}),
  /** Lambda's EphemeralStorage.Size: the size of the instance's private /tmp. */
  ephemeralStorageMb: z.number().int().min(MIN_EPHEMERAL_STORAGE_MB).max(MAX_EPHEMERAL_STORAGE_MB).default(MIN_EPHEMERAL_STORAGE_MB),
  /** Invocations one instance serves at once (Knative / Cloud Run style when > 1). */
  concurrency: z.number().int().min(1).max(1000).default(1),
  /** Upper bound on live instances of this function; unset means only the account limit applies. */
  maxInstances: z.number().int().min(1).optional(),
  /** Idle seconds before an instance is evicted. */
  keepAliveS: z.number().min(0).default(300),
  /** Uniform random extra idle time in [0, keepAliveJitterS), drawn per idle period. */
  keepAliveJitterS: z.number().min(0).default(0),
  /** What a call meets when no instance can take it: an immediate 429, or a wait of up to queueTimeoutS. */
  onLimit: z.enum(['throttle', 'queue']).default('throttle'),
  queueTimeoutS: z.number().positive().default(10),
  /** `proportional`: 1,769 MB buys one vCPU, as on Lambda. `none`: no CPU limit. */
  cpuModel: z.enum(['proportional', 'none']).default('proportional'),
  /**
   * Event (asynchronous) calls accepted and not yet finished (waiting, running or waiting to
   * retry); a call past it is refused with 429, logged and counted. Never subject to onLimit.
   */
  eventQueueLimit: z.number().int().min(1).default(DEFAULT_EVENT_QUEUE_LIMIT),
  /** Lambda's MaximumRetryAttempts: how often an Event call is run again after a function error. */
  eventRetryAttempts: z.number().int().min(0).max(2).default(2),
  /** The waits before the first and the second retry; Lambda waits 1 minute, then 2. */
  eventRetryDelaysS: z.tuple([z.number().min(0), z.number().min(0)]).default([60, 120]),
  /** Lambda's MaximumEventAgeInSeconds (60 s to 6 h, default 6 h): an Event call older than this is dropped. */
  eventMaxAgeS: z.number().int().min(60).max(21_600).default(21_600),
});

export const functionPackageSchema = functionSettingsSchema.extend({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "-" or "_"'),
  runtime: runtimeField,
  handler: z.string().min(1).max(128).refine(noNul, NUL_MESSAGE).default('handler'),
  /** Named payloads (SeBS's test/small/large). */
  inputs: z.record(z.string(), z.unknown()).default({}),
  /**
   * A module in the package exporting `generateInput(name, { seed, storage })`, for inputs built
   * from a seed (and uploaded to storage) instead of shipped as files.
   */
  inputGenerator: z.string().optional(),
  /** Files from outside the folder bundled into the package: package path -> path relative to the folder. */
  include: z.record(z.string(), z.string()).default({}),
});

export type FunctionSettings = z.output<typeof functionSettingsSchema>;
export type FunctionSettingsInput = z.input<typeof functionSettingsSchema>;
export type FunctionManifest = z.output<typeof functionPackageSchema>;
export type FunctionManifestInput = z.input<typeof functionPackageSchema>;

/** A validated package: its manifest and the folder holding its code. */
export interface FunctionPackage {
  readonly dir: string;
  readonly manifest: FunctionManifest;
}

/**
 * Renders zod issues as `field "a.b": message` lines, the form every config error uses. A path
 * segment JSON would escape (a NUL in a variable name) is shown as a JSON string.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const segment = (s: PropertyKey): string => (typeof s === 'string' && JSON.stringify(s) !== `"${s}"` ? JSON.stringify(s) : String(s));
      const field = issue.path.length ? issue.path.map(segment).join('.') : '(top level)';
      return `field "${field}": ${issue.message}`;
    })
    .join('; ');
}

export function parseManifest(raw: unknown, source: string): FunctionManifest {
  const result = functionPackageSchema.safeParse(raw);
  if (!result.success) {
    throw new FaasbenchError('InvalidFunctionPackage', `${source}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/**
 * Strict JSON with the place of the first error as file:line:column: JSON.parse in Node 20 does
 * not always say where it failed.
 */
export function parseJsonText(text: string, source: string): unknown {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    throw new FaasbenchError('InvalidFunctionPackage', `${source}:${line}:${column}: invalid JSON (${printParseErrorCode(first.error)})`);
  }
  return JSON.parse(text) as unknown;
}

export function loadFunctionPackage(dir: string): FunctionPackage {
  const file = path.join(dir, 'function.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FaasbenchError('InvalidFunctionPackage', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const manifest = parseManifest(parseJsonText(text, file), file);
  for (const [target, source] of Object.entries(manifest.include)) {
    if (!existsSync(path.resolve(dir, source))) {
      throw new FaasbenchError('InvalidFunctionPackage', `${file}: field "include.${target}": ${path.resolve(dir, source)} does not exist`);
    }
  }
  if (manifest.inputGenerator !== undefined && !existsSync(path.resolve(dir, manifest.inputGenerator))) {
    throw new FaasbenchError('InvalidFunctionPackage', `${file}: field "inputGenerator": ${path.resolve(dir, manifest.inputGenerator)} does not exist`);
  }
  return { dir: path.resolve(dir), manifest };
}

/** The package's `include` entries as absolute source paths. */
export function resolvedIncludes(pkg: FunctionPackage): Record<string, string> {
  return Object.fromEntries(Object.entries(pkg.manifest.include).map(([target, source]) => [target, path.resolve(pkg.dir, source)]));
}
