/**
 * A function package as Cloud Functions (2nd gen) builds it: the Lambda zip of package-zip.ts plus
 * the generated entry point and what the runtime's build reads to find it (package.json's `main`
 * for Node.js, requirements.txt for Python). The functions-framework emulator runs the same
 * bytes, extracted into a folder, so what is tested offline is what is uploaded.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { FaasbenchError } from '../core/errors.ts';
import type { FunctionManifest, FunctionPackage, FunctionSettingsInput } from '../core/function-package.ts';
import { NODE_ENTRY_FILE, nodeEntrySource } from './gcp-entry-node.ts';
import { PYTHON_ENTRY_FILE, PYTHON_FRAMEWORK_REQUIREMENT, pythonEntrySource } from './gcp-entry-python.ts';
import { effectiveManifest, packageZip } from './package-zip.ts';

/** The Functions Framework version the Node.js build installs, the one the emulator runs. */
export const NODE_FRAMEWORK_VERSION = '5.0.5';
/** Same fixed time as package-zip.ts, so the same package gives the same bytes. */
const MTIME = new Date('2000-01-01T00:00:00Z');

export interface GcpPackage {
  readonly manifest: FunctionManifest;
  readonly zip: Uint8Array;
}

export function gcpPackage(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): GcpPackage {
  const manifest = effectiveManifest(pkg, overrides);
  const files = unzipSync(packageZip(pkg, overrides));
  const added = manifest.runtime === 'nodejs' ? nodeFiles(pkg, manifest, files) : manifest.runtime === 'python' ? pythonFiles(pkg, manifest, files) : unsupported(pkg);
  const out: Zippable = {};
  for (const [name, data] of Object.entries(files)) out[name] = [data, { os: 3, attrs: modeOf(name) << 16, mtime: MTIME }];
  for (const [name, text] of Object.entries(added)) out[name] = [strToU8(text), { os: 3, attrs: 0o644 << 16, mtime: MTIME }];
  return { manifest, zip: zipSync(out) };
}

/** Writes a package's files into `dir` (made if missing), as the platform's build unpacks them. */
export function extractPackage(zip: Uint8Array, dir: string): void {
  for (const [name, data] of Object.entries(unzipSync(zip))) {
    if (name.endsWith('/')) continue;
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
    if (name === 'bootstrap' || name.startsWith('node_modules/.bin/')) chmodSync(file, 0o755);
  }
}

function nodeFiles(pkg: FunctionPackage, manifest: FunctionManifest, files: Record<string, Uint8Array>): Record<string, string> {
  refuseClash(pkg, files, NODE_ENTRY_FILE);
  const own = files['package.json'] ? parsePackageJson(pkg, strFromU8(files['package.json'])) : {};
  const dependencies = { ...(own.dependencies as Record<string, string> | undefined), '@google-cloud/functions-framework': NODE_FRAMEWORK_VERSION };
  const packageJson = { ...own, name: own.name ?? manifest.name, main: NODE_ENTRY_FILE, dependencies };
  return { [NODE_ENTRY_FILE]: nodeEntrySource(manifest.handler), 'package.json': `${JSON.stringify(packageJson, null, 2)}\n` };
}

function pythonFiles(pkg: FunctionPackage, manifest: FunctionManifest, files: Record<string, Uint8Array>): Record<string, string> {
  refuseClash(pkg, files, PYTHON_ENTRY_FILE);
  const own = files['requirements.txt'] ? strFromU8(files['requirements.txt']) : '';
  const hasFramework = own.split('\n').some((line) => /^\s*functions[-_]framework\b/i.test(line));
  const requirements = hasFramework ? own : `${own}${own === '' || own.endsWith('\n') ? '' : '\n'}${PYTHON_FRAMEWORK_REQUIREMENT}\n`;
  return { [PYTHON_ENTRY_FILE]: pythonEntrySource(manifest.handler), 'requirements.txt': requirements };
}

function unsupported(pkg: FunctionPackage): never {
  throw new FaasbenchError('InvalidParameterValue', `provider gcp-functions: ${pkg.dir}/function.json: field "runtime": Cloud Functions runs nodejs and python packages, not provided (a Lambda bootstrap)`);
}

function refuseClash(pkg: FunctionPackage, files: Record<string, Uint8Array>, name: string): void {
  if (files[name]) throw new FaasbenchError('InvalidFunctionPackage', `provider gcp-functions: ${path.join(pkg.dir, name)}: the package has a file named as the generated entry point; rename it`);
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

/** Files keep read permission for everyone; a bootstrap or a .bin script stays executable. */
function modeOf(name: string): number {
  return name === 'bootstrap' || name.startsWith('node_modules/.bin/') ? 0o755 : 0o644;
}
