// A run whose invoker was killed stays `running` in the store, and is shown `abandoned` once its
// heartbeat is 3 intervals old: in `runs --json`, the dashboard's API, and analyze's and the
// report's data (a finished run keeps its status: src/store/run-status.test.ts and the store
// contract). A short interval (FAASBENCH_HEARTBEAT_MS) keeps the test to seconds.
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';
import { analyzeRun } from '../src/analysis/index.ts';
import { readRunData } from '../src/report/run-data.ts';
import { openStore } from '../src/store/index.ts';
import { DashboardApi } from '../src/web/api.ts';
import { runCli, spawnCli } from './support/cli-process.ts';
import { startHttpTarget, type HttpTarget } from './support/http-target.ts';
import { scratchDir, sleep } from './support/platform.ts';

/** 3 beats of 1 s: dead after 3 s, and a live writer on a busy machine is never that late. */
const HEARTBEAT_MS = 1_000;

let target: HttpTarget;
beforeAll(async () => {
  target = await startHttpTarget();
});
afterAll(async () => {
  await target?.close();
});

interface RunJson {
  id: string;
  status: string;
  heartbeatMs: number | null;
  heartbeatAt: string | null;
}

describe('a run whose invoker was killed', () => {
  it('kill -9 of invoke: the run reads abandoned in runs --json and the dashboard API once its heartbeat is 3 intervals old', async () => {
    const store = path.join(scratchDir('abandoned'), 'runs.db');
    const env = { FAASBENCH_HEARTBEAT_MS: String(HEARTBEAT_MS) };
    const invoke = spawnCli(['invoke', 'echo', 'constant', '--rate', '20', '--duration', '60s', '--provider', 'http', '-o', `url=${target.url}`, '--no-deploy', '--store', store], { env });
    // Bounded: the invoker is sending and has beaten at least once.
    for (let i = 0; i < 300 && target.requests() < 20; i++) await sleep(100);
    expect(target.requests()).toBeGreaterThanOrEqual(20);
    const db = await openStore(store);
    try {
      const [live] = await db.listRuns();
      expect(live).toMatchObject({ status: 'running', heartbeatMs: HEARTBEAT_MS });
      expect(live!.heartbeatAt).not.toBeNull();

      invoke.child.kill('SIGKILL');
      await once(invoke.child, 'close');
      await sleep(3 * HEARTBEAT_MS + 500);

      const listed = await runCli(['runs', '--json', '--store', store]);
      expect(listed.code).toBe(0);
      const rows = JSON.parse(listed.stdout) as RunJson[];
      expect(rows.map((r) => [r.id, r.status, r.heartbeatMs])).toEqual([[live!.id, 'abandoned', HEARTBEAT_MS]]);
      const api = new DashboardApi(db, () => Date.now());
      expect((await api.runs(null)).runs.map((r) => [r.id, r.status])).toEqual([[live!.id, 'abandoned']]);
      expect((await api.run(live!.id)).run.status).toBe('abandoned');
      // analyze and report read the run as the store shows it.
      expect((await analyzeRun(db, live!.id, { resamples: 10 })).run.status).toBe('abandoned');
      expect((await readRunData(db, live!.id)).run.status).toBe('abandoned');
    } finally {
      await db.close();
    }
  }, CLI_TEST_TIMEOUT_MS);
});
