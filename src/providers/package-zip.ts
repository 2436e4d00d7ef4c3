/**
 * A function package as a Lambda deployment zip: the folder (node_modules included, as Lambda
 * needs them), the files its `include` bundles from elsewhere, and a function.json holding the
 * effective manifest (the package's plus the deploy overrides). Lambda ignores that file; the
 * local platform's Lambda API reads the settings Lambda's API has no field for from it.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { zipSync, type ZipOptions, type Zippable } from 'fflate';
import { FaasbenchError } from '../core/errors.ts';
import { definedFields } from './options.ts';
import {
  describeIssues,
  functionPackageSchema,
  resolvedIncludes,
  type FunctionManifest,
  type FunctionPackage,
  type FunctionSettingsInput,
} from '../core/function-package.ts';

/** Caches and shims that are rebuilt where they run; everything else of the folder is code. */
const SKIPPED = /(^|\/)(node_modules\/\.cache|node_modules\/\.bin|__pycache__)$/;
/** A fixed timestamp keeps the zip (and so Lambda's CodeSha256) the same for the same files. */
const MTIME = new Date('2000-01-01T00:00:00Z');

/** The package's manifest with deploy overrides applied and checked, as every provider deploys it. */
export function effectiveManifest(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): FunctionManifest {
  const result = functionPackageSchema.safeParse({ ...pkg.manifest, ...definedFields(overrides) });
  if (!result.success) throw new FaasbenchError('InvalidParameterValue', `deploy ${pkg.manifest.name}: ${describeIssues(result.error)}`);
  return result.data;
}

export function packageZip(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): Uint8Array {
  const files: Zippable = {};
  addTree(files, pkg.dir, '');
  for (const [target, source] of Object.entries(resolvedIncludes(pkg))) {
    const normalized = path.posix.normalize(target.split(path.sep).join('/'));
    if (normalized.startsWith('../') || path.posix.isAbsolute(normalized)) {
      throw new FaasbenchError('InvalidFunctionPackage', `${pkg.dir}/function.json: field "include.${target}": points outside the package`);
    }
    if (statSync(source).isDirectory()) addTree(files, source, `${normalized}/`);
    else files[normalized] = entry(source);
  }
  // The bundled files are in place already, so the zip's manifest includes nothing more.
  const manifest = { ...effectiveManifest(pkg, overrides), include: {} };
  files['function.json'] = [Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { os: 3, attrs: 0o644 << 16, mtime: MTIME }];
  return zipSync(files);
}

function entry(file: string): [Uint8Array, ZipOptions] {
  // Unix permissions, so a `provided` bootstrap stays executable on Lambda.
  const mode = statSync(file).mode & 0o777;
  return [readFileSync(file), { os: 3, attrs: mode << 16, mtime: MTIME }];
}

function addTree(files: Zippable, dir: string, prefix: string): void {
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const zipPath = `${prefix}${name}`;
    if (SKIPPED.test(zipPath)) continue;
    const link = lstatSync(file);
    // A symlink is zipped as what it points to; a dangling one is left out, as npm's .bin links can be.
    const st = link.isSymbolicLink() ? statOrNull(file) : link;
    if (!st) continue;
    if (st.isDirectory()) addTree(files, file, `${zipPath}/`);
    else if (st.isFile()) files[zipPath] = entry(file);
  }
}

function statOrNull(file: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
