// Preloaded with `node --import` by main.test.ts: writes every module the process loads, one URL
// or path a line, to the file named by FAASBENCH_IMPORT_LOG. ES modules are seen as the ESM
// loader resolves them (this file again, as a loader hook); CommonJS ones from require's cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const log = process.env.FAASBENCH_IMPORT_LOG;

if (isMainThread && log) {
  register(import.meta.url);
  process.on('exit', () => appendFileSync(log, `${Object.keys(createRequire(import.meta.url).cache).join('\n')}\n`));
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (log) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
