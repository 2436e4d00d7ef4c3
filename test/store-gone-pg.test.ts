/**
 * A PostgreSQL store that goes away during `faasbench invoke` and never comes back, made by
 * cutting a TCP proxy in front of the test server (the shared server itself is never stopped):
 * the records it did not take wait in a journal that the exit (code 4) names, and `store recover`
 * loads them, once. Before the record sink: 297 of 400 lost.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.ts';
import { recoverJournal } from '../src/store/recover.ts';
import { SKIP_PG } from '../src/store/testing/postgres.ts';
import { spawnCli } from './support/cli-process.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';
import { useProxiedPg } from './support/proxied-pg.ts';

const PLANNED = 400;

describe.skipIf(SKIP_PG)('a PostgreSQL store that never comes back during invoke', () => {
  const { proxy: proxyOf, pg: pgOf, journals, invoke, stored, runRow } = useProxiedPg();
  const allPlanned = Array.from({ length: PLANNED }, (_, seq) => seq);

  it('exits 4 naming the journal when the store never comes back, and store recover loads the rest, once', async () => {
    await proxyOf().restore();
    const runId = `gone-${randomBytes(3).toString('hex')}`;
    const run = invoke(runId, 200, 2);
    await waitFor(() => `the first records stored (${run.stderr()})`, async () => (await stored(runId).catch(() => [])).length >= 50, 60_000);
    await proxyOf().cut();
    expect((await run.done).code, run.stderr()).toBe(EXIT.store);
    // Rows of calls sent but unanswered when the store went ('unknown') have their outcome in the journal.
    const before = (await stored(runId)).filter((r) => r.status !== 'unknown').length;
    const last = run.stderr().trimEnd().split('\n').at(-1) ?? '';
    const match = /^(\d+) records wait in the journal: \d+ in (\S+); load them with: faasbench store recover (\S+)$/.exec(last);
    expect(match, run.stderr()).not.toBeNull();
    const [, waitingText, file, command] = match!;
    // The batch in hand at the cut is journaled whether or not its commit landed (its answer was
    // lost): then its rows are both stored and journaled, and recover finds them already stored.
    const waiting = Number(waitingText);
    const inBoth = waiting - (PLANNED - before);
    expect(inBoth).toBeGreaterThanOrEqual(0);
    expect(command).toBe(file);
    expect(file!.startsWith(`${journals}/`)).toBe(true);
    expect((await runRow(runId))?.status).toBe('running');

    await proxyOf().restore();
    const recover = spawnCli(['store', 'recover', file!, '--json']);
    expect((await recover.done).code, recover.stderr()).toBe(EXIT.ok);
    expect(JSON.parse(recover.stdout())).toMatchObject({ runId, records: waiting, stored: PLANNED - before, alreadyStored: inBoth, marked: 'completed', runStatus: 'completed' });
    expect((await stored(runId)).map((r) => r.seq)).toEqual(allPlanned);
    expect((await runRow(runId))?.status).toBe('completed');

    // Loading it again adds nothing and counts no duplicates.
    expect(await recoverJournal(file!)).toMatchObject({ records: waiting, stored: 0, alreadyStored: waiting, marked: null, runStatus: 'completed' });
    expect((await stored(runId)).length).toBe(PLANNED);
    expect((await pgOf().query<{ duplicates: number }>('select duplicates from runs where id = $1', [runId]))[0]?.duplicates).toBe(0);
  }, CLI_TEST_TIMEOUT_MS);
});
