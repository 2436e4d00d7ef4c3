/**
 * A load run's sending (main) thread loads none of the store's drivers when the store writer's
 * thread writes its records and its run row: kysely, better-sqlite3 or pg and a connection there
 * cost the CLI 5-7 MB of resident memory while it sends (store/run-store.ts). A preloaded module
 * (support/driver-modules.mjs) says which drivers the main thread loaded; a store only this thread
 * can open (in memory) loads them there, which shows the check sees them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/cli-process.ts';
import { startHttpTarget, type HttpTarget } from './support/http-target.ts';
import { REPO, scratchDir } from './support/platform.ts';
import { pgSchemaUrl, SKIP_PG } from './support/postgres.ts';
import { readStore } from './support/sqlite-read.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

const HOOK = pathToFileURL(path.join(REPO, 'test/support/driver-modules.mjs')).href;
/** More calls than invoke prints rows for (100): its report then reads nothing back either. */
const CALLS = 200;

interface DriverRun extends CliResult {
  /** The drivers the CLI's main thread loaded. */
  readonly drivers: string[];
}

describe('the drivers on the sending thread of `invoke`', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  /** `invoke` of CALLS calls in 1 s against the test's endpoint, storing in `store`, run from `cwd`. */
  async function invoke(store: string, cwd: string): Promise<DriverRun> {
    const file = path.join(scratchDir('drivers-out'), 'drivers.json');
    const args = ['invoke', 'x', '--provider', 'http', '-o', `url=${target.url}`, 'constant', '--rate', String(CALLS), '--duration', '1s', '--store', store, '--json'];
    const out = await runCli(args, { cwd, env: { NODE_OPTIONS: `--import=${HOOK}`, FAASBENCH_TEST_DRIVERS_FILE: file } });
    return { ...out, drivers: JSON.parse(readFileSync(file, 'utf8')) as string[] };
  }

  it('loads none with an SQLite file: the writer thread creates the run, writes it and finishes it, and closes the file', async () => {
    const cwd = scratchDir('drivers-sqlite');
    const out = await invoke('runs.db', cwd);
    expect(out.code, out.stderr).toBe(0);
    expect(out.drivers).toEqual([]);
    expect(out.stderr).toBe(`faasbench: created store ${path.join(cwd, 'runs.db')}\n`);
    // The writer's connection, the only one, folded its WAL into the file as it closed (a reader's read-only one leaves it).
    expect(readdirSync(cwd)).toEqual(['runs.db']);
    const { runId } = JSON.parse(out.stdout) as { runId: string };
    const file = path.join(cwd, 'runs.db');
    expect(readStore(file, (db) => db.prepare('select runs.id, runs.status, count(i.seq) calls from runs left join invocations i on i.run_id = runs.id group by runs.id').all())).toEqual([{ id: runId, status: 'completed', calls: CALLS }]);
  }, CLI_TEST_TIMEOUT_MS);

  it.skipIf(SKIP_PG)('loads none with PostgreSQL', async () => {
    const pg = await pgSchemaUrl();
    try {
      const out = await invoke(pg.url, scratchDir('drivers-pg'));
      expect(out.code, out.stderr).toBe(0);
      expect(out.drivers).toEqual([]);
      expect(JSON.parse(out.stdout)).toMatchObject({ status: 'completed', summary: { total: CALLS, ok: CALLS } });
    } finally {
      await pg.drop();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('loads them for a store no other thread can open (in memory), where the run is written on this thread', async () => {
    const out = await invoke(':memory:', scratchDir('drivers-memory'));
    expect(out.code, out.stderr).toBe(0);
    expect(out.drivers).toEqual(['better-sqlite3', 'kysely']);
  }, CLI_TEST_TIMEOUT_MS);
});
