/**
 * A PostgreSQL test schema reached through a TCP proxy the test can cut (the shared server itself
 * is never stopped), an endpoint to invoke, and readers that go straight to the server: what the
 * store-outage tests share. Call inside a describe: it registers its own hooks.
 */
import { afterAll, beforeAll } from 'vitest';
import { createTestSchema, PG_TEST_URL, type TestSchema } from '../../src/store/testing/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../../src/store/testing/tcp-proxy.ts';
import { spawnCli, type CliChild } from './cli-process.ts';
import { startJitterServer, type JitterServer } from './jitter-server.ts';
import { scratchDir } from './platform.ts';

export interface ProxiedPg {
  readonly proxy: () => TcpProxy;
  readonly pg: () => TestSchema;
  /** Where journals go (FAASBENCH_JOURNAL_DIR of every invoke). */
  readonly journals: string;
  /** `invoke noop constant` at `rate` for `seconds` through the proxy. */
  invoke(runId: string, rate: number, seconds: number): CliChild;
  /** The run's stored rows, read from the server, never through the proxy. */
  stored(runId: string): Promise<{ seq: number; status: string }[]>;
  runRow(runId: string): Promise<{ status: string; duplicates: number } | undefined>;
}

export function useProxiedPg(): ProxiedPg {
  let pg: TestSchema;
  let proxy: TcpProxy;
  let server: JitterServer;
  let storeUrl: string;
  const journals = scratchDir('journals');
  beforeAll(async () => {
    pg = await createTestSchema();
    const target = new URL(PG_TEST_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(proxy.through(PG_TEST_URL));
    url.searchParams.set('options', `-c search_path=${pg.schema}`);
    storeUrl = url.toString();
    server = await startJitterServer(7, 5);
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await pg?.drop();
  });
  return {
    proxy: () => proxy,
    pg: () => pg,
    journals,
    invoke: (runId, rate, seconds) =>
      spawnCli(['invoke', 'noop', 'constant', '--rate', String(rate), '--duration', `${seconds}s`, '--no-deploy', '--provider', 'http', '-o', `url=${server.url}`, '--store', storeUrl, '--run-id', runId], {
        env: { FAASBENCH_JOURNAL_DIR: journals },
      }),
    stored: (runId) => pg.query<{ seq: number; status: string }>('select seq, status from invocations where run_id = $1 order by seq', [runId]),
    runRow: async (runId) => (await pg.query<{ status: string; duplicates: number }>('select status, duplicates from runs where id = $1', [runId]))[0],
  };
}
