// trace-replay end to end: the real CLI samples 2 of the 4 functions of the invitro example trace,
// replays its minute 6 on the local platform (synthetic standing in for each function) and its
// table compares with the trace. Expectations come from the trace's CSV files and the stored calls.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import { openStore } from '../src/store/index.ts';
import { ownCacheHome, REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const TRACE = path.resolve(REPO, '../shared/traces/invitro-example-4fn-1440min');
const MINUTE = 6;
/** The replay's speed-up: the minute's calls go out in 15 s. */
const SPEED = 4;
const run = promisify(execFile);

interface RunJson {
  runId: string;
  status: string;
  result: { columns: string[]; rows: unknown[][]; notes: string[]; summary: Record<string, unknown> } | null;
  error: string | null;
}

/** One CSV file of the trace as objects by header (the example has no quoted fields). */
function csv(file: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path.join(TRACE, file), 'utf8').trim().split('\n');
  const names = header!.trim().split(',');
  return lines.map((line) => Object.fromEntries(line.trim().split(',').map((v, i) => [names[i]!, v])));
}

/** The lower median, as the experiment's table takes it. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

describe('experiment trace-replay', () => {
  it('replays a sampled subset over a one-minute window at 4x speed: every planned call recorded, per function as the table says', async () => {
    const callsInMinute = new Map(csv('invocations.csv').map((r) => [r.HashFunction!, Number(r[String(MINUTE)])]));
    const traceP50 = new Map(csv('durations.csv').map((r) => [r.HashFunction!, Number(r.percentile_Average_50)]));
    expect(callsInMinute.size).toBe(4);

    const dir = scratchDir('trace-replay');
    const store = path.join(dir, 'runs.db');
    // A platform data directory of its own (see experiment-scaling.test.ts).
    const env = { ...process.env, ...ownCacheHome(dir) };
    // Seed 48 draws a sample whose calls of the minute all go out in its first 37 s, the earliest of
    // seeds 1-400, and speed 4 sends them in a quarter of that, which keeps the test short; the
    // expectations hold for any seed and speed.
    const params = { trace: TRACE, size: 2, from: MINUTE, to: MINUTE, speed: SPEED };
    const args = [BIN, 'experiment', 'run', 'trace-replay', '--seed', '48', '--store', store, '--json', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
    const { stdout } = await run(process.execPath, args, { cwd: dir, env, maxBuffer: 1 << 24 });
    const [out] = JSON.parse(stdout) as RunJson[];
    expect(out).toMatchObject({ status: 'completed', error: null });
    const result = out!.result!;
    expect(result.columns).toEqual(['function', 'proxy', 'trace calls', 'recorded', 'ok', 'cold', "trace p50 ms (the trace's percentile column)", 'replay p50 ms (nearest rank)']);

    const db = await openStore(store);
    const records: InvocationRecord[] = [];
    const replay: unknown[] = [];
    try {
      for await (const r of db.records(out!.runId)) records.push(r);
      for await (const r of db.experimentRows(out!.runId, { kind: 'replay' })) replay.push(r.row);
    } finally {
      await db.close();
    }

    // The sample: 2 distinct functions of the trace, each deployed as trace-<12-character hash prefix>.
    const sampled = result.rows.map((row) => [...callsInMinute.keys()].find((hash) => hash.startsWith(String(row[0])))!);
    expect(sampled).toHaveLength(2);
    expect(sampled.every((hash) => hash !== undefined)).toBe(true);
    expect(new Set(sampled).size).toBe(2);
    const planned = sampled.reduce((sum, hash) => sum + callsInMinute.get(hash)!, 0);
    expect(planned).toBe(10);

    // Every planned call stored once, in plan order, inside the one-minute window, answered.
    expect(records.map((r) => r.seq)).toEqual([...Array(planned).keys()]);
    expect(Math.max(...records.map((r) => r.plannedUs)) - Math.min(...records.map((r) => r.plannedUs))).toBeLessThan(60_000_000 / SPEED);
    expect(records.every((r) => r.status === 'ok' && r.phase === 'measure')).toBe(true);
    // Each call went to its trace function's deployment, tagged with that function's hash.
    expect(new Set(records.map((r) => `${r.fn} ${r.tag}`))).toEqual(new Set(sampled.map((hash) => `trace-${hash.slice(0, 12)} ${hash}`)));

    for (const [i, hash] of sampled.entries()) {
      const calls = records.filter((r) => r.tag === hash);
      const count = callsInMinute.get(hash)!;
      expect(calls).toHaveLength(count);
      expect(result.rows[i]).toEqual([
        hash.slice(0, 12),
        'synthetic',
        count,
        count,
        count,
        calls.filter((r) => r.cold === true).length,
        traceP50.get(hash),
        median(calls.map((r) => r.durationMs!)),
      ]);
    }
    expect(result.notes[0]).toBe(`planned ${planned} calls, recorded ${planned}, ${planned} ok; each trace function deployed as trace-<hash prefix>`);
    expect(result.summary).toEqual({ planned, recorded: planned, functions: 2 });
    expect(replay).toHaveLength(1);
    expect(replay[0]).toMatchObject({ planned, total: planned, byStatus: { ok: planned } });
  }, 90_000);
});
