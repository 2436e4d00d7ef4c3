/**
 * Built-in experiments by name. Adding one is a file in builtin/ and a line here; a user's own
 * experiment is any module whose default export is a defineExperiment(...), loaded by path.
 */
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FaasbenchError } from '../core/errors.ts';
import { isExperiment, type Experiment } from './define.ts';
import { userModuleHooks } from './user-module-hooks.ts';

/** Built-ins, one file each in builtin/ (`builtin/<name>.ts`, default export); loaded when used. */
export const BUILTIN_NAMES: readonly string[] = [
  'cold-start',
  'idle-timeout',
  'eviction-model',
  'concurrency-scaling',
  'load-spikes',
  'invocation-overhead',
  'nested-chain',
  'memory-sweep',
  'cpu-share',
  'io-net',
  'trace-replay',
  'memory',
  'disk-io',
  'counters',
];

export async function builtinExperiments(): Promise<Experiment[]> {
  return Promise.all(BUILTIN_NAMES.map(async (name) => (await loadExperiment(name)).experiment));
}

export interface LoadedExperiment {
  readonly experiment: Experiment;
  /** A built-in's name or the module's absolute path: what a rerun loads again. */
  readonly source: string;
}

export async function loadExperiment(nameOrPath: string): Promise<LoadedExperiment> {
  if (BUILTIN_NAMES.includes(nameOrPath)) {
    const mod = (await import(`./builtin/${nameOrPath}.ts`)) as { default?: unknown };
    if (!isExperiment(mod.default)) throw new Error(`builtin/${nameOrPath}.ts: no default experiment export`);
    return { experiment: mod.default, source: nameOrPath };
  }
  const file = path.resolve(nameOrPath);
  if (!/[./\\]/.test(nameOrPath) || !existsSync(file)) {
    throw new FaasbenchError('ResourceNotFound', `no experiment "${nameOrPath}": not a built-in (${BUILTIN_NAMES.join(', ') || 'none yet'}) nor a file`);
  }
  let mod: { default?: unknown };
  try {
    mod = await importAsModule(file);
  } catch (err) {
    const at = whereInModule(err, file);
    throw new FaasbenchError('InvalidParameterValue', `${file}: cannot load the experiment: ${(err as Error)?.message ?? String(err)}${at ? ` (at ${at})` : ''}`);
  }
  if (!isExperiment(mod.default)) throw new FaasbenchError('InvalidParameterValue', `${file}: expected a default export made with defineExperiment({ name, params, run, ... })`);
  return { experiment: mod.default, source: file };
}

/**
 * Where in a user's experiment module an error was thrown: `file:line:column` of the first frame of
 * its stack in that file (or in the `.mts` copy it was loaded through, named back as the file), or
 * null when the stack never passes through it (a built-in's, a library's own error).
 */
export function whereInModule(err: unknown, file: string): string | null {
  const stack = (err as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string' || !path.isAbsolute(file)) return null;
  const copy = new RegExp(`^${escapeRegExp(path.join(path.dirname(file), `.${path.basename(file, '.ts')}.`))}\\d+\\.faasbench\\.mts$`);
  for (const line of stack.split('\n').slice(1)) {
    const frame = /(?:\(|at )((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!frame) continue;
    const framePath = frame[1]!.startsWith('file://') ? fileURLToPath(frame[1]!) : frame[1]!;
    if (framePath === file || copy.test(framePath)) return `${file}:${frame[2]}:${frame[3]}`;
  }
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Experiments are ES modules. A `.ts` file outside any `"type": "module"` package (a fresh folder,
 * as `experiment new` makes) would load as CommonJS, so it is imported through a sibling `.mts`
 * copy: same folder, so its relative imports still resolve; removed once loaded.
 */
async function importAsModule(file: string): Promise<{ default?: unknown }> {
  await userModuleHooks();
  if (!file.endsWith('.ts') || isModuleScope(path.dirname(file))) return (await import(pathToFileURL(file).href)) as { default?: unknown };
  const copy = path.join(path.dirname(file), `.${path.basename(file, '.ts')}.${process.pid}.faasbench.mts`);
  copyFileSync(file, copy);
  try {
    return (await import(pathToFileURL(copy).href)) as { default?: unknown };
  } finally {
    rmSync(copy, { force: true });
  }
}

function isModuleScope(dir: string): boolean {
  for (let at = dir; ; at = path.dirname(at)) {
    const manifest = path.join(at, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module';
    if (path.dirname(at) === at) return false;
  }
}
