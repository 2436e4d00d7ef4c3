/**
 * Where a store is, worked out without opening it: which target a command means, whether it is
 * PostgreSQL, and the location messages and journals name. Nothing here loads a driver, so the
 * sending thread of a load run can hold its store's location while another thread connects
 * (run-store.ts).
 */
import path from 'node:path';

export const STORE_ENV = 'FAASBENCH_STORE';
export const DEFAULT_SQLITE_PATH = './faasbench.db';

/** What openStore would open for `target`: the argument, else FAASBENCH_STORE, else ./faasbench.db. */
export function storeTarget(target?: string, env: NodeJS.ProcessEnv = process.env): string {
  return target || env[STORE_ENV] || DEFAULT_SQLITE_PATH;
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** Store.location of `target`: an SQLite file's absolute path (or ':memory:'), or the PostgreSQL URL as postgresLocation says. */
export function storeLocation(target: string, schema?: string): string {
  if (isPostgresUrl(target)) return postgresLocation(target, schema);
  return target === ':memory:' ? target : path.resolve(target);
}

/** The URL openStore needs to reach these tables again, password masked: for messages and journals. */
export function postgresLocation(url: string, schema: string | undefined): string {
  const parsed = new URL(redactedUrl(url));
  if (schema !== undefined) parsed.searchParams.set('options', [parsed.searchParams.get('options'), `-c search_path=${schema}`].filter(Boolean).join(' '));
  return parsed.toString();
}

export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
