// A shard's worker thread entry (shard-threads.ts starts it). Plain JavaScript, so node loads it as
// it is: worker threads do not inherit the TypeScript loader the CLI registered (node 20), so the
// thread registers tsx itself before loading the shard's code.
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
