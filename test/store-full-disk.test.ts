/**
 * `faasbench invoke` with its SQLite store on a disk that fills up mid-run (a small tmpfs filled
 * to the last byte) and frees again: every record is stored and the file is intact. Before the
 * record sink: 361 of 400 lost, then "cannot rollback - no transaction is active".
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.ts';
import { spawnCli } from './support/cli-process.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';
import { startJitterServer, type JitterServer } from './support/jitter-server.ts';
import { scratchDir, sleep } from './support/platform.ts';
import { readStore, storedCalls } from './support/sqlite-read.ts';
import { mountTmpfs } from './support/tmpfs.ts';

const PLANNED = 400;
const disk = mountTmpfs(2048);

describe.skipIf(disk.dir === null)('an SQLite store on a disk that fills up', () => {
  let server: JitterServer;
  beforeAll(async () => {
    server = await startJitterServer(11, 5);
  });
  afterAll(async () => {
    await server?.close();
    if (disk.dir !== null) disk.unmount();
  });

  it('keeps all 400 records through 2.5 s of a full disk, and the file stays intact', async () => {
    if (disk.dir === null) return;
    const file = path.join(disk.dir, 'runs.db');
    const runId = `full-${randomBytes(3).toString('hex')}`;
    const run = spawnCli(['invoke', 'noop', 'constant', '--rate', '100', '--duration', '4s', '--no-deploy', '--provider', 'http', '-o', `url=${server.url}`, '--store', file, '--run-id', runId], { env: { FAASBENCH_JOURNAL_DIR: scratchDir('journals') } });
    const count = (): number => readStore(file, (db) => (db.prepare('select count(*) n from invocations where run_id = ?').get(runId) as { n: number }).n);
    await waitFor(() => `the first records stored (${run.stderr()})`, () => {
      try {
        return count() >= 50;
      } catch {
        return false;
      }
    }, 60_000);
    disk.fill();
    await sleep(2_500);
    disk.free();
    expect((await run.done).code, run.stderr()).toBe(EXIT.ok);
    expect(run.stderr()).toMatch(/faasbench: the store \S+runs\.db failed \(database or disk is full\): the run goes on/);
    expect(run.stderr()).not.toContain('cannot rollback');
    const rows = storedCalls(file, runId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: PLANNED }, (_, seq) => seq));
    expect(rows.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(readStore(file, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
    expect(readStore(file, (db) => (db.prepare('select status from runs where id = ?').get(runId) as { status: string }).status)).toBe('completed');
  }, CLI_TEST_TIMEOUT_MS);
});
