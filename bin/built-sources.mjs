// Whether build/ (scripts/build.mjs) holds the sources as they are now: its BUILT stamp is newer
// than every file under src/. A clone without a build, or any edit since, answers false, and the
// caller runs the TypeScript sources through tsx instead. About 3 ms for src/'s 700 files.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(at) : statSync(at).mtimeMs);
  }
  return newest;
}

/** The built file for `rel` (a path under src/ ending in .ts), or null when build/ is absent or stale. */
export function builtFile(rel) {
  let built;
  try {
    built = statSync(path.join(ROOT, 'build', 'BUILT')).mtimeMs;
  } catch {
    return null;
  }
  if (newestUnder(path.join(ROOT, 'src')) >= built) return null;
  return path.join(ROOT, 'build', 'src', rel.replace(/\.ts$/, '.js'));
}
