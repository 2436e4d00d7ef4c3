/**
 * A PostgreSQL test schema reached through a TCP proxy the test can cut, freeze and restore (the
 * shared server itself is never stopped): what the sink tests of an outage share. Call inside a
 * describe: it registers its own hooks; read the fields inside tests, after beforeAll.
 */
import { afterAll, beforeAll } from 'vitest';
import { createTestSchema, PG_TEST_URL, type TestSchema } from './postgres.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

export interface PgBehindProxy {
  readonly proxy: TcpProxy;
  readonly pg: TestSchema;
  /** PG_TEST_URL through the proxy. */
  readonly url: string;
}

export function usePgBehindProxy(): PgBehindProxy {
  let proxy: TcpProxy | undefined;
  let pg: TestSchema | undefined;
  let url: string | undefined;
  beforeAll(async () => {
    pg = await createTestSchema();
    const target = new URL(PG_TEST_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    url = proxy.through(PG_TEST_URL);
  });
  afterAll(async () => {
    await proxy?.close();
    await pg?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('usePgBehindProxy: read inside a test, after beforeAll');
    return value;
  };
  return {
    get proxy() {
      return ready(proxy);
    },
    get pg() {
      return ready(pg);
    },
    get url() {
      return ready(url);
    },
  };
}
