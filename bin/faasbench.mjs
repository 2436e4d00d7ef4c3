#!/usr/bin/env node
// Runs the CLI: from build/ when it holds the sources as they are (scripts/build.mjs, run by
// `npm install`), else the TypeScript sources directly through tsx's loader, so there is no build
// step between a clone or an edit and a run.
import { readFileSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { builtFile } from './built-sources.mjs';

// `faasbench --version` alone is answered here, as Commander would answer it: tsx's loader costs
// about 0.45 CPU-s and 40 MB (its own thread) before any TypeScript runs, 4x what node alone does,
// which is why the compiled CLI registers it only when a user's module needs it.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

/** Commands that may import a user's experiment module, which can be TypeScript and imports `faasbench/experiments`. */
const LOADS_USER_MODULES = new Set(['experiment', 'suite']);
const command = args.find((a) => !a.startsWith('-'));
const built = builtFile('cli/main.ts');

/** Makes TypeScript and `faasbench/experiments` importable from here on. */
async function registerUserModuleHooks() {
  const { register } = await import('tsx/esm/api');
  // Registered before tsx so that tsx's resolver runs first and hands the TypeScript entry it gets
  // back to tsx's own loader.
  registerHooks('./self-resolve.mjs', { parentURL: import.meta.url, data: { built: built !== null } });
  register();
}

if (!built) await registerUserModuleHooks();
else if (LOADS_USER_MODULES.has(command ?? '')) {
  // Only when a user's module is about to be imported (src/experiments/user-module-hooks.ts): a
  // built-in experiment, a suite of built-ins or `experiment list` then starts without tsx's loader.
  let registered;
  globalThis[Symbol.for('faasbench.userModuleHooks')] = () => (registered ??= registerUserModuleHooks());
}
await import(built ? pathToFileURL(built).href : '../src/cli/main.ts');
