/**
 * openStore(target): the one way in. `postgres://` or `postgresql://` URLs open PostgreSQL;
 * anything else is an SQLite file path. Without a target, the environment variable
 * FAASBENCH_STORE names one, and without that the store is ./faasbench.db. A SQLite path is
 * taken from the current folder and kept absolute (Store.location), so what is printed and stored
 * (in journals, in messages) finds the same file from anywhere. A missing file is created unless
 * the caller asks otherwise (StoreOptions.ifMissing).
 */
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import { openPostgres, isPostgresUrl } from './postgres.ts';
import { SqlStore } from './sql-store.ts';
import { DEFAULT_SQLITE_PATH, openSqlite } from './sqlite.ts';
import type { Store, StoreOptions } from './store.ts';

export const STORE_ENV = 'FAASBENCH_STORE';

/**
 * How to open a store again from another thread (the record sink's writer), with the password
 * that Store.location masks. Only what a writer of records needs of the options is kept.
 */
export interface StoreReopen {
  readonly target: string;
  readonly options: Pick<StoreOptions, 'schema' | 'queryTimeoutMs'>;
}

const reopens = new WeakMap<Store, StoreReopen>();

/**
 * How `store` can be opened again; undefined for one that cannot be: an in-memory SQLite store
 * (a second connection would be another, empty database), one whose caller watches every query
 * or flush (onQuery, onFlush: another thread's would go unseen), or any Store not from openStore.
 */
export function reopenOf(store: Store): StoreReopen | undefined {
  return reopens.get(store);
}

/** What openStore would open for `target`: the argument, else FAASBENCH_STORE, else ./faasbench.db. */
export function storeTarget(target?: string, env: NodeJS.ProcessEnv = process.env): string {
  return target || env[STORE_ENV] || DEFAULT_SQLITE_PATH;
}

export async function openStore(target?: string, options: StoreOptions = {}): Promise<Store> {
  const where = storeTarget(target);
  const dialect = isPostgresUrl(where) ? 'postgres' : 'sqlite';
  const backend = dialect === 'postgres' ? await openPostgres(where, options) : await openSqlite(where, options).catch(notAStore(where === ':memory:' ? where : path.resolve(where)));
  try {
    const store = new SqlStore(backend, dialect, options);
    const watched = options.onQuery !== undefined || options.onFlush !== undefined;
    if (where !== ':memory:' && !watched) reopens.set(store, { target: dialect === 'postgres' ? where : backend.location, options: reopenOptions(options) });
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

function reopenOptions({ schema, queryTimeoutMs }: StoreOptions): StoreReopen['options'] {
  return { ...(schema === undefined ? {} : { schema }), ...(queryTimeoutMs === undefined ? {} : { queryTimeoutMs }) };
}
