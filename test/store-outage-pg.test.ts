/**
 * A PostgreSQL store that goes away during `faasbench invoke`, made by cutting a TCP proxy in
 * front of the test server (the shared server itself is never stopped): no record is lost. An
 * outage of 5 s costs nothing; a store that never comes back leaves the rest in a journal that
 * the exit names and `store recover` loads. Before the record sink: 100 and 297 of 400 lost.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.ts';
import { SKIP_PG } from '../src/store/testing/postgres.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';
import { useProxiedPg } from './support/proxied-pg.ts';
import { sleep } from './support/platform.ts';

const PLANNED = 400;

describe.skipIf(SKIP_PG)('a PostgreSQL store that goes away during invoke', () => {
  const { proxy: proxyOf, invoke, stored, runRow } = useProxiedPg();
  const allPlanned = Array.from({ length: PLANNED }, (_, seq) => seq);

  it('keeps all 400 records of a run whose store is away for 5 s', async () => {
    await proxyOf().restore();
    const runId = `outage-${randomBytes(3).toString('hex')}`;
    const run = invoke(runId, 50, 8);
    await waitFor('the first records stored', async () => (await stored(runId).catch(() => [])).length >= 50, 60_000);
    await proxyOf().cut();
    await sleep(5_000);
    await proxyOf().restore();
    expect((await run.done).code, run.stderr()).toBe(EXIT.ok);
    const rows = await stored(runId);
    expect(rows.map((r) => r.seq)).toEqual(allPlanned);
    expect(rows.filter((r) => r.status !== 'ok')).toEqual([]);
    expect((await runRow(runId))?.status).toBe('completed');
    expect(run.stderr()).toMatch(/faasbench: the store postgres:\/\/\S+ failed \(.+\): the run goes on/);
    expect(run.stderr()).toMatch(/faasbench: the store postgres:\/\/\S+ answers again after \d+ failed write\(s\)/);
  }, CLI_TEST_TIMEOUT_MS);
});
