// Clears what earlier test runs left in the scratch directory, once per run.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../../src/platform/platform.ts';

export default function setup(): void {
  rmSync(path.join(path.dirname(defaultDataDir()), 'tests'), { recursive: true, force: true });
}
