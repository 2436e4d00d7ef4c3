/**
 * A path of this installation named relative to a module (`../../functions` from src/cli/), as the
 * user should see it. Run from build/ (scripts/build.mjs), such a path passes through build/'s
 * links to the repository's folders; the real path is the one printed and stored, so a run's
 * params are the same however the CLI was started.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function installPath(relative: string, moduleUrl: string): string {
  const named = fileURLToPath(new URL(relative, moduleUrl));
  try {
    return realpathSync(named);
  } catch {
    // Not there (a file a published package leaves out): the caller says so when it needs it.
    return named;
  }
}
