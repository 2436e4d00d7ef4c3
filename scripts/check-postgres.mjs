// Exits 0 when the PostgreSQL the store's tests use answers a query, 1 (saying why) when not.
// CI runs it before the tests so an absent server fails the build instead of skipping tests.
import pg from 'pg';

const url = process.env.FAASBENCH_TEST_PG || 'postgres://root@127.0.0.1:5432/test';
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
try {
  await client.connect();
  const { rows } = await client.query('select version() as v');
  console.log(`PostgreSQL at ${url}: ${rows[0].v.split(' on ')[0]}`);
  await client.end();
} catch (err) {
  console.error(`PostgreSQL at ${url} is not usable: ${err.message}`);
  process.exit(1);
}
