/**
 * A PostgreSQL store that goes away during an experiment and never comes back, made by cutting a
 * TCP proxy in front of the test server: the experiment runs to its end (a store failure is no
 * failure of the study), its records and how it ended wait in a journal that the error (exit 4)
 * names, and `store recover` loads them. Before one sink per run: the first call after the cut
 * threw RecordsWaitingError out of bench.invoke and failed the whole experiment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineExperiment } from '../src/experiments/define.ts';
import { runExperiment } from '../src/experiments/runner.ts';
import { createHttpProvider } from '../src/providers/http.ts';
import { JOURNAL_DIR_ENV, openStore, RecordsWaitingError, recoverJournal, type Store } from '../src/store/index.ts';
import { createTestSchema, PG_TEST_URL, SKIP_PG, type TestSchema } from '../src/store/testing/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../src/store/testing/tcp-proxy.ts';
import { startJitterServer, type JitterServer } from './support/jitter-server.ts';
import { scratchDir } from './support/platform.ts';

const CALLS = 30;
const CUT_AFTER = 10;

describe.skipIf(SKIP_PG)('a PostgreSQL store that never comes back during an experiment', () => {
  let pg: TestSchema;
  let proxy: TcpProxy;
  let server: JitterServer;
  const journals = scratchDir('experiment-journals');
  const journalDirBefore = process.env[JOURNAL_DIR_ENV];
  beforeAll(async () => {
    pg = await createTestSchema();
    const target = new URL(PG_TEST_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    server = await startJitterServer(3, 5);
    process.env[JOURNAL_DIR_ENV] = journals;
  });
  afterAll(async () => {
    if (journalDirBefore === undefined) delete process.env[JOURNAL_DIR_ENV];
    else process.env[JOURNAL_DIR_ENV] = journalDirBefore;
    await server?.close();
    await proxy?.close();
    await pg?.drop();
  });

  it('runs to its end, exits with the journal named (store failure), and recover completes the run with its result', async () => {
    let made = 0;
    const experiment = defineExperiment({
      name: 'through-outage',
      description: `${CALLS} calls, the store cut after ${CUT_AFTER}`,
      params: z.object({}),
      async run(bench) {
        for (; made < CALLS; made++) {
          if (made === CUT_AFTER) await proxy.cut();
          await bench.invoke('noop');
        }
        return { columns: ['calls'], rows: [[made]] };
      },
    });
    const provider = await createHttpProvider({ url: server.url });
    const store: Store = await openStore(proxy.through(PG_TEST_URL), { schema: pg.schema });
    const log: string[] = [];
    const err = await runExperiment({
      experiment,
      params: {},
      source: 'through-outage',
      provider,
      store,
      seed: 1,
      findPackage: (name) => {
        throw new Error(`no package ${name} in this test`);
      },
      storageUrl: '',
      host: {},
      toolVersion: 'test',
      signal: new AbortController().signal,
      log: (message) => log.push(message),
      onProgress: () => undefined,
    })
      .catch((e: unknown) => e)
      .finally(async () => {
        await store.close().catch(() => undefined);
        await provider.close();
      });

    expect(err).toBeInstanceOf(RecordsWaitingError);
    expect(made).toBe(CALLS);
    const { outcome } = err as RecordsWaitingError;
    expect(outcome.journals.map((f) => f.path.startsWith(`${journals}/`))).toEqual([true]);
    expect((err as Error).message.split('\n').at(-1)).toBe(`${outcome.waiting} records wait in the journal: ${outcome.waiting} in ${outcome.journals[0]!.path}; load them with: faasbench store recover ${outcome.journals[0]!.path}`);
    // The result row could not be stored: it is printed, so it is not lost either.
    const printed = log.filter((m) => m.includes('did not take the result row'));
    expect(printed).toHaveLength(1);
    expect(printed[0]!.startsWith(`the store ${store.location} did not take the result row (`)).toBe(true);
    expect(printed[0]!.endsWith(`; the result: ${JSON.stringify({ columns: ['calls'], rows: [[CALLS]] })}`)).toBe(true);
    expect(log.filter((m) => m.includes('failed (') && m.includes('the run goes on'))).toHaveLength(1);

    await proxy.restore();
    const recovered = await recoverJournal(outcome.journals[0]!.path);
    // Each call's records were written before bench.invoke resolved: the first 10 are stored, the rest journaled.
    expect(recovered).toMatchObject({ records: outcome.waiting, stored: CALLS - CUT_AFTER, marked: 'completed', runStatus: 'completed' });
    const { runId } = recovered;
    expect((err as Error).message).toContain(` of run ${runId} `);
    const rows = await pg.query<{ seq: number; status: string }>('select seq, status from invocations where run_id = $1 order by seq', [runId]);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: CALLS }, (_, seq) => seq));
    expect(rows.filter((r) => r.status !== 'ok')).toEqual([]);
    const [run] = await pg.query<{ status: string; summary: string }>('select status, summary from runs where id = $1', [runId]);
    expect(run?.status).toBe('completed');
    expect(JSON.parse(run!.summary)).toMatchObject({ result: { columns: ['calls'], rows: [[CALLS]] }, error: null });
  }, 60_000);
});
