// The store writer thread's entry (threaded-sink.ts starts it). Plain JavaScript, so node loads it
// as it is: worker threads do not inherit the TypeScript loader the CLI registered (node 20), so
// the thread registers tsx itself before loading the writer.
import { register } from 'tsx/esm/api';

register();
await import('./writer-worker.ts');
