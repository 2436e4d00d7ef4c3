/**
 * Deployed code is a snapshot: a folder is copied and a zip extracted into the platform's data
 * directory, so later edits to the source do not change a deployed function (as on Lambda).
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, writeFileSync, readdirSync, statSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { FaasbenchError } from '../core/errors.ts';

export interface StagedCode {
  readonly dir: string;
  readonly size: number;
  readonly sha256: string;
}

/** A folder (plus files bundled from elsewhere: package path -> absolute source), or a zip. */
export type CodeSource = { readonly folder: string; readonly include?: Readonly<Record<string, string>> } | { readonly zip: Uint8Array };

export function stageCode(source: CodeSource, dir: string): StagedCode {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if ('folder' in source) {
    cpSync(source.folder, dir, { recursive: true, filter: (src) => !/(^|\/)(node_modules\/\.cache|__pycache__)$/.test(src) });
    for (const [target, from] of Object.entries(source.include ?? {})) {
      const to = path.resolve(dir, target);
      if (!to.startsWith(dir + path.sep)) throw new FaasbenchError('InvalidParameterValue', `include "${target}" points outside the package`);
      cpSync(from, to, { recursive: true });
    }
    return { dir, ...digestFolder(dir) };
  }
  extractZip(source.zip, dir);
  return { dir, size: source.zip.length, sha256: createHash('sha256').update(source.zip).digest('base64') };
}

function extractZip(zip: Uint8Array, dir: string): void {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `Code.ZipFile is not a valid zip archive (${(err as Error).message})`);
  }
  for (const [name, data] of Object.entries(entries)) {
    const target = path.resolve(dir, name);
    if (!target.startsWith(dir + path.sep)) {
      throw new FaasbenchError('InvalidParameterValue', `Code.ZipFile entry "${name}" points outside the package`);
    }
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  // Zips made without Unix modes lose the executable bit a `provided` bootstrap needs.
  const bootstrap = path.join(dir, 'bootstrap');
  if (entries['bootstrap']) chmodSync(bootstrap, 0o755);
}

function digestFolder(dir: string): { size: number; sha256: string } {
  const hash = createHash('sha256');
  let size = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const file = path.join(d, name);
      const st = statSync(file);
      if (st.isDirectory()) walk(file);
      else {
        size += st.size;
        hash.update(path.relative(dir, file)).update(String(st.size));
      }
    }
  };
  walk(dir);
  return { size, sha256: hash.digest('base64') };
}
