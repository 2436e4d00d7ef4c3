/**
 * A store write that blocks its thread for 2 s (the writer's test hook, FAASBENCH_TEST_WRITE_BLOCK_MS)
 * leaves the send times as they were. The run sends from one thread (--workers 1), the thread that
 * owns the sink: the case a writer on that thread would stall. The same constant run of
 * `faasbench invoke` goes twice against one bare loopback server, without and with the block, at
 * the same moment (one --start-at): both see the same busy machine, so the calls planned during
 * the block are compared with the very same calls of the run without it. With the writer on the
 * sending thread (checked by hand with the hook moved there), no call went out during the block
 * and those calls went out up to the whole block later than their twins.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.ts';
import { spawnCli } from './support/cli-process.ts';
import { startHttpTarget, type HttpTarget } from './support/http-target.ts';
import { scratchDir } from './support/platform.ts';
import { readStore } from './support/sqlite-read.ts';

const RATE = 200;
const SECONDS = 6;
const CALLS = RATE * SECONDS;
const BLOCK_MS = 2_000;
/**
 * Offset 0 this long after the spawn, so both processes are up (tsx, the store, the writer thread)
 * before it: about 2 s on a busy 2-core machine, 9 s at a load of 18 for the whole of a 1 s run.
 * Tried again, with more lead, when a process was still starting at offset 0 (its first calls then
 * went out in a burst): a longer first lead would only wait.
 */
const START_LEADS_MS = [8_000, 20_000, 40_000];
const UP_AT_START_MS = 1_000;
/**
 * How much later the calls planned during the block may go out than the same calls of the run
 * without it (the worst of each): far below the block, above what two processes differ by on a
 * busy machine (up to 0.8 s seen at a load of 13, with no block at all).
 */
const LATER_AT_MOST_MS = BLOCK_MS / 2;

interface Call {
  readonly seq: number;
  readonly status: string;
  readonly plannedUs: number;
  readonly sentUs: number;
  readonly lateMs: number;
}

interface Run {
  readonly calls: Call[];
  readonly stderr: string;
}

describe('a store writer blocked for 2 s', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  async function invoke(startAtMs: number, env: Record<string, string>): Promise<Run> {
    const file = path.join(scratchDir('writer-block'), 'runs.db');
    const runId = `block-${randomBytes(3).toString('hex')}`;
    const pattern = ['constant', '--rate', String(RATE), '--duration', `${SECONDS}s`];
    const args = ['invoke', 'noop', ...pattern, '--no-deploy', '--provider', 'http', '-o', `url=${target.url}`, '--store', file, '--run-id', runId, '--start-at', String(startAtMs), '--workers', '1'];
    const { code, stderr } = await spawnCli(args, { env }).done;
    expect(code, stderr).toBe(EXIT.ok);
    const rows = readStore(file, (db) => db.prepare('select seq, status, planned_us, sent_us from invocations where run_id = ? order by seq').all(runId)) as { seq: number; status: string; planned_us: number; sent_us: number }[];
    return { stderr, calls: rows.map((r) => ({ seq: r.seq, status: r.status, plannedUs: r.planned_us, sentUs: r.sent_us, lateMs: (r.sent_us - r.planned_us) / 1000 })) };
  }

  /** The two runs, sent at the same moment by two processes that were both up before it. */
  async function twins(): Promise<[Run, Run]> {
    for (const leadMs of START_LEADS_MS) {
      const startAtMs = Date.now() + leadMs;
      const runs = await Promise.all([invoke(startAtMs, {}), invoke(startAtMs, { FAASBENCH_TEST_WRITE_BLOCK_MS: String(BLOCK_MS) })]);
      if (runs.every((run) => run.calls[0]!.lateMs < UP_AT_START_MS)) return runs;
    }
    throw new Error(`a process was still starting at offset 0 with ${START_LEADS_MS.at(-1)} ms of lead: the machine is too loaded to compare the runs`);
  }

  it('sends the calls planned during the block as late as the same calls of the run without it, and records every call once', async () => {
    const [usual, blocked] = await twins();

    for (const run of [usual, blocked]) {
      expect(run.calls.map((c) => c.seq)).toEqual(Array.from({ length: CALLS }, (_, seq) => seq));
      expect(run.calls.filter((c) => c.status !== 'ok')).toEqual([]);
    }
    // The block happened, in the blocked run's writer, for the whole 2 s, while the run sent.
    const said = /test hook FAASBENCH_TEST_WRITE_BLOCK_MS: the store writer's thread was blocked for (\d+) ms from epoch ms (\d+)/.exec(blocked.stderr);
    expect(said, blocked.stderr).not.toBeNull();
    const [blockMs, fromMs] = [Number(said![1]), Number(said![2])];
    expect(blockMs).toBeGreaterThanOrEqual(BLOCK_MS - 50);
    expect(usual.stderr).not.toMatch(/test hook/);
    const during = blocked.calls.filter((c) => c.plannedUs >= fromMs * 1000 && c.plannedUs <= (fromMs + blockMs) * 1000);
    // The first write comes a flush (200 ms) into the run: most of the block falls within it.
    expect(during.length).toBeGreaterThanOrEqual(RATE * 1.5);

    // A sending thread that waited for the writer sent nothing while it was blocked.
    const sentDuring = blocked.calls.filter((c) => c.sentUs >= fromMs * 1000 && c.sentUs <= (fromMs + blockMs) * 1000);
    expect(sentDuring.length).toBeGreaterThanOrEqual(during.length / 4);
    // ... and then sent the calls planned during the block up to the whole block later than their twins.
    const worst = (calls: readonly Call[]): number => Math.max(...calls.map((c) => c.lateMs));
    expect(worst(during)).toBeLessThan(worst(during.map((c) => usual.calls[c.seq]!)) + LATER_AT_MOST_MS);
  }, 200_000);
});
