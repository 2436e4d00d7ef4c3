/**
 * `invoke` as users write it against any HTTP endpoint (`--provider http -o url=...`, no function
 * folder, nothing deployed), and `--workers N`: the plan's shards sent from worker threads of one
 * process, into one run with one progress line, every call recorded once, Ctrl-C included.
 * The endpoint is a loopback node:http server this test starts; it counts what it received, so
 * "every call sent is recorded" is checked against what arrived, not against the plan.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './support/cli-process.ts';
import { startHttpTarget, type HttpTarget } from './support/http-target.ts';
import { scratchDir } from './support/platform.ts';
import { readStore } from './support/sqlite-read.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';

interface StoredCall {
  seq: number;
  status: string;
  sent: number;
}

function storedCalls(file: string): StoredCall[] {
  return readStore(file, (db) => db.prepare('select seq, status, sent_us is not null as sent from invocations order by seq').all() as StoredCall[]);
}

function runRows(file: string): { id: string; status: string }[] {
  return readStore(file, (db) => db.prepare('select id, status from runs').all() as { id: string; status: string }[]);
}

/** The progress lines of a run on stderr (not a terminal: plain lines, the last one at the end). */
function progressLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^elapsed .* sent \d+/.test(line));
}

describe('invoke through an HTTP endpoint', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('runs `invoke x --provider http -o url=... constant --rate 10 --duration 1s` as written: 10 calls, ok, nothing deployed', async () => {
    const cwd = scratchDir('invoke-http-as-written');
    const before = target.requests();
    const out = await runCli(['invoke', 'x', '--provider', 'http', '-o', `url=${target.url}`, 'constant', '--rate', '10', '--duration', '1s'], { cwd });
    expect(out.code, out.stderr).toBe(0);
    const calls = storedCalls(path.join(cwd, 'faasbench.db'));
    expect(calls.map((c) => c.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls.every((c) => c.status === 'ok')).toBe(true);
    expect(target.requests() - before).toBe(10);
    expect(out.stdout).toContain('10 calls: ok 10');
  }, CLI_TEST_TIMEOUT_MS);

  it('says --deploy is ignored by a provider that deploys nothing, and still needs no function folder', async () => {
    const cwd = scratchDir('invoke-http-deploy');
    const out = await runCli(['invoke', 'x', '--deploy', '--provider', 'http', '-o', `url=${target.url}`, '--json'], { cwd });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toBe(`faasbench: the http provider deploys nothing (its functions are addressed by URL or endpoint): --deploy ignored\nfaasbench: created store ${path.join(cwd, 'faasbench.db')}\n`);
    expect(storedCalls(path.join(cwd, 'faasbench.db'))).toEqual([{ seq: 0, status: 'ok', sent: 1 }]);
  }, CLI_TEST_TIMEOUT_MS);
});

describe('invoke --workers', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('with 2 workers, a constant 2,000/s run of 5 s records exactly 10,000 calls, seqs 0..9,999 once each, in one run with one progress line', async () => {
    const cwd = scratchDir('invoke-workers-2');
    const before = target.requests();
    // A bound no stall of a busy machine reaches: a call late is still sent, so the run ends with 0 failures.
    const out = await runCli(['invoke', 'x', '--provider', 'http', '-o', `url=${target.url}`, '--workers', '2', '--max-in-flight', '10000', 'constant', '--rate', '2000', '--duration', '5s'], { cwd });
    expect(out.code, out.stderr).toBe(0);
    const file = path.join(cwd, 'faasbench.db');

    const calls = storedCalls(file);
    expect(calls.length).toBe(10_000);
    expect(calls.every((c, i) => c.seq === i)).toBe(true);
    expect(calls.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(target.requests() - before).toBe(10_000);
    expect(runRows(file)).toEqual([{ id: expect.any(String) as unknown as string, status: 'completed' }]);

    // One line for the whole run: each counts the 10,000 calls of the plan (a worker's shard is 5,000), the last all of them.
    expect(out.stderr.split('\n').filter((l) => l.startsWith('faasbench: sending from'))).toEqual(['faasbench: sending from 2 workers (--workers 2)']);
    const lines = progressLines(out.stderr);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => !/ sent \d+\/10000 /.test(l))).toEqual([]);
    expect(lines.at(-1)).toMatch(/ sent 10000\/10000 {2}done 10000 {2}errors 0 {2}in-flight 0 {2}dropped 0 /);
  }, CLI_TEST_TIMEOUT_MS);

  it('Ctrl-C with 2 workers: the run is interrupted and every call sent is recorded once', async () => {
    const cwd = scratchDir('invoke-workers-sigint');
    const before = target.requests();
    const run = spawnCli(['invoke', 'x', '--provider', 'http', '-o', `url=${target.url}`, '--workers', '2', 'constant', '--rate', '200', '--duration', '60s'], { cwd });
    // 100 calls: half a second of sending, well into both workers' shards, before the interrupt.
    await waitFor(() => `100 calls received (${run.stderr()})`, () => target.requests() - before >= 100, 90_000);
    run.child.kill('SIGINT');
    const out = await run.done;
    expect(out.code, out.stderr).toBe(130);

    const file = path.join(cwd, 'faasbench.db');
    const calls = storedCalls(file);
    expect(new Set(calls.map((c) => c.seq)).size).toBe(calls.length);
    const sent = calls.filter((c) => c.sent === 1);
    expect(sent.length).toBe(target.requests() - before);
    expect(sent.length).toBeGreaterThanOrEqual(100);
    expect(sent.length).toBeLessThan(12_000);
    // Drained before the end: no call is left with its outcome unknown.
    expect(calls.filter((c) => c.status !== 'ok' && c.status !== 'dropped')).toEqual([]);
    expect(runRows(file)).toEqual([{ id: expect.any(String) as unknown as string, status: 'interrupted' }]);
  }, CLI_TEST_TIMEOUT_MS);

  it.each(['0', '1.5', 'two'])('--workers %s is refused as bad input (exit 3) naming the option, before any store is created', async (workers) => {
    const cwd = scratchDir('invoke-workers-bad');
    const out = await runCli(['invoke', 'x', '--provider', 'http', '-o', `url=${target.url}`, '--workers', workers, 'constant', '--rate', '10', '--duration', '1s'], { cwd });
    expect(out).toMatchObject({ code: 3, stderr: `faasbench: --workers: expected an integer >= 1, got "${workers}"\n` });
    expect(existsSync(path.join(cwd, 'faasbench.db'))).toBe(false);
  }, CLI_TEST_TIMEOUT_MS);
});
