import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.ts';
import { openStore } from './open.ts';
import { storeContract, RUN, type Backend } from './testing/contract.ts';
import { createTestSchema, PG_TEST_URL, SKIP_PG, type TestSchema } from './testing/postgres.ts';

describe.skipIf(SKIP_PG)('PostgreSQL store', () => {
  let pg: TestSchema;
  let backend: Backend;
  beforeAll(async () => {
    pg = await createTestSchema();
    backend = {
      open: (options) => openStore(PG_TEST_URL, { ...options, schema: pg.schema }),
      migrationRows: () => pg.query('select version, name, applied_at from schema_migrations order by version'),
    };
  });
  afterAll(async () => {
    await pg?.drop();
  });

  storeContract(() => backend);

  it('migrates a fresh schema once when several shards open it at the same moment', async () => {
    const schema = `${pg.schema}_race`;
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(PG_TEST_URL, { schema })));
    try {
      const rows = await pg.query<{ version: number }>(`select version from ${schema}.schema_migrations order by version`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const id = await stores[0]!.createRun(RUN);
      expect((await stores[3]!.getRun(id))?.status).toBe('running');
      expect(stores[0]!.dialect).toBe('postgres');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await pg.query(`drop schema ${schema} cascade`);
    }
  });

  it('stores booleans as booleans', async () => {
    const store = await backend.open();
    try {
      const id = await store.createRun(RUN);
      const base = { runId: id, fn: 'f', phase: 'measure' as const, tag: null, plannedUs: 1, sentUs: 1, receivedUs: 2, latencyMs: 1, status: 'ok' as const, httpStatus: 200, errorClass: null, requestId: null, instanceId: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null };
      await store.appendRecords([{ ...base, seq: 0, cold: true }, { ...base, seq: 1, cold: false }]);
      await store.flush();
      expect(await pg.query('select cold from invocations where run_id = $1 order by seq', [id])).toEqual([{ cold: true }, { cold: false }]);
    } finally {
      await store.close();
    }
  });

  it('names the server when it cannot connect', async () => {
    const err = await openStore('postgres://nobody@127.0.0.1:1/none').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^cannot open the PostgreSQL store at postgres:\/\/nobody@127\.0\.0\.1:1\/none: /);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openStore(PG_TEST_URL, { schema: 'x; drop table runs' })).rejects.toThrow('store schema "x; drop table runs": expected a plain identifier');
  });
});
