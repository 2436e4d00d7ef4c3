/**
 * A PostgreSQL test schema reached through a TCP proxy the test can cut (the shared server itself
 * is never stopped), an endpoint to invoke, and readers that go straight to the server: what the
 * store-outage tests share. Call inside a describe: it registers its own hooks.
 */
import { afterAll, beforeAll } from 'vitest';
import { usePgBehindProxy } from '../../src/store/testing/pg-behind-proxy.ts';
import type { TestSchema } from '../../src/store/testing/postgres.ts';
import type { TcpProxy } from '../../src/store/testing/tcp-proxy.ts';
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
  const db = usePgBehindProxy();
  let server: JitterServer;
  const journals = scratchDir('journals');
  // The CLI takes the schema from the URL (a store opened in-process is given it as an option).
  const storeUrl = (): string => {
    const url = new URL(db.url);
    url.searchParams.set('options', `-c search_path=${db.pg.schema}`);
    return url.toString();
  };
  beforeAll(async () => {
    server = await startJitterServer(7, 5);
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    proxy: () => db.proxy,
    pg: () => db.pg,
    journals,
    invoke: (runId, rate, seconds) =>
      spawnCli(['invoke', 'noop', 'constant', '--rate', String(rate), '--duration', `${seconds}s`, '--no-deploy', '--provider', 'http', '-o', `url=${server.url}`, '--store', storeUrl(), '--run-id', runId], {
        env: { FAASBENCH_JOURNAL_DIR: journals },
      }),
    stored: (runId) => db.pg.query<{ seq: number; status: string }>('select seq, status from invocations where run_id = $1 order by seq', [runId]),
    runRow: async (runId) => (await db.pg.query<{ status: string; duplicates: number }>('select status, duplicates from runs where id = $1', [runId]))[0],
  };
}
