// Preloaded into a CLI process (NODE_OPTIONS=--import) by test/send-thread-drivers.test.ts: at
// exit it writes to the file FAASBENCH_TEST_DRIVERS_FILE, as a sorted JSON array, which of the
// store's drivers the main thread loaded. kysely (store/kysely.ts), better-sqlite3 and pg are
// CommonJS, so each is in the main thread's require cache once loaded, imported or required;
// a worker thread has a cache of its own, so the store writer's thread does not count.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const DRIVER = /[\\/]node_modules[\\/](kysely|better-sqlite3|pg)[\\/]/;

if (isMainThread) {
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const loaded = new Set(Object.keys(cache).flatMap((file) => DRIVER.exec(file)?.[1] ?? []));
    writeFileSync(process.env.FAASBENCH_TEST_DRIVERS_FILE, JSON.stringify([...loaded].sort()));
  });
}
