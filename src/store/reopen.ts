/**
 * How a store can be opened again from another thread (the record sink's writer, threaded-sink.ts):
 * kept beside the store, not in it, and apart from open.ts so that asking loads no driver.
 */
import type { StoreOptions } from './store.ts';

/**
 * What a writer of records and of the run row needs to open the store: the target with the
 * password that Store.location masks, and the options that shape its queries.
 */
export interface StoreReopen {
  readonly target: string;
  readonly options: Pick<StoreOptions, 'schema' | 'queryTimeoutMs' | 'runLabel'>;
}

const reopens = new WeakMap<object, StoreReopen>();

/**
 * How `store` can be opened again; undefined for one that cannot be: an in-memory SQLite store
 * (a second connection would be another, empty database), one whose caller watches every query
 * or flush (onQuery, onFlush: another thread's would go unseen), or any store not from openStore
 * or runStore (run-store.ts).
 */
export function reopenOf(store: object): StoreReopen | undefined {
  return reopens.get(store);
}

/** Says how `store`, opened from `target` with `options`, can be opened again, when it can. */
export function rememberReopen(store: object, target: string, options: StoreOptions): void {
  const watched = options.onQuery !== undefined || options.onFlush !== undefined;
  if (target === ':memory:' || watched) return;
  const { schema, queryTimeoutMs, runLabel } = options;
  reopens.set(store, {
    target,
    options: { ...(schema === undefined ? {} : { schema }), ...(queryTimeoutMs === undefined ? {} : { queryTimeoutMs }), ...(runLabel === undefined ? {} : { runLabel }) },
  });
}
