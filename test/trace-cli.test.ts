// `faasbench trace plan | export | import | replay` as a user runs them: real files, the real
// local platform in its own process, a real SQLite store.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { readTrace } from '../src/trace/azure-trace-reader.ts';
import { replayTargets } from '../src/trace/replay-targets.ts';
import { batchesToPlan, describeSchedule, unitBatches } from '../src/trace/schedule.ts';
import { REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const TRACES = path.resolve(REPO, '../shared/traces');
const EXAMPLE = path.join(TRACES, 'invitro-example-4fn-1440min');
const run = promisify(execFile);

interface Failure {
  code: number;
  stderr: string;
}

async function fails(args: string[]): Promise<Failure> {
  try {
    await run(process.execPath, [BIN, ...args]);
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`faasbench ${args.join(' ')} succeeded; expected a failure`);
}

describe('faasbench trace plan / export / import', () => {
  it('plans a window, exports it as load.json, imports it back to the same calls', async () => {
    const dir = scratchDir('trace-plan');
    const plan = path.join(dir, 'plan.fbplan');
    const planned = JSON.parse((await run(process.execPath, [BIN, 'trace', 'plan', EXAMPLE, '--minutes', '100-159', '--arrivals', 'exponential', '--shift', '--seed', '9', '--out', plan, '--json'])).stdout) as { calls: number; units: number; functions: number };
    const trace = await readTrace(EXAMPLE, { minutes: { from: 100, to: 159 } });
    expect(planned.calls).toBe(trace.functions.reduce((sum, fn) => sum + fn.counts.reduce((a, b) => a + b, 0), 0));
    expect([planned.units, planned.functions]).toEqual([60, 4]);

    const load = path.join(dir, 'load.json');
    await run(process.execPath, [BIN, 'trace', 'export', '--plan', plan, '--format', 'vswarm', '--out', load]);
    const units = JSON.parse(readFileSync(load, 'utf8')) as Array<{ timestamp: number[]; endpoint: string[] }>;
    expect(units.map((u) => u.timestamp.length)).toEqual(trace.labels.map((_, m) => trace.functions.reduce((sum, fn) => sum + fn.counts[m]!, 0)));

    // Exporting straight from the trace with the same options writes the same file.
    const direct = path.join(dir, 'direct.json');
    await run(process.execPath, [BIN, 'trace', 'export', EXAMPLE, '--minutes', '100-159', '--arrivals', 'exponential', '--shift', '--seed', '9', '--out', direct]);
    expect(readFileSync(direct).equals(readFileSync(load))).toBe(true);

    const imported = path.join(dir, 'imported.fbplan');
    const back = JSON.parse((await run(process.execPath, [BIN, 'trace', 'import', load, '--out', imported, '--json'])).stdout) as { calls: number; functions: number };
    expect(back).toMatchObject({ calls: planned.calls, functions: 4 });
    const reexported = path.join(dir, 'again.json');
    await run(process.execPath, [BIN, 'trace', 'export', '--plan', imported, '--out', reexported]);
    expect(readFileSync(reexported).equals(readFileSync(load))).toBe(true);
  }, 60_000);

  it('a bad trace exits 3 naming file, line and column, and writes nothing', async () => {
    const dir = scratchDir('trace-bad');
    const bad = path.join(dir, 'trace');
    mkdirSync(bad);
    for (const f of ['durations.csv', 'memory.csv']) copyFileSync(path.join(EXAMPLE, f), path.join(bad, f));
    const lines = readFileSync(path.join(EXAMPLE, 'invocations.csv'), 'utf8').split('\n');
    lines[2] = lines[2]!.replace(/,(\d+)$/, ',lots');
    writeFileSync(path.join(bad, 'invocations.csv'), lines.join('\n'));
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const failure = await fails(['trace', 'plan', bad, '--out', path.join(out, 'plan.fbplan')]);
    expect(failure.code).toBe(3);
    expect(failure.stderr).toContain('invocations.csv:3: column 1440: expected an invocation count (a whole number >= 0), got "lots"');
    expect(readdirSync(out)).toEqual([]);
    const missing = await fails(['trace', 'replay', '--plan', path.join(out, 'nothing.fbplan')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('nothing.fbplan: cannot read the plan file (ENOENT)');
  }, 30_000);
});

describe('faasbench trace replay', () => {
  it('replays 2 minutes of the 4-function example on the local platform: every planned call recorded with its function', async () => {
    const dir = scratchDir('trace-replay');
    const store = path.join(dir, 'runs.db');
    const window = ['--minutes', '6-7', '--arrivals', 'uniform', '--seed', '4'];
    const trace = await readTrace(EXAMPLE, { minutes: { from: 6, to: 7 } });
    const { stdout } = await run(process.execPath, [BIN, 'trace', 'replay', EXAMPLE, ...window, '--store', store, '--json'], { maxBuffer: 1 << 24 });
    const out = JSON.parse(stdout) as { runId: string; status: string; functions: number; summary: { total: number; byStatus: Record<string, number> } };
    const expected = trace.functions.reduce((sum, fn) => sum + fn.counts[0]! + fn.counts[1]!, 0);
    expect(out).toMatchObject({ status: 'completed', functions: 4, summary: { total: expected, byStatus: { ok: expected } } });

    // The same plan, computed here: the record of call seq must name the function planned for seq.
    const inputs = replayTargets(trace.functions, null);
    const schedule = describeSchedule(inputs, { unit: 'minute', seed: 4, arrivals: { mode: 'uniform', shift: false }, sampling: 'bracket' });
    const planned = [...batchesToPlan(schedule, () => unitBatches(inputs, schedule))];
    const db = await openStore(store);
    try {
      expect((await db.getRun(out.runId))?.kind).toBe('trace-replay');
      const recorded: Array<[number, string, string | null]> = [];
      for await (const r of db.records(out.runId)) recorded.push([r.seq, r.fn, r.tag]);
      recorded.sort((a, b) => a[0] - b[0]);
      expect(recorded).toEqual(planned.map((c) => [c.seq, c.fn, c.tag]));
      // Deployed as trace-<hash prefix>, tagged with the trace function's full hash.
      expect(recorded.every(([, fn, tag]) => fn === `trace-${tag!.slice(0, 12)}`)).toBe(true);
      expect(new Set(recorded.map(([, fn]) => fn)).size).toBe(trace.functions.filter((fn) => fn.counts[0]! + fn.counts[1]! > 0).length);
    } finally {
      await db.close();
    }
    expect(existsSync(store)).toBe(true);
  }, 240_000);
});
