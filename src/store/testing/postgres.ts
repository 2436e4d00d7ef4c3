/**
 * The PostgreSQL the store's tests need: postgres://root@127.0.0.1:5432/test (trust auth), or
 * FAASBENCH_TEST_PG. Each test file works in a schema of its own (fb_test_<pid>_<hex>), dropped
 * afterwards, so parallel runs never meet. Without a server the tests fail saying so, unless
 * FAASBENCH_SKIP_PG=1 asks to skip them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_TEST_URL = process.env.FAASBENCH_TEST_PG || 'postgres://root@127.0.0.1:5432/test';
export const SKIP_PG = process.env.FAASBENCH_SKIP_PG === '1';
if (SKIP_PG) console.warn(`FAASBENCH_SKIP_PG=1: skipping the store's PostgreSQL tests (they need PostgreSQL at ${PG_TEST_URL})`);

export interface TestSchema {
  readonly schema: string;
  query<T>(text: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createTestSchema(): Promise<TestSchema> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL at ${PG_TEST_URL} is required for the store's PostgreSQL tests and is not reachable (${(err as Error).message}). ` +
        'Start it (trust auth, database "test"), point FAASBENCH_TEST_PG at another, or set FAASBENCH_SKIP_PG=1 to skip these tests.',
    );
  }
  client.on('error', () => undefined);
  const schema = `fb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await client.query(`create schema ${schema}`);
  return {
    schema,
    async query<T>(text: string, values: unknown[] = []): Promise<T[]> {
      await client.query(`set search_path to ${schema}`);
      return (await client.query(text, values)).rows as T[];
    },
    async drop() {
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
