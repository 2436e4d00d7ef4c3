import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, storeTarget } from './open.ts';
import { sql } from './kysely.ts';
import { CACHE_KIB, openSqlite } from './sqlite.ts';
import { storeContract, RUN, type Backend } from './testing/contract.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-store-'));
const file = path.join(dir, 'nested', 'faasbench.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inspect<T>(query: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

const backend: Backend = {
  open: (options) => openStore(file, options),
  migrationRows: async () =>
    inspect((db) => db.prepare('select version, name, applied_at from schema_migrations order by version').all() as { version: number; name: string; applied_at: string }[]),
};

describe('SQLite store', () => {
  storeContract(() => backend);

  it('keeps the file in WAL mode, creating its folder', async () => {
    const store = await openStore(file);
    await store.close();
    expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    expect(store.dialect).toBe('sqlite');
  });

  it("caches 2 MB of pages per connection, SQLite's own default, not better-sqlite3's 16 MB", async () => {
    const backend = await openSqlite(file);
    try {
      const { rows } = await sql<{ cache_size: number }>`pragma cache_size`.execute(backend.db);
      expect(rows).toEqual([{ cache_size: -CACHE_KIB }]);
      expect(CACHE_KIB).toBe(2_000);
    } finally {
      await backend.db.destroy();
    }
  });

  it('stores booleans as 0/1 and reads them back as booleans', async () => {
    const store = await openStore(file);
    try {
      const id = await store.createRun(RUN);
      const base = { runId: id, fn: 'f', phase: 'measure' as const, tag: null, plannedUs: 1, sentUs: 1, receivedUs: 2, latencyMs: 1, status: 'ok' as const, httpStatus: 200, errorClass: null, requestId: null, instanceId: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null };
      await store.appendRecords([{ ...base, seq: 0, cold: true }, { ...base, seq: 1, cold: false }, { ...base, seq: 2, cold: null }]);
      await store.flush();
      expect(inspect((db) => db.prepare('select cold from invocations where run_id = ? order by seq').all(id))).toEqual([{ cold: 1 }, { cold: 0 }, { cold: null }]);
      const read = [];
      for await (const r of store.records(id)) read.push(r.cold);
      expect(read).toEqual([true, false, null]);
    } finally {
      await store.close();
    }
  });
});

describe('a store file that does not exist', () => {
  it('is refused, naming its absolute path and creating nothing, when the caller only reads', async () => {
    const missing = path.join(dir, 'missing', 'runs.db');
    const relative = path.relative(process.cwd(), missing);
    const err = await openStore(relative, { ifMissing: 'refuse' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(`no store at ${missing} (give --store or set FAASBENCH_STORE)`);
    expect(existsSync(path.dirname(missing))).toBe(false);
  });

  it('is created otherwise, and said so once with its absolute path; opening it again says nothing', async () => {
    const created: string[] = [];
    const fresh = path.join(dir, 'fresh', 'runs.db');
    const store = await openStore(path.relative(process.cwd(), fresh), { onCreate: (where) => created.push(where) });
    expect(store.location).toBe(fresh);
    await store.close();
    const again = await openStore(fresh, { onCreate: (where) => created.push(where), ifMissing: 'refuse' });
    await again.close();
    expect(created).toEqual([fresh]);
  });
});

describe('storeTarget', () => {
  it('takes the argument, else FAASBENCH_STORE, else ./faasbench.db', () => {
    expect(storeTarget('x.db', { FAASBENCH_STORE: 'postgres://h/db' })).toBe('x.db');
    expect(storeTarget(undefined, { FAASBENCH_STORE: 'postgres://h/db' })).toBe('postgres://h/db');
    expect(storeTarget('', {})).toBe('./faasbench.db');
    expect(storeTarget(undefined, {})).toBe('./faasbench.db');
  });
});
