/**
 * kill -9 of `faasbench invoke` at 200 calls/s against an endpoint answering after 0-40 ms of
 * seeded jitter, so calls finish out of order: every call sent more than a second before the kill
 * is in the store, with its outcome or as 'unknown' (sent, answer not recorded). Every 50th call
 * is held 3 s, so calls sent well before the kill are still in flight at it: before send
 * journaling, such calls left no trace (1-3 holes per kill).
 *
 * Which calls were sent by a moment is told by the endpoint, not by the plan: on a loaded machine
 * the invoker can run a second late. The invoker sends in seq order, so if R requests had arrived
 * by then, at least seqs 0..R-1 had been sent.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from './support/cli-process.ts';
import { CLI_TEST_TIMEOUT_MS, waitFor } from './support/wait-for.ts';
import { startJitterServer, type JitterServer } from './support/jitter-server.ts';
import { scratchDir } from './support/platform.ts';
import { readStore } from './support/sqlite-read.ts';

const RATE = 200;
const LOST_AT_MOST_MS = 1_000;
/** Calls sent more than LOST_AT_MOST_MS before the kill: six held ones among them. */
const DUE_AT_LEAST = 300;

describe('kill -9 of invoke', () => {
  let server: JitterServer;
  beforeAll(async () => {
    server = await startJitterServer(42, 40, { every: 50, ms: 3_000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('leaves every call sent more than a second before the kill recorded or known as sent', async () => {
    const file = path.join(scratchDir('kill'), 'runs.db');
    const runId = `kill-${randomBytes(3).toString('hex')}`;
    const pattern = { rate: String(RATE), duration: '60s' };
    const run = spawnCli(['invoke', 'noop', 'constant', '--rate', pattern.rate, '--duration', pattern.duration, '--no-deploy', '--provider', 'http', '-o', `url=${server.url}`, '--store', file, '--run-id', runId]);
    const rows = (): { seq: number; status: string }[] => readStore(file, (db) => db.prepare('select seq, status from invocations where run_id = ? order by seq').all(runId) as { seq: number; status: string }[]);
    // Told by the endpoint, so an invoker that stalls and then bursts cannot leave too few calls due.
    await waitFor(() => `${DUE_AT_LEAST} calls received more than a second ago (${run.stderr()})`, () => server.receivedBy(Date.now() - LOST_AT_MOST_MS) >= DUE_AT_LEAST, 60_000);
    const killedAtMs = Date.now();
    run.child.kill('SIGKILL');
    expect((await run.done).code).toBeNull();
    expect(run.child.signalCode).toBe('SIGKILL');

    const found = new Map(rows().map((r) => [r.seq, r]));
    const due = Array.from({ length: server.receivedBy(killedAtMs - LOST_AT_MOST_MS) }, (_, seq) => seq);
    expect(due.length).toBeGreaterThanOrEqual(DUE_AT_LEAST);
    expect(due.filter((seq) => !found.has(seq))).toEqual([]);
    const statuses = due.map((seq) => found.get(seq)!.status);
    expect(statuses.filter((s) => s !== 'ok' && s !== 'unknown')).toEqual([]);
    // The held calls sent 1-3 s before the kill were in flight at it: known as sent, outcome unknown.
    expect(statuses.filter((s) => s === 'unknown').length).toBeGreaterThan(0);
  }, CLI_TEST_TIMEOUT_MS);
});
