/**
 * Spawned by durability.test.ts, which kills it with SIGKILL: appends records to a store at a
 * steady ~500/s (so batches never fill: only the flush timer writes) and reports on stdout what it has appended (with the time) and what the store
 * says it has flushed, so the test can check what survived against what was promised.
 * Usage: node bin/run-ts.mjs src/store/testing/kill-writer.ts <store> [pg-schema]
 */
import { openStore } from '../open.ts';
import { makeRecord } from './records.ts';
import { RUN } from './run-meta.ts';

const [target, schema] = process.argv.slice(2);
const store = await openStore(target, {
  ...(schema ? { schema } : {}),
  onFlush: (info) => console.log(`flushed ${info.totalRows}`),
});
const runId = await store.createRun({ ...RUN, name: 'kill-writer' });
console.log(`run ${runId}`);

let seq = 0;
setInterval(() => {
  const batch = [makeRecord(runId, seq++)];
  store.appendRecords(batch).then(
    () => console.log(`appended ${seq} ${Date.now()}`),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
}, 2);
