import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InsertCache } from './insert-cache.ts';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from './kysely.ts';
import { encodeInvocation, type Database, type InvocationRow } from './schema.ts';

function rows(from: number, n: number, runId = 'r1'): InvocationRow[] {
  return Array.from({ length: n }, (_, i) =>
    encodeInvocation(
      { runId, seq: from + i, fn: `fn-${i % 3}`, phase: 'measure', tag: i % 2 ? 'x' : null, plannedUs: 1e15 + i, sentUs: 1e15 + i + 7, receivedUs: null, latencyMs: i / 3, status: i % 4 ? 'ok' : 'function-error', httpStatus: 200, errorClass: null, requestId: `q${i}`, instanceId: null, cold: i % 2 === 0, initMs: null, durationMs: 1.5, billedMs: 2, memoryMb: 128, maxMemoryMb: null },
      'integer',
    ),
  );
}

const dialects = {
  sqlite: () => new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) }),
  // Compiling needs no connection: the pool is never asked for one.
  postgres: () => new Kysely<Database>({ dialect: new PostgresDialect({ pool: {} as never }) }),
};

describe.each(Object.entries(dialects))('InsertCache (%s)', (_name, make) => {
  const db = make();
  const upsert = (chunk: InvocationRow[]): CompiledQuery =>
    db
      .insertInto('invocations')
      .values(chunk)
      .onConflict((oc) => oc.columns(['run_id', 'seq']).doUpdateSet((eb) => ({ status: eb.ref('excluded.status') })).where('invocations.status', '=', 'unknown'))
      .compile();

  it('binds a later chunk of the same size exactly as Kysely compiles it, without compiling it', () => {
    const cache = new InsertCache();
    let compiles = 0;
    const counted = (chunk: InvocationRow[]) => () => (compiles++, upsert(chunk));
    cache.compiled('final', rows(0, 25), counted(rows(0, 25)));
    const later = rows(100, 25, 'r2');
    const reused = cache.compiled('final', later, counted(later));
    expect(compiles).toBe(1);
    const direct = upsert(later);
    expect(reused.sql).toBe(direct.sql);
    expect(reused.parameters).toEqual(direct.parameters);
    // The ON CONFLICT clause's own parameter comes after the rows' values.
    expect(reused.parameters.at(-1)).toBe('unknown');
    expect(reused.parameters).toHaveLength(25 * Object.keys(later[0]!).length + 1);
  });

  it('keeps one shape per size and per kind', () => {
    const cache = new InsertCache();
    let compiles = 0;
    for (const [kind, n] of [['final', 25], ['final', 7], ['final', 25], ['unknown', 25], ['final', 7]] as const) {
      const chunk = rows(0, n);
      cache.compiled(kind, chunk, () => (compiles++, upsert(chunk)));
    }
    expect(compiles).toBe(3);
  });

  it('compiles every time a shape whose parameters are not the rows in order', () => {
    const cache = new InsertCache();
    let compiles = 0;
    // Columns given in another order than the rows' keys: the parameters do not follow the rows.
    const reordered = (chunk: InvocationRow[]) => () => (compiles++, db.insertInto('invocations').values(chunk.map((r) => Object.fromEntries(Object.entries(r).reverse()) as InvocationRow)).compile());
    const a = rows(0, 3);
    const b = rows(3, 3);
    cache.compiled('final', a, reordered(a));
    const second = cache.compiled('final', b, reordered(b));
    expect(compiles).toBe(2);
    expect(second.parameters).toEqual(reordered(b)().parameters);
  });
});
