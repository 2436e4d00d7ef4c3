/**
 * The SQLite backend: a file (default ./faasbench.db) in WAL mode with synchronous=NORMAL, so a
 * committed batch survives the writer being killed (only a power loss can take the last commits),
 * and readers such as the dashboard never block the writer. busy_timeout lets a second process
 * (an export while a run writes) wait for the lock instead of failing.
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from './kysely.ts';
import { applyMigrations } from './migrations.ts';
import type { Database } from './schema.ts';
import type { ReadArrays, SqlBackend } from './sql-store.ts';
import type { StoreOptions } from './store.ts';
import { queryLogger } from './query-log.ts';
import { ensureStoreFile } from './sqlite-file.ts';

export { DEFAULT_SQLITE_PATH } from './store-target.ts';
const BUSY_TIMEOUT_MS = 5_000;
/**
 * Page cache per connection, KiB (negative: SQLite's unit for "this many KiB"): SQLite's own
 * default, 2 MB. better-sqlite3 builds SQLite with 16 MB, and the store writer's connection filled
 * all of it in a run's first seconds (its insert pages stay cached after each commit): 16 MB of a
 * load's resident memory, about a tenth. The inserts append to the end of each B-tree and the
 * readers scan, so neither rereads much beyond the pages at hand; what is not cached here is in
 * the kernel's page cache, one pread away.
 */
export const CACHE_KIB = 2_000;
/** Prepared array-mode statements kept: one per column list a reader uses, and readers use few. */
const STATEMENTS_KEPT = 16;

export async function openSqlite(file: string, options: StoreOptions = {}): Promise<SqlBackend> {
  ensureStoreFile(file, options);
  const sqlite = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // SQLite leaves foreign keys off unless asked; PostgreSQL enforces them, and both must refuse alike.
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`cache_size = -${CACHE_KIB}`);
  } catch (err) {
    sqlite.close();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: preparedWrites(sqlite) }), log: queryLogger(options) });
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, readArrays: arrayReader(db, sqlite), location: file === ':memory:' ? file : path.resolve(file) };
}

/** Write statements kept prepared: the record inserts (insert-cache.ts), one per chunk size and conflict rule. */
const WRITES_KEPT = 32;

/**
 * The connection as Kysely's dialect sees it, preparing each INSERT once: Kysely prepares every
 * statement it runs, and preparing a 25-row insert of 20 columns cost the store writer about a
 * fifth of its CPU. Only statements that return no rows are kept: a reader's statement may still
 * be iterating when the same SQL runs again, and better-sqlite3 refuses a busy statement.
 */
function preparedWrites(sqlite: BetterSqlite3.Database): { close(): void; prepare(sql: string): BetterSqlite3.Statement } {
  const kept = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): BetterSqlite3.Statement {
      const known = kept.get(sql);
      if (known !== undefined) return known;
      const statement = sqlite.prepare(sql);
      if (!statement.reader && /^insert\b/i.test(sql)) {
        if (kept.size >= WRITES_KEPT) kept.clear();
        kept.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * better-sqlite3's raw mode over the connection Kysely drives. Each read takes that connection
 * through Kysely, so it waits for a write transaction in progress (the write buffer's) to end
 * instead of reading inside it.
 */
function arrayReader(db: Kysely<Database>, sqlite: BetterSqlite3.Database): ReadArrays {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return (query) =>
    db.connection().execute(async () => {
      let statement = statements.get(query.sql);
      if (statement === undefined) {
        if (statements.size >= STATEMENTS_KEPT) statements.clear();
        statement = sqlite.prepare(query.sql).raw(true);
        statements.set(query.sql, statement);
      }
      return statement.all(...query.parameters) as unknown[][];
    });
}

/** `begin immediate` takes the write lock before reading the applied versions, so two openers queue. */
async function migrate(db: Kysely<Database>): Promise<number[]> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const applied = await applyMigrations(conn, 'sqlite');
      await sql`commit`.execute(conn);
      return applied;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}
