// `experiment run --provider local,aws-lambda`: one command, two providers one after the other, each
// its own run with its provider and provider options stored, then one table of both; a rerun of the
// aws-lambda run reaches the same endpoint without being told again. Both are real: local is the
// platform the CLI starts in a child process, aws-lambda is the AWS SDK code path pointed at a second
// local platform's Lambda API, whose own counters say which calls reached it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { openStore } from '../src/store/index.ts';
import { call, ownCacheHome, REPO, scratchDir, startPlatform } from './support/platform.ts';

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
  const env = { ...process.env, ...ownCacheHome(dir) };
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

interface RunRow {
  id: string;
  provider: string;
  name: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  params: unknown;
}

describe('experiment run on several providers', () => {
  let lambdaApi: LocalPlatform;
  let awsRun: string | undefined;
  let awsStore: string | undefined;
  beforeAll(async () => {
    lambdaApi = await startPlatform();
  });
  afterAll(async () => {
    await lambdaApi.stop();
  });

  it('--provider local,aws-lambda runs one provider after the other, each its own run, and ends with one table of both', async () => {
    const dir = scratchDir('providers');
    const store = path.join(dir, 'runs.db');
    const args = ['experiment', 'run', 'concurrency-scaling', '--provider', 'local,aws-lambda', '-o', `aws-lambda.endpoint=${lambdaApi.url}`, '-p', 'maxBurst=2', '-p', 'sleepMs=100', '--store', store];
    const out = await cli(dir, args);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('running concurrency-scaling on local, then aws-lambda: one after the other, each its own run\n');
    // The AWS SDK's Node-version warning is not printed on an aws-lambda run.
    expect(out.stderr).not.toContain('NodeVersionSupportWarning');

    const db = await openStore(store);
    let runs: RunRow[];
    try {
      runs = (await db.listRuns()).map((r) => ({ id: r.id, provider: r.provider, name: r.name, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt, params: r.params }));
      runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      expect(runs.map((r) => [r.provider, r.name, r.status])).toEqual([['local', 'concurrency-scaling', 'completed'], ['aws-lambda', 'concurrency-scaling', 'completed']]);
      // One after the other: the aws-lambda run started after the local one had finished.
      expect(Date.parse(runs[1]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[0]!.finishedAt!));
      for (const r of runs) {
        const records: InvocationRecord[] = [];
        for await (const record of db.records(r.id)) records.push(record);
        // Bursts of 1 and 2: three calls per run, each answered.
        expect(records.map((c) => [c.fn, c.tag, c.status])).toEqual([
          ['measure-node-scaling', 'burst-1', 'ok'],
          ['measure-node-scaling', 'burst-2', 'ok'],
          ['measure-node-scaling', 'burst-2', 'ok'],
        ]);
      }
      // The provider options are stored with the run that used them, for a rerun.
      expect([(runs[0]!.params as { providerOptions?: unknown }).providerOptions, (runs[1]!.params as { providerOptions?: unknown }).providerOptions]).toEqual([undefined, { endpoint: lambdaApi.url }]);
    } finally {
      await db.close();
    }
    // Exactly the aws-lambda run's three calls reached the Lambda API; the local run's went to its own platform.
    expect(await servedBy(lambdaApi)).toEqual({ 'measure-node-scaling': 3 });

    // Last, one table: a provider column, the rows of each burst next to each other.
    const side = out.stdout.slice(out.stdout.indexOf('\nside by side ('));
    expect(side.split('\n')[1]).toBe(`side by side (local: run ${runs[0]!.id}, aws-lambda: run ${runs[1]!.id}):`);
    const cells = side
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map((line) => line.split('│').slice(1, -1).map((c) => c.trim()));
    expect(cells[0]!.slice(0, 2)).toEqual(['provider', 'burst']);
    expect(cells.slice(1).map((row) => row.slice(0, 2))).toEqual([
      ['local', '1'],
      ['aws-lambda', '1'],
      ['local', '2'],
      ['aws-lambda', '2'],
    ]);
    awsRun = runs[1]!.id;
    awsStore = store;
  }, 120_000);

  it('rerun of the aws-lambda run reaches the same endpoint without -o', async () => {
    expect(awsRun, 'the run of the test before').toBeDefined();
    const out = await cli(path.dirname(awsStore!), ['experiment', 'rerun', awsRun!, '--store', awsStore!, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const [rerun] = JSON.parse(out.stdout) as RunJson[];
    expect([rerun!.provider, rerun!.status, rerun!.error]).toEqual(['aws-lambda', 'completed', null]);
    // Its three calls reached the same Lambda API, after the first run's three.
    expect(await servedBy(lambdaApi)).toEqual({ 'measure-node-scaling': 6 });
    const db = await openStore(awsStore!);
    try {
      expect((await db.getRun(rerun!.runId))?.params).toMatchObject({ rerunOf: awsRun, providerOptions: { endpoint: lambdaApi.url } });
    } finally {
      await db.close();
    }
  }, 60_000);

  it('refuses an option named for a provider the command does not run', async () => {
    const dir = scratchDir('providers-scope');
    const out = await cli(dir, ['experiment', 'run', 'concurrency-scaling', '--provider', 'local', '-o', 'aws-lambda.endpoint=http://127.0.0.1:9', '--store', path.join(dir, 'runs.db')]);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('--provider-opt aws-lambda.endpoint=http://127.0.0.1:9: aws-lambda is not among the providers of this run (local)');
  }, 30_000);
});
