/**
 * PostgreSQL for end-to-end tests: a schema of the test's own on the server the store's tests use,
 * reachable by a URL any faasbench process can be given. No server means a failing test that says
 * so (or a skip, announced, with FAASBENCH_SKIP_PG=1).
 */
import { createTestSchema, PG_TEST_URL, SKIP_PG, type TestSchema } from '../../src/store/testing/postgres.ts';

export { SKIP_PG };

export interface PgSchemaUrl {
  readonly url: string;
  drop(): Promise<void>;
}

export async function pgSchemaUrl(): Promise<PgSchemaUrl> {
  const schema: TestSchema = await createTestSchema();
  const url = new URL(PG_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema.schema}`);
  return { url: url.toString(), drop: () => schema.drop() };
}
