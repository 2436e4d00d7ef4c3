/**
 * The PostgreSQL backend, for runs written by several invoker shards or nodes at once
 * (DESIGN.md §9): a small pg pool behind Kysely's PostgresDialect. Each connection asks for
 * round-trip float output (extra_float_digits=3 matters before PostgreSQL 12) so a double reads
 * back bit for bit, as it does from SQLite.
 */
import { Kysely, PostgresDialect, sql } from './kysely.ts';
// Types only here: the driver is imported by openPostgres, so an SQLite run never loads it.
import type pg from 'pg';
import { FaasbenchError } from '../core/errors.ts';
import { applyMigrations } from './migrations.ts';
import type { Database } from './schema.ts';
import type { SqlBackend } from './sql-store.ts';
import type { StoreOptions } from './store.ts';
import { queryLogger } from './query-log.ts';
import { postgresLocation, redactedUrl } from './store-target.ts';

const POOL_SIZE = 4;
/**
 * A server that drops packets instead of refusing would leave a connection attempt waiting for
 * minutes (the OS's TCP timeout); the record sink retries a failed write, so failing in 10 s is
 * better than hanging.
 */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * A statement with no answer for this long fails, so a server that stopped answering mid-query
 * (or a link that silently dropped) costs the record sink one retry, not the rest of the run.
 * Well above any write of ours: a 2,000-record batch commits in well under a second.
 */
const QUERY_TIMEOUT_MS = 30_000;
/** TCP keep-alive probes start after this much silence, so a dead peer is noticed on an idle connection too. */
const KEEP_ALIVE_DELAY_MS = 10_000;
/** Advisory lock key for migrations: any constant every faasbench shares ("fbmg"). */
const MIGRATION_LOCK = 0x66626d67;

export async function openPostgres(url: string, options: StoreOptions = {}): Promise<SqlBackend> {
  const { schema } = options;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new FaasbenchError('InvalidParameterValue', `store schema ${JSON.stringify(schema)}: expected a plain identifier (letters, digits, _)`);
  }
  const pool = new (await import('pg')).default.Pool({
    ...connection(url, schema),
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: options.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
  });
  // An idle connection dropped by the server emits here; without a listener it would crash the
  // process. The next query fails and reports it.
  pool.on('error', () => undefined);
  // A connection lost while checked out between two statements (the pool listens only to idle
  // ones) would emit an unhandled 'error' and kill the process; the statement that uses it next
  // fails instead, and the record sink retries.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queryLogger(options) });
  try {
    await migrate(db, schema);
  } catch (err) {
    await db.destroy();
    throw new FaasbenchError('ServiceUnavailable', `cannot open the PostgreSQL store at ${redactedUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  // Any pooled connection will do: a read needs no transaction, and writes run on their own.
  const readArrays = async (query: { sql: string; parameters: readonly unknown[] }): Promise<unknown[][]> =>
    (await pool.query<unknown[]>({ text: query.sql, values: [...query.parameters], rowMode: 'array' })).rows;
  return { db, readArrays, location: postgresLocation(url, schema) };
}

/**
 * pg lets an `options` parameter in the URL replace the one in the config, so the user's and ours
 * are merged here and the URL passed without it.
 */
function connection(url: string, schema: string | undefined): pg.PoolConfig {
  const parsed = new URL(url);
  const mine = ['-c extra_float_digits=3', ...(schema === undefined ? [] : [`-c search_path=${schema}`])];
  const theirs = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), options: [theirs, ...mine].filter(Boolean).join(' ') };
}

/** The whole check-and-apply runs under one advisory lock, so shards opening together migrate once. */
async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    return applyMigrations(trx, 'postgres');
  });
}
