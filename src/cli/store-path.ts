/**
 * How commands open the store. Commands that create runs (invoke, trace replay, experiment run)
 * create the store when it is missing and say where on stderr, as an absolute path; commands that
 * only read runs refuse a missing SQLite file (store/sqlite-file.ts names it), so a mistyped --store or
 * FAASBENCH_STORE is an error instead of a new, empty store. The drivers are imported when a store
 * is opened, not with this file: a load run's sending thread holds a RunStore and never opens one.
 */
import { FaasbenchError } from '../core/errors.ts';
import { RunStore } from '../store/run-store.ts';
import type { Store, StoreOptions } from '../store/store.ts';

/** For commands that only read: a missing SQLite file is ResourceNotFound (exit 3), never created. */
export const READ_ONLY: StoreOptions = { ifMissing: 'refuse' };

/** The store a command writes its runs to, created if missing (said on stderr), labelling the runs it creates. */
export async function openRunStore(target: string | undefined, label?: string): Promise<Store> {
  const { openStore } = await import('../store/open.ts');
  return openStore(target, runStoreOptions(label));
}

/**
 * The store a load run (invoke, trace replay) writes to, as its sending thread holds it: created
 * if missing, as openRunStore creates it, and connected to by the store writer's thread.
 */
export function loadRunStore(target: string | undefined, label?: string): RunStore {
  return new RunStore(target, runStoreOptions(label));
}

function runStoreOptions(label: string | undefined): StoreOptions {
  return {
    onCreate: (where) => console.error(`faasbench: created store ${where}`),
    ...(label === undefined ? {} : { runLabel: label }),
  };
}

export const STORE_HELP = 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)';

/**
 * Runs `work` on the existing store named by `target` (else FAASBENCH_STORE, else
 * ./faasbench.db), closing it after. A SQLite file that does not exist is refused, naming its
 * absolute path; SQLite errors while reading become bad input naming the file.
 */
export async function withExistingStore<T>(target: string | undefined, work: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open.ts');
  const store = await openStore(target, READ_ONLY);
  try {
    return await work(store);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) throw new FaasbenchError('InvalidParameterValue', `${store.location}: the store cannot be read (SQLite: ${(err as Error).message})`, { cause: err });
    throw err;
  } finally {
    await store.close().catch(() => undefined);
  }
}
