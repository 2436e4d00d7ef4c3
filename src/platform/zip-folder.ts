/**
 * A staged folder zipped again, for GetFunction's `Code.Location`: the package Lambda would hand
 * back. Unix modes are kept (an executable `bootstrap` stays executable); symlinks were refused
 * at staging, so there are none to follow.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { zip, type AsyncZippable } from 'fflate';

export async function zipFolder(dir: string): Promise<Buffer> {
  const entries: AsyncZippable = {};
  for (const rel of await listFiles(dir)) {
    const file = path.join(dir, rel);
    const mode = (await stat(file)).mode & 0o777;
    // External attributes carry the Unix mode in their upper 16 bits (with os 3, Unix).
    entries[rel] = [await readFile(file), { os: 3, attrs: ((0o100000 | mode) << 16) >>> 0 }];
  }
  return new Promise((resolve, reject) => zip(entries, { level: 6 }, (err, data) => (err ? reject(err) : resolve(Buffer.from(data.buffer, data.byteOffset, data.byteLength)))));
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}
