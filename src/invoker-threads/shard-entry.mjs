// A shard's worker thread entry (shard-threads.ts starts it). Plain JavaScript, so node loads it
// as it is. In build/ (scripts/build.mjs) the shard's code beside it is JavaScript; in src/ it is
// TypeScript, and worker threads do not inherit the loader the CLI registered (node 20), so the
// thread registers tsx itself first.
import { existsSync } from 'node:fs';

const built = new URL('./shard-worker.js', import.meta.url);
if (existsSync(built)) await import(built.href);
else {
  (await import('tsx/esm/api')).register();
  await import('./shard-worker.ts');
}
