#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a clone and a run.
import { readFileSync } from 'node:fs';
import { register as registerHooks } from 'node:module';

// `faasbench --version` alone is answered here, as Commander would answer it: tsx's loader costs
// about 0.45 CPU-s and 40 MB (its own thread) before any TypeScript runs, 4x what node alone does.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

const { register } = await import('tsx/esm/api');
// Registered before tsx so that tsx's resolver runs first and hands the TypeScript entry it gets
// back to tsx's own loader.
registerHooks('./self-resolve.mjs', import.meta.url);
register();
await import('../src/cli/main.ts');
