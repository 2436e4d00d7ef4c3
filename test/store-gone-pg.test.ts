/**
 * A PostgreSQL store that goes away during `faasbench invoke` and never comes back, made by
 * cutting a TCP proxy in front of the test server (the shared server itself is never stopped):
 * the records it did not take wait in a journal that the exit (code 4) names, and `store recover`
 * loads them, once. Before the record sink: 297 of 400 lost.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.ts';
import { recoverJournal } from '../src/store/recover.ts';
import { createTestSchema, PG_TEST_URL, SKIP_PG, type TestSchema } from '../src/store/testing/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../src/store/testing/tcp-proxy.ts';
import { spawnCli } from './support/cli-process.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';
import { startJitterServer, type JitterServer } from './support/jitter-server.ts';
import { scratchDir } from './support/platform.ts';

const PLANNED = 400;

describe.skipIf(SKIP_PG)('a PostgreSQL store that never comes back during invoke', () => {
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

  it('exits 4 naming the journal when the store never comes back, and store recover loads the rest, once', async () => {
    await proxy.restore();
    const runId = `gone-${randomBytes(3).toString('hex')}`;
    const run = invoke(runId, 200, 2);
    await waitFor(() => `the first records stored (${run.stderr()})`, async () => (await stored(runId).catch(() => [])).length >= 50, 60_000);
    await proxy.cut();
    expect((await run.done).code, run.stderr()).toBe(EXIT.store);
    // Rows of calls sent but unanswered when the store went ('unknown') have their outcome in the journal.
    const before = (await stored(runId)).filter((r) => r.status !== 'unknown').length;
    const last = run.stderr().trimEnd().split('\n').at(-1) ?? '';
    const match = /^(\d+) records wait in the journal: \d+ in (\S+); load them with: faasbench store recover (\S+)$/.exec(last);
    expect(match, run.stderr()).not.toBeNull();
    const [, waiting, file, command] = match!;
    expect(Number(waiting)).toBe(PLANNED - before);
    expect(command).toBe(file);
    expect(file!.startsWith(`${journals}/`)).toBe(true);
    expect((await runRow(runId))?.status).toBe('running');

    await proxy.restore();
    const recover = spawnCli(['store', 'recover', file!, '--json']);
    expect((await recover.done).code, recover.stderr()).toBe(EXIT.ok);
    expect(JSON.parse(recover.stdout())).toMatchObject({ runId, records: PLANNED - before, stored: PLANNED - before, alreadyStored: 0, marked: 'completed', runStatus: 'completed' });
    expect((await stored(runId)).map((r) => r.seq)).toEqual(allPlanned);
    expect((await runRow(runId))?.status).toBe('completed');

    // Loading it again adds nothing and counts no duplicates.
    expect(await recoverJournal(file!)).toMatchObject({ records: PLANNED - before, stored: 0, alreadyStored: PLANNED - before, marked: null, runStatus: 'completed' });
    expect((await stored(runId)).length).toBe(PLANNED);
    expect((await pg.query<{ duplicates: number }>('select duplicates from runs where id = $1', [runId]))[0]?.duplicates).toBe(0);
  }, CLI_TEST_TIMEOUT_MS);
});
