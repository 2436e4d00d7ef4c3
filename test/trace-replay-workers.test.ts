/**
 * `trace replay --workers 2` sends the same calls at the same offsets as one worker does: the
 * schedule is written once to a plan file the workers read, each sends its shard, and the one run
 * gets every call once. Three seconds of one function of the 4-function example (`--unit second`,
 * 15 calls a second), through the `http` provider to a loopback endpoint this test starts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-process.ts';
import { startHttpTarget, type HttpTarget } from './support/http-target.ts';
import { REPO, scratchDir } from './support/platform.ts';
import { readStore } from './support/sqlite-read.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

/** The example's first function, counted per second: 15, 15, 15. */
function threeSecondTrace(dir: string): string {
  const example = path.join(REPO, 'traces/azure-example-4fn');
  const traceDir = path.join(dir, 'trace');
  mkdirSync(traceDir, { recursive: true });
  const [invocationsHeader, firstRow] = readFileSync(path.join(example, 'invocations.csv'), 'utf8').split('\n') as [string, string];
  const keys = firstRow.split(',').slice(0, 4);
  writeFileSync(path.join(traceDir, 'invocations.csv'), `${invocationsHeader.split(',').slice(0, 4).join(',')},1,2,3\n${keys.join(',')},15,15,15\n`);
  for (const file of ['durations.csv', 'memory.csv']) {
    const [header, ...rows] = readFileSync(path.join(example, file), 'utf8').trim().split('\n');
    writeFileSync(path.join(traceDir, file), `${header}\n${rows.find((r) => r.includes(keys[1]!))}\n`);
  }
  return traceDir;
}

interface Call {
  seq: number;
  fn: string;
  tag: string;
  status: string;
  offsetUs: number;
}

/** The run's calls, each with its planned time as an offset from the first call's. */
function calls(file: string): Call[] {
  const rows = readStore(file, (db) => db.prepare('select seq, fn, tag, status, planned_us as plannedUs from invocations order by seq').all() as (Omit<Call, 'offsetUs'> & { plannedUs: number })[]);
  return rows.map(({ plannedUs, ...r }) => ({ ...r, offsetUs: Math.round(plannedUs - rows[0]!.plannedUs) }));
}

describe('trace replay --workers', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('sends the same calls at the same offsets from 2 workers as from 1, each once, all recorded', async () => {
    const dir = scratchDir('replay-workers');
    const trace = threeSecondTrace(dir);
    const replay = (workers: string, store: string) =>
      runCli(['trace', 'replay', trace, '--unit', 'second', '--provider', 'http', '-o', `url=${target.url}`, '--workers', workers, '--store', path.join(dir, store), '--json']);
    const one = await replay('1', 'one.db');
    expect(one.code, one.stderr).toBe(0);
    const before = target.requests();
    const two = await replay('2', 'two.db');
    expect(two.code, two.stderr).toBe(0);

    const sent = calls(path.join(dir, 'two.db'));
    expect(sent.length).toBe(45);
    expect(sent.map((c) => c.seq)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(sent.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(target.requests() - before).toBe(45);
    // Offsets are whole µs in the plan: the same to the µs, whichever thread sent the call.
    expect(sent).toEqual(calls(path.join(dir, 'one.db')));
  }, CLI_TEST_TIMEOUT_MS);
});
