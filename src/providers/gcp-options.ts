/**
 * The gcp-functions provider's options (`-o key=value`), checked with zod so a bad value names the
 * field, and what they decide: the Cloud Functions runtime of a package, the resource names.
 */
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import type { Runtime } from '../core/runtime-id.ts';
import { baseUrl, connectionFields } from './options.ts';

/** Cloud Functions' runtime ids for the families faasbench packages use; the first is the default. */
export const GCP_RUNTIMES = { nodejs: ['nodejs20', 'nodejs22'], python: ['python311', 'python312'] } as const;

export const gcpOptionsSchema = z
  .strictObject({
    /** The Google Cloud project; default the one Application Default Credentials name. */
    project: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'expected a project id (6-30 lowercase letters, digits, "-")').optional(),
    region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'expected a region such as us-central1').default('us-central1'),
    /** Runtime ids per family, e.g. { "nodejs": "nodejs22" }. */
    runtimes: z.strictObject({ nodejs: z.enum(GCP_RUNTIMES.nodejs), python: z.enum(GCP_RUNTIMES.python) }).partial().default({}),
    /** The service account the function runs as; default the project's compute default account. */
    serviceAccount: z.string().email('expected a service account email').optional(),
    /** Whether anyone may call the function (roles/run.invoker for allUsers); false: calls carry an ID token. */
    public: z.boolean().default(true),
    /** The trigger URL, `{fn}` replaced by the function's name (else `/<fn>` appended); default the URL Cloud Functions reports. */
    url: baseUrl.optional(),
    /** A Functions API endpoint other than Google's (http(s)://host[:port]). */
    endpoint: baseUrl.optional(),
    /** Run functions locally under Google's Functions Framework instead of deploying to Google Cloud. */
    emulator: z.literal('functions-framework').optional(),
    /** How long deploy, update and remove wait for Google's long-running operation (the build takes minutes). */
    readyTimeoutS: z.number().positive().default(900),
    ...connectionFields,
  })
  .refine((o) => !(o.emulator && (o.project || o.endpoint || o.serviceAccount)), 'options "project", "endpoint" and "serviceAccount" are for Google Cloud; the emulator takes none of them');

export type GcpOptions = z.output<typeof gcpOptionsSchema>;

export function gcpRuntimeOf(runtime: Runtime, options: GcpOptions): string {
  if (runtime === 'provided') throw new FaasbenchError('InvalidParameterValue', 'provider gcp-functions: Cloud Functions runs nodejs and python packages, not provided');
  return options.runtimes[runtime] ?? GCP_RUNTIMES[runtime][0];
}

/**
 * Cloud Run names a function's service after it, so Cloud Functions takes only lowercase letters,
 * digits and "-", starting with a letter, 63 at most; the emulator holds functions to the same rule.
 */
export function checkFunctionName(fn: string): void {
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(fn)) {
    throw new FaasbenchError('InvalidParameterValue', `provider gcp-functions: function name "${fn}": expected lowercase letters, digits and "-", starting with a letter and not ending with "-", at most 63 characters`);
  }
}

/** The trigger URL option for one function. */
export function urlFromTemplate(template: string, fn: string): string {
  return template.includes('{fn}') ? template.replaceAll('{fn}', fn) : `${template}/${fn}`;
}

/**
 * The variables the entry point reads, set beside the package's own: Cloud Run tells a function
 * neither its memory nor its timeout.
 */
export function entryPointEnvironment(fn: string, memoryMb: number, timeoutS: number): Record<string, string> {
  return { FAASBENCH_FUNCTION_NAME: fn, FAASBENCH_MEMORY_MB: String(memoryMb), FAASBENCH_TIMEOUT_S: String(timeoutS) };
}

export const ENTRY_POINT_VARIABLE = /^FAASBENCH_(FUNCTION_NAME|MEMORY_MB|TIMEOUT_S)$/;
