/**
 * `faasbench invoke` with its SQLite store on a disk that fills up mid-run and stays full: the
 * journal cannot go beside the store (the same full disk), so it goes to the data folder, and the
 * messages name both; the exit (code 4) names the journal, and once space is back `store recover`
 * loads it: every planned record stored, the file intact.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.ts';
import { spawnCli } from './support/cli-process.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';
import { startJitterServer, type JitterServer } from './support/jitter-server.ts';
import { scratchDir } from './support/platform.ts';
import { readStore, storedCalls } from './support/sqlite-read.ts';
import { mountTmpfs } from './support/tmpfs.ts';

const PLANNED = 400;
const disk = mountTmpfs(2048);

describe.skipIf(disk.dir === null)('an SQLite store on a disk that fills up for good', () => {
  let server: JitterServer;
  beforeAll(async () => {
    server = await startJitterServer(13, 5);
  });
  afterAll(async () => {
    await server?.close();
    if (disk.dir !== null) disk.unmount();
  });

  it('journals in the data folder what the full disk did not take; store recover loads it once space is back', async () => {
    if (disk.dir === null) return;
    const file = path.join(disk.dir, 'runs.db');
    const journals = scratchDir('journals');
    const runId = `fullgone-${randomBytes(3).toString('hex')}`;
    const run = spawnCli(['invoke', 'noop', 'constant', '--rate', '200', '--duration', '2s', '--no-deploy', '--provider', 'http', '-o', `url=${server.url}`, '--store', file, '--run-id', runId], { env: { FAASBENCH_JOURNAL_DIR: journals } });
    await waitFor(() => `the first records stored (${run.stderr()})`, () => {
      try {
        return storedCalls(file, runId).length >= 50;
      } catch {
        return false;
      }
    }, 60_000);
    disk.fill();
    expect((await run.done).code, run.stderr()).toBe(EXIT.store);
    const before = storedCalls(file, runId).filter((r) => r.status !== 'unknown').length;
    const stderr = run.stderr();
    const journal = new RegExp(`faasbench: records the store has not taken go to the journal (${journals}/\\S+\\.jsonl) \\(${disk.dir}: ENOSPC: no space left on device`).exec(stderr)?.[1];
    expect(journal, stderr).toBeDefined();
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(`${PLANNED - before} records wait in the journal: ${PLANNED - before} in ${journal}; load them with: faasbench store recover ${journal}`);
    expect(stderr).not.toContain('cannot rollback');

    disk.free();
    const recover = spawnCli(['store', 'recover', journal!, '--json']);
    expect((await recover.done).code, recover.stderr()).toBe(EXIT.ok);
    expect(JSON.parse(recover.stdout())).toMatchObject({ store: file, runId, records: PLANNED - before, stored: PLANNED - before, marked: 'completed' });
    const rows = storedCalls(file, runId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: PLANNED }, (_, seq) => seq));
    expect(rows.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(readStore(file, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
  }, CLI_TEST_TIMEOUT_MS);
});
