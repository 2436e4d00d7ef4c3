// Through the aws-lambda provider (the AWS SDK code path) a record names no instance: Lambda never
// says which execution environment served a call. concurrency-scaling then counts the instances
// measure reported itself, pointed here at a local platform's Lambda API, whose own /metrics say
// how many instances really started. `faasbench results` re-prints the stored result of that run
// exactly as `experiment run` printed it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../src/experiments/define.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { openStore } from '../src/store/index.ts';
import { runCli } from './support/cli-process.ts';
import { call, scratchDir, startPlatform } from './support/platform.ts';

/** Cold starts the platform counted for a function (its /metrics). */
async function coldStarts(platform: LocalPlatform, fn: string): Promise<number> {
  const text = (await call(platform, 'GET', '/metrics')).text;
  return [...text.matchAll(/^faasbench_cold_starts_total\{function="([^"]+)"[^}]*\} (\d+)$/gm)].filter((m) => m[1] === fn).reduce((sum, m) => sum + Number(m[2]), 0);
}

describe('concurrency-scaling through aws-lambda, by the ids the function reports', () => {
  let platform: LocalPlatform;
  let dir: string;
  let store: string;
  let printed: { code: number | null; stdout: string; stderr: string };
  beforeAll(async () => {
    platform = await startPlatform();
    dir = scratchDir('identity');
    store = path.join(dir, 'runs.db');
    printed = await runCli(['experiment', 'run', 'concurrency-scaling', '--provider', 'aws-lambda', '-o', `endpoint=${platform.url}`, '-p', 'maxBurst=8', '-p', 'sleepMs=800', '--store', store], { cwd: dir, env: { XDG_CACHE_HOME: dir } });
  }, 60_000);
  afterAll(async () => {
    await platform?.stop();
  });

  it('reports exactly N instances for bursts of 1, 2, 4 and 8, counted from the function, and says so', async () => {
    expect(printed.code, printed.stderr).toBe(0);
    const db = await openStore(store);
    let result: ExperimentResult;
    let runId: string;
    try {
      const [run] = await db.listRuns();
      runId = run!.id;
      expect([run!.provider, run!.status]).toEqual(['aws-lambda', 'completed']);
      const rows: unknown[] = [];
      for await (const { row } of db.experimentRows(runId, { kind: 'result' })) rows.push(row);
      result = rows[0] as ExperimentResult;
      // The provider really gave no instance id: the count cannot have come from the records.
      for await (const record of db.records(runId)) expect(record.instanceId).toBeNull();
    } finally {
      await db.close();
    }
    const column = (name: string): unknown[] => result.rows.map((r) => r[result.columns.indexOf(name)]);
    expect([column('burst'), column('ok'), column('instances')]).toEqual([
      [1, 2, 4, 8],
      [1, 2, 4, 8],
      [1, 2, 4, 8],
    ]);
    // Every call cold (REPORT's Init Duration), and the platform started exactly that many instances.
    expect(column('cold fraction')).toEqual([1, 1, 1, 1]);
    expect(await coldStarts(platform, 'measure-node-scaling')).toBe(15);
    expect(result.summary).toMatchObject({ linear: true, peakInstances: 8, instanceSource: 'function' });
    expect(result.notes).toEqual(expect.arrayContaining(['one instance per concurrent call up to 8', 'instances counted by the ids the function reported itself (aws-lambda reports no instance id)']));

    // `results` prints what `experiment run` printed after its status line, and --json the stored object.
    const again = await runCli(['results', runId, '--store', store], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(printed.stdout).toBe(`\naws-lambda: run ${runId} completed\n${again.stdout}`);
    const json = await runCli(['results', runId, '--store', store, '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toEqual(result);
    const unknown = await runCli(['results', 'no-such-run', '--store', store], { cwd: dir });
    expect([unknown.code, unknown.stderr]).toEqual([3, 'faasbench: no run no-such-run in the store (see faasbench runs)\n']);
  }, 60_000);
});
