#!/usr/bin/env node
// Installs the dependencies of each function that declares its own (functions/<name>/package.json
// with a package-lock.json) into that folder, the way a Lambda deployment package carries them.
// Runs as the root package's postinstall, so `npm install` leaves every function deployable.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

for (const name of readdirSync(functionsDir).sort()) {
  const dir = path.join(functionsDir, name);
  if (!existsSync(path.join(dir, 'package-lock.json'))) continue;
  console.log(`functions/${name}: npm ci --omit=dev`);
  execFileSync(npm, ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
}
