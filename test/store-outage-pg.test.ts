/**
 * A PostgreSQL store that goes away during `faasbench invoke`, made by cutting a TCP proxy in
 * front of the test server (the shared server itself is never stopped): no record is lost. An
 * outage of 5 s costs nothing; a store that never comes back leaves the rest in a journal that
 * the exit names and `store recover` loads. Before the record sink: 100 and 297 of 400 lost.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.ts';
import { createTestSchema, PG_TEST_URL, SKIP_PG, type TestSchema } from '../src/store/testing/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../src/store/testing/tcp-proxy.ts';
import { spawnCli } from './support/cli-process.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';
import { startJitterServer, type JitterServer } from './support/jitter-server.ts';
import { scratchDir, sleep } from './support/platform.ts';

const PLANNED = 400;

describe.skipIf(SKIP_PG)('a PostgreSQL store that goes away during invoke', () => {
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

  const invoke = (runId: string, rate: number, seconds: number) =>
    spawnCli(['invoke', 'noop', 'constant', '--rate', String(rate), '--duration', `${seconds}s`, '--no-deploy', '--provider', 'http', '-o', `url=${server.url}`, '--store', storeUrl, '--run-id', runId], { env: { FAASBENCH_JOURNAL_DIR: journals } });
  /** Read straight from the server, never through the proxy. */
  const stored = async (runId: string): Promise<{ seq: number; status: string }[]> =>
    pg.query<{ seq: number; status: string }>('select seq, status from invocations where run_id = $1 order by seq', [runId]);
  const runRow = async (runId: string): Promise<{ status: string } | undefined> => (await pg.query<{ status: string }>('select status from runs where id = $1', [runId]))[0];
  const allPlanned = Array.from({ length: PLANNED }, (_, seq) => seq);

  it('keeps all 400 records of a run whose store is away for 5 s', async () => {
    await proxy.restore();
    const runId = `outage-${randomBytes(3).toString('hex')}`;
    const run = invoke(runId, 50, 8);
    await waitFor('the first records stored', async () => (await stored(runId).catch(() => [])).length >= 50, 60_000);
    await proxy.cut();
    await sleep(5_000);
    await proxy.restore();
    expect((await run.done).code, run.stderr()).toBe(EXIT.ok);
    const rows = await stored(runId);
    expect(rows.map((r) => r.seq)).toEqual(allPlanned);
    expect(rows.filter((r) => r.status !== 'ok')).toEqual([]);
    expect((await runRow(runId))?.status).toBe('completed');
    expect(run.stderr()).toMatch(/faasbench: the store postgres:\/\/\S+ failed \(.+\): the run goes on/);
    expect(run.stderr()).toMatch(/faasbench: the store postgres:\/\/\S+ answers again after \d+ failed write\(s\)/);
  }, CLI_TEST_TIMEOUT_MS);
});
