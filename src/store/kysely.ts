/**
 * kysely, loaded from its CommonJS build. Its ES build is 976 files, and under tsx (how the CLI
 * runs) every ES module makes a round trip through the loader's hooks: 0.6 CPU-s and 25 MB on every
 * command that opens a store, against 0.1 CPU-s for the same code as CommonJS (BENCHMARKS.md,
 * "Start-up"). Same package, same version, same classes; only the way it is loaded differs.
 */
import { createRequire } from 'node:module';
import type * as KyselyModule from 'kysely';

const kysely = createRequire(import.meta.url)('kysely') as typeof KyselyModule;

export const { Kysely, SqliteDialect, PostgresDialect, sql } = kysely;
/** A compiled query from its SQL text and parameters (Kysely's CompiledQuery.raw). */
export const rawQuery = kysely.CompiledQuery.raw;
export type Kysely<DB> = KyselyModule.Kysely<DB>;
export type { CompiledQuery, Selectable } from 'kysely';
