/**
 * A function package as a Function App runs it: the Lambda zip of package-zip.ts plus the
 * generated entry point, host.json (the Functions host's settings: the function timeout) and what
 * the worker reads to find the entry (package.json's `main` and the @azure/functions dependency
 * for Node.js, requirements.txt for Python). The adapter host runs the same bytes, extracted into
 * a folder, so what is tested offline is what is uploaded.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { FaasbenchError } from '../core/errors.ts';
import type { FunctionManifest, FunctionPackage, FunctionSettingsInput } from '../core/function-package.ts';
import { NODE_ENTRY_FILE, nodeEntrySource } from './azure-entry-node.ts';
import { PYTHON_ENTRY_FILE, PYTHON_FUNCTIONS_REQUIREMENT, pythonEntrySource } from './azure-entry-python.ts';
import { effectiveManifest, packageZip } from './package-zip.ts';

/** The @azure/functions version the package depends on: the one the adapter host loads. */
export const FUNCTIONS_LIBRARY_VERSION = '4.16.5';
/** Same fixed time as package-zip.ts, so the same package gives the same bytes. */
const MTIME = new Date('2000-01-01T00:00:00Z');
const GENERATED = ['host.json', NODE_ENTRY_FILE, PYTHON_ENTRY_FILE];

export interface AzurePackage {
  readonly manifest: FunctionManifest;
  readonly zip: Uint8Array;
}

export function azurePackage(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): AzurePackage {
  const manifest = effectiveManifest(pkg, overrides);
  const files = unzipSync(packageZip(pkg, overrides));
  for (const name of GENERATED) refuseClash(pkg, files, name);
  const added = { 'host.json': hostJson(manifest), ...runtimeFiles(pkg, manifest, files) };
  const out: Zippable = {};
  for (const [name, data] of Object.entries(files)) out[name] = [data, { os: 3, attrs: modeOf(name) << 16, mtime: MTIME }];
  for (const [name, text] of Object.entries(added)) out[name] = [strToU8(text), { os: 3, attrs: 0o644 << 16, mtime: MTIME }];
  return { manifest, zip: zipSync(out) };
}

/** Writes a package's files into `dir` (made if missing), as the Functions host unpacks them. */
export function extractAzurePackage(zip: Uint8Array, dir: string): void {
  for (const [name, data] of Object.entries(unzipSync(zip))) {
    if (name.endsWith('/')) continue;
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
    if (name.startsWith('node_modules/.bin/')) chmodSync(file, 0o755);
  }
}

/** The host's timeout in its `hh:mm:ss` form, whole seconds rounded up. */
export function functionTimeout(timeoutS: number): string {
  const s = Math.ceil(timeoutS);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

function hostJson(manifest: FunctionManifest): string {
  const host = { version: '2.0', functionTimeout: functionTimeout(manifest.timeoutS), extensions: { http: { routePrefix: 'api' } } };
  return `${JSON.stringify(host, null, 2)}\n`;
}

function runtimeFiles(pkg: FunctionPackage, manifest: FunctionManifest, files: Record<string, Uint8Array>): Record<string, string> {
  if (manifest.runtime === 'nodejs') return nodeFiles(pkg, manifest, files);
  if (manifest.runtime === 'python') return pythonFiles(manifest, files);
  throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: ${pkg.dir}/function.json: field "runtime": Azure Functions runs nodejs and python packages, not provided (a Lambda bootstrap)`);
}

function nodeFiles(pkg: FunctionPackage, manifest: FunctionManifest, files: Record<string, Uint8Array>): Record<string, string> {
  const own = files['package.json'] ? parsePackageJson(pkg, strFromU8(files['package.json'])) : {};
  const dependencies = { ...(own.dependencies as Record<string, string> | undefined), '@azure/functions': FUNCTIONS_LIBRARY_VERSION };
  const packageJson = { ...own, name: own.name ?? manifest.name, main: NODE_ENTRY_FILE, dependencies };
  return { [NODE_ENTRY_FILE]: nodeEntrySource(manifest.name, manifest.handler), 'package.json': `${JSON.stringify(packageJson, null, 2)}\n` };
}

function pythonFiles(manifest: FunctionManifest, files: Record<string, Uint8Array>): Record<string, string> {
  const own = files['requirements.txt'] ? strFromU8(files['requirements.txt']) : '';
  const hasLibrary = own.split('\n').some((line) => /^\s*azure[-_]functions\b/i.test(line));
  const requirements = hasLibrary ? own : `${own}${own === '' || own.endsWith('\n') ? '' : '\n'}${PYTHON_FUNCTIONS_REQUIREMENT}\n`;
  return { [PYTHON_ENTRY_FILE]: pythonEntrySource(manifest.name, manifest.handler), 'requirements.txt': requirements };
}

function refuseClash(pkg: FunctionPackage, files: Record<string, Uint8Array>, name: string): void {
  if (files[name]) throw new FaasbenchError('InvalidFunctionPackage', `provider azure-functions: ${path.join(pkg.dir, name)}: the package has a file named as one faasbench generates for Azure; rename it`);
}

function parsePackageJson(pkg: FunctionPackage, text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new FaasbenchError('InvalidFunctionPackage', `${path.join(pkg.dir, 'package.json')}: expected a JSON object`);
}

/** Files keep read permission for everyone; a .bin script stays executable. */
function modeOf(name: string): number {
  return name.startsWith('node_modules/.bin/') ? 0o755 : 0o644;
}
