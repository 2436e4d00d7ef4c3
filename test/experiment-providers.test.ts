// `experiment run --provider local,aws-lambda`: one command, two providers side by side, each its
// own run with its provider stored. Both are real: local is the platform the CLI starts in a child
// process, aws-lambda is the AWS SDK code path pointed at a second local platform's Lambda API,
// whose own counters say which calls reached it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { openStore } from '../src/store/index.ts';
import { call, REPO, scratchDir, startPlatform } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

interface RunJson {
  provider: string;
  runId: string;
  status: string;
  error: string | null;
}

async function cli(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A platform data directory of its own for the CLI's local platform (see experiment-scaling.test.ts).
  const env = { ...process.env, XDG_CACHE_HOME: dir };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: dir, env, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** Finished invocations the platform counted, by function (its /metrics, summed over outcome and start). */
async function servedBy(platform: LocalPlatform): Promise<Record<string, number>> {
  const served: Record<string, number> = {};
  for (const m of (await call(platform, 'GET', '/metrics')).text.matchAll(/^faasbench_invocations_total\{function="([^"]+)",[^}]*\} (\d+)$/gm)) {
    served[m[1]!] = (served[m[1]!] ?? 0) + Number(m[2]);
  }
  return served;
}

describe('experiment run on several providers', () => {
  let lambdaApi: LocalPlatform;
  beforeAll(async () => {
    lambdaApi = await startPlatform();
  });
  afterAll(async () => {
    await lambdaApi.stop();
  });

  it('--provider local,aws-lambda gives two runs, each with its provider stored and its own calls', async () => {
    const dir = scratchDir('providers');
    const store = path.join(dir, 'runs.db');
    const args = ['experiment', 'run', 'concurrency-scaling', '--provider', 'local,aws-lambda', '-o', `aws-lambda.endpoint=${lambdaApi.url}`, '-p', 'maxBurst=2', '-p', 'sleepMs=100', '--store', store, '--json'];
    const out = await cli(dir, args);
    expect(out.code, out.stderr).toBe(0);
    const runs = JSON.parse(out.stdout) as RunJson[];
    expect(runs.map((r) => [r.provider, r.status, r.error])).toEqual([['local', 'completed', null], ['aws-lambda', 'completed', null]]);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(2);

    const db = await openStore(store);
    try {
      expect((await db.listRuns()).map((r) => [r.id, r.provider, r.name]).sort()).toEqual(runs.map((r) => [r.runId, r.provider, 'concurrency-scaling']).sort());
      for (const r of runs) {
        const records: InvocationRecord[] = [];
        for await (const record of db.records(r.runId)) records.push(record);
        // Bursts of 1 and 2: three calls per run, each answered.
        expect(records.map((c) => [c.fn, c.tag, c.status])).toEqual([
          ['measure-node-scaling', 'burst-1', 'ok'],
          ['measure-node-scaling', 'burst-2', 'ok'],
          ['measure-node-scaling', 'burst-2', 'ok'],
        ]);
      }
    } finally {
      await db.close();
    }
    // Exactly the aws-lambda run's three calls reached the Lambda API; the local run's went to its own platform.
    expect(await servedBy(lambdaApi)).toEqual({ 'measure-node-scaling': 3 });
  }, 90_000);

  it('refuses an option named for a provider the command does not run', async () => {
    const dir = scratchDir('providers-scope');
    const out = await cli(dir, ['experiment', 'run', 'concurrency-scaling', '--provider', 'local', '-o', 'aws-lambda.endpoint=http://127.0.0.1:9', '--store', path.join(dir, 'runs.db')]);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('--provider-opt aws-lambda.endpoint=http://127.0.0.1:9: aws-lambda is not among the providers of this run (local)');
  }, 30_000);
});
