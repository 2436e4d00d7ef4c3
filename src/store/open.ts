/**
 * openStore(target): the one way in. `postgres://` or `postgresql://` URLs open PostgreSQL;
 * anything else is an SQLite file path. Without a target, the environment variable
 * FAASBENCH_STORE names one, and without that the store is ./faasbench.db (store-target.ts). A
 * SQLite path is taken from the current folder and kept absolute (Store.location), so what is
 * printed and stored (in journals, in messages) finds the same file from anywhere. A missing file
 * is created unless the caller asks otherwise (StoreOptions.ifMissing).
 */
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import { openPostgres } from './postgres.ts';
import { rememberReopen } from './reopen.ts';
import { SqlStore } from './sql-store.ts';
import { openSqlite } from './sqlite.ts';
import type { Store, StoreOptions } from './store.ts';
import { isPostgresUrl, storeTarget } from './store-target.ts';

export { storeTarget, STORE_ENV } from './store-target.ts';
export { reopenOf, type StoreReopen } from './reopen.ts';

export async function openStore(target?: string, options: StoreOptions = {}): Promise<Store> {
  const where = storeTarget(target);
  const dialect = isPostgresUrl(where) ? 'postgres' : 'sqlite';
  const backend = dialect === 'postgres' ? await openPostgres(where, options) : await openSqlite(where, options).catch(notAStore(where === ':memory:' ? where : path.resolve(where)));
  try {
    const store = new SqlStore(backend, dialect, options);
    rememberReopen(store, dialect === 'postgres' ? where : backend.location, options);
    return store;
  } catch (err) {
    await backend.db.destroy();
    throw err;
  }
}

/** SQLite's verdict on a file that is not a database (or a damaged one), as bad input naming the file. */
function notAStore(file: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))) {
      throw new FaasbenchError('InvalidParameterValue', `${file} is not a faasbench store (SQLite: ${(err as Error).message})`, { cause: err });
    }
    throw err;
  };
}
