/**
 * `faasbench invoke <fn> [pattern] --export k6 script.js`: writes the plan as a k6 script and, beside
 * it, workload_options.json (the script's `options`, as the Serverless Benchmarker writes for k6),
 * then exits: nothing is deployed, invoked or stored. Wiring only; src/workload/k6-export.ts
 * builds both.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import type { FunctionPackage } from '../core/function-package.ts';
import { resolveInput } from '../workload/function-inputs.ts';
import { exportK6, type K6Export } from '../workload/k6-export.ts';
import { k6OptionsJson } from '../workload/k6-script.ts';
import { findPackage } from './functions-list.ts';
import { parseProviderOptions, positiveInt } from './option-parsers.ts';

/** The file sb's k6 runs read the options from, beside the script. */
export const WORKLOAD_OPTIONS = 'workload_options.json';

export const EXPORT_HELP = 'write the plan as a k6 script (--export k6 script.js) and workload_options.json beside it, then exit: nothing is deployed, invoked or stored';

export interface ExportRequest {
  readonly name: string;
  /** The pattern the words after the function give; read after --export is checked, which may have taken them. */
  readonly pattern: () => { readonly name: string; readonly options: Readonly<Record<string, string>> };
  readonly payload: { readonly input: string } | { readonly event: unknown };
  readonly opts: {
    readonly export: readonly string[];
    readonly provider: string;
    readonly providerOpt: string[];
    readonly dir: string;
    readonly seed: string;
    readonly storageUrl?: string;
    readonly maxInFlight: string;
    readonly json?: boolean;
  };
}

/** `--export k6 script.js` -> the script's path; anything else is a usage error saying what was expected. */
export function exportFile(values: readonly string[]): string {
  const [format, file, ...rest] = values;
  if (format !== 'k6' || file === undefined || rest.length > 0) {
    throw new FaasbenchError('InvalidParameterValue', `--export: expected a format and a file, e.g. --export k6 script.js (k6 is the one format; put --export after the load pattern), got "${values.join(' ')}"`, { reason: 'usage' });
  }
  return file;
}

export async function exportInvoke(request: ExportRequest): Promise<void> {
  const file = exportFile(request.opts.export);
  const optionsFile = path.join(path.dirname(file), WORKLOAD_OPTIONS);
  if (path.resolve(file) === path.resolve(optionsFile)) throw new FaasbenchError('InvalidParameterValue', `--export k6 ${file}: the script needs a name of its own (${WORKLOAD_OPTIONS} is written beside it)`, { reason: 'usage' });
  const pkg = packageOf(request);
  const exported = exportK6({
    fn: pkg?.manifest.name ?? request.name,
    pattern: request.pattern(),
    provider: request.opts.provider,
    providerOptions: parseProviderOptions(request.opts.providerOpt),
    event: await eventOf(request, pkg),
    maxInFlight: positiveInt(request.opts.maxInFlight, '--max-in-flight'),
  });
  writeBoth([file, exported.script], [optionsFile, `${k6OptionsJson(exported.options)}\n`]);
  report(exported, file, optionsFile, request.opts.json === true);
}

/** The function's folder, needed for a named input, and otherwise used for its name when there is one. */
function packageOf(request: ExportRequest): FunctionPackage | null {
  if ('input' in request.payload) return findPackage(request.name, request.opts.dir);
  try {
    return findPackage(request.name, request.opts.dir);
  } catch (err) {
    if (isFaasbenchError(err) && err.code === 'ResourceNotFound') return null;
    throw err;
  }
}

async function eventOf(request: ExportRequest, pkg: FunctionPackage | null): Promise<unknown> {
  if ('event' in request.payload) return request.payload.event;
  // packageOf found the folder, or threw naming it.
  const storageUrl = request.opts.storageUrl ?? process.env.FAASBENCH_STORAGE_URL ?? '';
  return resolveInput(pkg!, request.payload.input, { seed: positiveInt(request.opts.seed, '--seed', 0), storageUrl });
}

/** Both files opened before either is written: a path that cannot be written leaves neither behind half-done. */
function writeBoth(...files: Array<[string, string]>): void {
  const fds = files.map(([file]) => {
    try {
      return openSync(file, 'w');
    } catch (err) {
      throw new FaasbenchError('InvalidParameterValue', `--export k6 ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
  });
  files.forEach(([, text], i) => {
    writeSync(fds[i]!, text);
    closeSync(fds[i]!);
  });
}

function report(exported: K6Export, file: string, optionsFile: string, json: boolean): void {
  for (const warning of exported.warnings) console.error(`faasbench: warning: ${warning}`);
  for (const note of exported.notes) console.error(`faasbench: note: ${note}`);
  if (json) {
    const { calls, planned, warnings, notes, options } = exported;
    console.log(JSON.stringify({ format: 'k6', script: file, workloadOptions: optionsFile, calls, planned, warnings, notes, options }, null, 2));
    return;
  }
  console.log(`wrote ${file} and ${optionsFile}: k6 starts ${exported.calls} calls (the plan: ${exported.planned}); nothing was invoked. Run it with: k6 run ${file}`);
}
