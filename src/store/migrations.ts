/**
 * Versioned schema migrations, one list for both databases, applied in order when a store opens.
 * A migration is never edited once released: a change to the schema is a new entry at the end.
 * Each backend runs applyMigrations under a lock held across the whole check-and-apply
 * (sqlite.ts, postgres.ts), so shards opening one store at the same moment migrate it once.
 */
import type { Kysely } from 'kysely';
import { epochMicros } from '../core/clock.ts';
import { FaasbenchError } from '../core/errors.ts';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Runs inside the runner's transaction; the dialect is there for the few types SQL spells two ways. */
  up(db: Kysely<Database>, dialect: Dialect): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, invocations, records, kv',
    async up(db, dialect) {
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('seed', 'double precision')
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('tool_version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('summary', 'text')
        .addColumn('progress', 'text')
        .addColumn('progress_at', 'text')
        .addColumn('duplicates', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('runs_started_at').on('runs').columns(['started_at', 'id']).execute();

      const references = 'runs.id';
      await db.schema
        .createTable('invocations')
        .addColumn('run_id', 'text', (c) => c.notNull().references(references).onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('fn', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('tag', 'text')
        // Epoch µs are ~1.8e15 with a fractional part: a double keeps them to 0.25 µs.
        .addColumn('planned_us', 'double precision', (c) => c.notNull())
        .addColumn('sent_us', 'double precision')
        .addColumn('received_us', 'double precision')
        .addColumn('latency_ms', 'double precision')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('error_class', 'text')
        .addColumn('request_id', 'text')
        .addColumn('instance_id', 'text')
        .addColumn('cold', 'boolean')
        .addColumn('init_ms', 'double precision')
        .addColumn('duration_ms', 'double precision')
        .addColumn('billed_ms', 'double precision')
        .addColumn('memory_mb', 'double precision')
        .addColumn('max_memory_mb', 'double precision')
        .addPrimaryKeyConstraint('invocations_pk', ['run_id', 'seq'])
        .execute();

      await db.schema
        .createTable('records')
        .addColumn('id', 'integer', (c) => (dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
        .addColumn('run_id', 'text', (c) => c.notNull().references(references).onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('row', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('records_run').on('records').columns(['run_id', 'id']).execute();

      await db.schema
        .createTable('kv')
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('kv_pk', ['namespace', 'key'])
        .execute();
    },
  },
  {
    version: 2,
    name: 'runs: heartbeat of the writer',
    async up(db) {
      // Both nullable: runs from before have neither, and readers fall back to progress_at/started_at (run-status.ts).
      await db.schema.alterTable('runs').addColumn('heartbeat_at', 'text').execute();
      await db.schema.alterTable('runs').addColumn('heartbeat_ms', 'integer').execute();
    },
  },
  {
    version: 3,
    name: 'runs: label',
    async up(db) {
      // Nullable: runs from before, and runs started without --label, have none.
      await db.schema.alterTable('runs').addColumn('label', 'text').execute();
    },
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Creates the bookkeeping table, then applies the migrations the store lacks. Returns those applied. */
export async function applyMigrations(db: Kysely<Database>, dialect: Dialect): Promise<number[]> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const done = new Set((await db.selectFrom('schema_migrations').select('version').execute()).map((r) => Number(r.version)));
  const newest = Math.max(0, ...done);
  if (newest > SCHEMA_VERSION) {
    throw new FaasbenchError(
      'ResourceConflict',
      `the store's schema is at version ${newest}, newer than this faasbench knows (${SCHEMA_VERSION}): upgrade faasbench to use it`,
    );
  }
  const applied: number[] = [];
  for (const migration of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    await migration.up(db, dialect);
    await db
      .insertInto('schema_migrations')
      .values({ version: migration.version, name: migration.name, applied_at: new Date(epochMicros() / 1000).toISOString() })
      .execute();
    applied.push(migration.version);
  }
  return applied;
}
