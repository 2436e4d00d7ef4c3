/** Passes each executed statement to StoreOptions.onQuery (Kysely's log hook), when one is given. */
import type { LogConfig } from 'kysely';
import type { StoreOptions } from './store.ts';

export function queryLogger(options: StoreOptions): LogConfig | undefined {
  const { onQuery } = options;
  if (onQuery === undefined) return undefined;
  return (event) => {
    if (event.level === 'query') onQuery(event.query.sql, event.query.parameters);
  };
}
