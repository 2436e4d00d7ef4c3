/**
 * A function's named inputs (DESIGN.md §3): a payload written in function.json, or one built by
 * the package's input generator from a seed (which may upload data to the function's storage).
 * workload/ owns turning names and patterns into payloads and plans; it never invokes anything.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FaasbenchError } from '../core/errors.ts';
import { resolvedIncludes, type FunctionPackage } from '../core/function-package.ts';

export interface InputContext {
  readonly seed: number;
  /** The bucket root the function will read (its FAASBENCH_STORAGE_URL). */
  readonly storageUrl: string;
}

type Storage = unknown;
type GeneratorModule = { generateInput?: (name: string, ctx: { seed: number; storage: Storage }) => Promise<unknown> };
type StorageModule = { storageFromUrl?: (url: string) => Storage };

/** The names a package offers: written ones and, with a generator, SeBS's sizes. */
export function inputNames(pkg: FunctionPackage): string[] {
  const names = new Set(Object.keys(pkg.manifest.inputs));
  if (pkg.manifest.inputGenerator) for (const size of ['test', 'small', 'large']) names.add(size);
  return [...names];
}

export async function resolveInput(pkg: FunctionPackage, name: string, ctx: InputContext): Promise<unknown> {
  const { inputs, inputGenerator } = pkg.manifest;
  if (!inputGenerator) {
    if (name in inputs) return inputs[name];
    throw new FaasbenchError('InvalidParameterValue', `function ${pkg.manifest.name} has no input "${name}" (it has: ${Object.keys(inputs).join(', ') || 'none'})`);
  }
  const generator = (await import(pathToFileURL(path.resolve(pkg.dir, inputGenerator)).href)) as GeneratorModule;
  if (typeof generator.generateInput !== 'function') {
    throw new FaasbenchError('InvalidFunctionPackage', `${path.resolve(pkg.dir, inputGenerator)}: expected an exported function generateInput(name, { seed, storage })`);
  }
  return generator.generateInput(name, { seed: ctx.seed, storage: await storageFor(pkg, ctx.storageUrl) });
}

/** The package's own bundled storage module (include "storage.mjs"), so host and function agree. */
async function storageFor(pkg: FunctionPackage, url: string): Promise<Storage> {
  const source = resolvedIncludes(pkg)['storage.mjs'];
  if (!source) return undefined;
  const mod = (await import(pathToFileURL(source).href)) as StorageModule;
  return mod.storageFromUrl?.(url);
}
