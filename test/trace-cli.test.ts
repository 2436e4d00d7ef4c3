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

  it('a plan file that is not there exits 3 naming it', async () => {
    const missing = await fails(['trace', 'replay', '--plan', path.join(scratchDir('trace-no-plan'), 'nothing.fbplan')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('nothing.fbplan: cannot read the plan file (ENOENT)');
  }, 30_000);
});

describe('faasbench trace on a bad trace', () => {
  const original = (file: string): string[] => readFileSync(path.join(EXAMPLE, file), 'utf8').split('\n');
  // The last function of the example: an error found on the last row is found after every other
  // row was read and scheduled, the point where a streaming writer would have written most.
  const [owner, app, fn] = original('invocations.csv')[4]!.split(',');

  type Edit = (lines: string[]) => string[];
  const cases: Array<[string, string, Edit, string]> = [
    ['a missing column', 'durations.csv', (l) => [l[0]!.replace('percentile_Average_75', 'p75'), ...l.slice(1)], 'durations.csv:1: missing column percentile_Average_75 (the header has: HashOwner,HashApp,HashFunction,Average,'],
    ['a row missing from durations.csv', 'durations.csv', (l) => l.filter((line) => !line.startsWith(`${owner},${app},${fn},`)), `durations.csv: no row for the function HashFunction=${fn} (HashApp=${app}) of invocations.csv line 5`],
    // Minute 720 of the last function: column 4 + 720 of line 5, named by its label.
    ['text in a count cell', 'invocations.csv', (l) => l.map((line, i) => (i === 4 ? line.split(',').map((cell, c) => (c === 4 + 719 ? 'many' : cell)).join(',') : line)), 'invocations.csv:5: column 720: expected an invocation count (a decimal whole number >= 0), got "many"'],
    ['an empty file', 'memory.csv', () => [''], 'memory.csv:1: empty file: expected a header line and one row per function'],
  ];

  /** The example trace with one file edited, and an output folder holding one file of its own. */
  function fixture(file: string, edit: Edit): { trace: string; out: string } {
    const dir = scratchDir('trace-bad');
    const trace = path.join(dir, 'trace');
    mkdirSync(trace);
    for (const f of ['invocations.csv', 'durations.csv', 'memory.csv']) {
      if (f === file) writeFileSync(path.join(trace, f), edit(original(f)).join('\n'));
      else copyFileSync(path.join(EXAMPLE, f), path.join(trace, f));
    }
    const out = path.join(dir, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'kept.txt'), 'not faasbench output\n');
    return { trace, out };
  }

  it.each(cases)('%s: plan, export and sample exit 3 naming the file and the place in it, and write nothing', async (_name, file, edit, message) => {
    const { trace, out } = fixture(file, edit);
    const commands = [
      ['trace', 'plan', trace, '--out', path.join(out, 'plan.fbplan')],
      ['trace', 'export', trace, '--out', path.join(out, 'load.json')],
      ['trace', 'sample', trace, '--size', '2', '--tries', '2', '--out', out],
    ];
    for (const args of commands) {
      const failure = await fails(args);
      expect([args[1], failure.code]).toEqual([args[1], 3]);
      expect(failure.stderr).toContain(`faasbench: ${message}`);
      // No output, no temporary file left behind, the folder's own file untouched.
      expect(readdirSync(out)).toEqual(['kept.txt']);
      expect(readFileSync(path.join(out, 'kept.txt'), 'utf8')).toBe('not faasbench output\n');
    }
  }, 120_000);
});

describe('faasbench trace replay', () => {
  it('replays a minute of the 4-function example on the local platform at 6x speed: every planned call recorded with its function', async () => {
    const dir = scratchDir('trace-replay');
    const store = path.join(dir, 'runs.db');
    // One minute, six times faster (10 s): a second minute, or the minute in real time, proved
    // nothing more about which call went where.
    const window = ['--minutes', '6-6', '--arrivals', 'uniform', '--seed', '4', '--speed', '6'];
    const trace = await readTrace(EXAMPLE, { minutes: { from: 6, to: 6 } });
    const { stdout } = await run(process.execPath, [BIN, 'trace', 'replay', EXAMPLE, ...window, '--store', store, '--json'], { maxBuffer: 1 << 24 });
    const out = JSON.parse(stdout) as { runId: string; status: string; functions: number; summary: { total: number; byStatus: Record<string, number> } };
    const expected = trace.functions.reduce((sum, fn) => sum + fn.counts[0]!, 0);
    expect(out).toMatchObject({ status: 'completed', functions: 4, summary: { total: expected, byStatus: { ok: expected } } });

    // The same plan, computed here: the record of call seq must name the function planned for seq.
    const inputs = replayTargets(trace.functions, null);
    const schedule = describeSchedule(inputs, { unit: 'minute', seed: 4, arrivals: { mode: 'uniform', shift: false }, sampling: 'bracket' });
    const planned = [...batchesToPlan(schedule, () => unitBatches(inputs, schedule), 6)];
    const db = await openStore(store);
    try {
      expect((await db.getRun(out.runId))?.kind).toBe('trace-replay');
      const recorded: Array<[number, string, string | null]> = [];
      const plannedUs: number[] = [];
      for await (const r of db.records(out.runId)) {
        recorded.push([r.seq, r.fn, r.tag]);
        plannedUs.push(r.plannedUs);
      }
      // Sent at the speed asked: the minute's calls within its sixth.
      expect(Math.max(...plannedUs) - Math.min(...plannedUs)).toBeLessThan(10_000_000);
      recorded.sort((a, b) => a[0] - b[0]);
      expect(recorded).toEqual(planned.map((c) => [c.seq, c.fn, c.tag]));
      // Deployed as trace-<hash prefix>, tagged with the trace function's full hash.
      expect(recorded.every(([, fn, tag]) => fn === `trace-${tag!.slice(0, 12)}`)).toBe(true);
      expect(new Set(recorded.map(([, fn]) => fn)).size).toBe(trace.functions.filter((fn) => fn.counts[0]! > 0).length);
    } finally {
      await db.close();
    }
    expect(existsSync(store)).toBe(true);
  }, 240_000);

  it('refuses a --speed that is not a number above 0 as a usage error, before anything runs', async () => {
    const dir = scratchDir('trace-replay-speed');
    const out = await fails(['trace', 'replay', EXAMPLE, '--minutes', '6-6', '--speed', '0', '--store', path.join(dir, 'runs.db')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("--speed: expected a number above 0 (1 replays in the trace's own time, 4 four times faster), got 0");
    expect(existsSync(path.join(dir, 'runs.db'))).toBe(false);
  }, 60_000);
});
