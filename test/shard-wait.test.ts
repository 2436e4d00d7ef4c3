// A shard started before shard 0 has created the run waits for the run row, then sends its share:
// two real CLI processes, the `http` provider against a local endpoint, one store.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';
import { openStore } from '../src/store/index.ts';
import { spawnCli } from './support/cli-process.ts';
import { startHttpTarget, type HttpTarget } from './support/http-target.ts';
import { scratchDir, sleep } from './support/platform.ts';

/** 10/s for 3 s: 30 calls, 15 per shard. */
const CALLS = 30;
/** Six of the waiting shard's looks at the store (one every 500 ms, src/cli/run-wait.ts). */
const HEAD_START_MS = 3_000;

let target: HttpTarget;
beforeAll(async () => {
  target = await startHttpTarget();
});
afterAll(async () => {
  await target?.close();
});

describe('--shard i/n with i > 0', () => {
  it('started 3 s before shard 0: waits for the run, sends nothing before it, and the run ends with every planned call once', async () => {
    const store = path.join(scratchDir('shard-wait'), 'runs.db');
    const runId = 'shard-wait-run';
    const args = (shard: string): string[] => ['invoke', 'echo', 'constant', '--rate', '10', '--duration', '3s', '--provider', 'http', '-o', `url=${target.url}`, '--no-deploy', '--store', store, '--run-id', runId, '--shard', shard];
    const startedMs = Date.now();
    const late = spawnCli(args('1/2'));
    // A busy machine may take seconds to load the CLI: wait (bounded) until shard 1 says it waits.
    for (let i = 0; i < 300 && !late.stderr().includes('waiting for shard 0'); i++) await sleep(100);
    // The count is whole seconds since the wait began: 0 unless the first look at the store was slow.
    expect(late.stderr()).toMatch(new RegExp(`waiting for shard 0 to create run ${runId} \\(\\d+ s so far; Ctrl-C to stop\\)`));
    await sleep(Math.max(0, HEAD_START_MS - (Date.now() - startedMs)));
    // Shard 1 is still waiting and has sent nothing.
    expect(late.child.exitCode).toBeNull();
    expect(target.requests()).toBe(0);
    const first = spawnCli(args('0/2'));
    const [one, zero] = await Promise.all([late.done, first.done]);
    expect(zero.code).toBe(0);
    expect(one.code).toBe(0);
    expect(target.requests()).toBe(CALLS);

    const db = await openStore(store);
    try {
      const seqs: number[] = [];
      for await (const r of db.records(runId)) seqs.push(r.seq);
      expect(seqs).toEqual([...Array(CALLS).keys()]);
      expect(await db.getRun(runId)).toMatchObject({ status: 'completed', duplicates: 0 });
    } finally {
      await db.close();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('Ctrl-C while waiting ends the wait at once: exit 130, nothing sent, no run made up', async () => {
    const store = path.join(scratchDir('shard-wait-sigint'), 'runs.db');
    const sent = target.requests();
    const shard = spawnCli(['invoke', 'echo', 'constant', '--rate', '10', '--duration', '3s', '--provider', 'http', '-o', `url=${target.url}`, '--no-deploy', '--store', store, '--run-id', 'never-made', '--shard', '1/2']);
    for (let i = 0; i < 300 && !shard.stderr().includes('waiting for shard 0'); i++) await sleep(100);
    shard.child.kill('SIGINT');
    const out = await shard.done;
    expect(out.code).toBe(130);
    expect(out.stdout.trimEnd().split('\n').at(-1)).toBe('run never-made interrupted');
    expect(target.requests()).toBe(sent);
    const db = await openStore(store);
    try {
      expect(await db.listRuns()).toEqual([]);
    } finally {
      await db.close();
    }
  }, CLI_TEST_TIMEOUT_MS);
});
