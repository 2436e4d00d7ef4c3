// The experiment runtime as a user meets it: `experiment new` then `run` on the file as written;
// a failing run still cleans up and keeps its records; Ctrl-C marks it interrupted; `rerun`
// repeats the plan exactly. Real CLI, real local platform, real SQLite store.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import type { ExperimentResult } from '../src/experiments/define.ts';
import { resultProblems } from '../src/experiments/result-check.ts';
import { openStore } from '../src/store/index.ts';
import { REPO, scratchDir, sleep } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

interface RunJson {
  provider: string;
  runId: string;
  status: string;
  result: { columns: string[]; rows: unknown[][] } | null;
  error: string | null;
}

async function cli(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

async function storedRecords(store: string, runId: string): Promise<InvocationRecord[]> {
  const db = await openStore(store);
  try {
    const records: InvocationRecord[] = [];
    for await (const r of db.records(runId)) records.push(r);
    return records;
  } finally {
    await db.close();
  }
}

const FAILING = `import { writeFileSync } from 'node:fs';
import { defineExperiment, z } from 'faasbench/experiments';
export default defineExperiment({
  name: 'fails-midway',
  description: 'two calls, then a failure',
  params: z.object({ marker: z.string() }),
  async prepare(bench) { await bench.deploy('hello'); },
  async run(bench) {
    await bench.invoke('hello');
    await bench.invoke('hello');
    throw new Error('the study broke after two calls');
  },
  async cleanup(_bench, params) { writeFileSync(params.marker, 'cleaned'); },
});
`;

const ENDLESS = `import { writeFileSync } from 'node:fs';
import { defineExperiment, z } from 'faasbench/experiments';
export default defineExperiment({
  name: 'endless',
  description: 'calls until stopped',
  params: z.object({ marker: z.string() }),
  async prepare(bench) { await bench.deploy('hello'); },
  async run(bench) {
    let calls = 0;
    while (!bench.signal.aborted && calls < 100000) { await bench.invoke('hello'); calls++; await bench.sleep(20); }
    return { columns: ['calls'], rows: [[calls]] };
  },
  async cleanup(_bench, params) { writeFileSync(params.marker, 'cleaned'); },
});
`;

const SEEDED = `import { defineExperiment, planPattern, z } from 'faasbench/experiments';
export default defineExperiment({
  name: 'seeded-load',
  description: 'a Poisson load drawn from the run seed',
  params: z.object({ rate: z.number().default(40) }),
  async prepare(bench) { await bench.deploy('hello'); },
  async run(bench, params) {
    const plan = planPattern('constant', { rate: String(params.rate), duration: '2s', arrivals: 'poisson', seed: String(bench.seed) }, { fn: 'hello', payload: { event: {} } });
    const { summary } = await bench.runLoad(plan);
    return { columns: ['calls'], rows: [[summary.total]] };
  },
});
`;

describe('faasbench experiment', () => {
  it('new writes a template that runs as written', async () => {
    const dir = scratchDir('experiment-new');
    const created = await cli(dir, ['experiment', 'new', 'demo']);
    expect(created.code).toBe(0);
    expect(existsSync(path.join(dir, 'demo.ts'))).toBe(true);
    const out = await cli(dir, ['experiment', 'run', './demo.ts', '--store', 'runs.db', '-p', 'calls=3', '--json']);
    expect(out.code).toBe(0);
    const [result] = JSON.parse(out.stdout) as RunJson[];
    expect(result).toMatchObject({ provider: 'local', status: 'completed', error: null });
    expect(result!.result!.columns).toEqual(['call', 'latency ms']);
    // The template shows how an answer is charted: a further table per call and a chart of it.
    const { tables, charts } = result!.result as unknown as ExperimentResult;
    expect(tables!.map((t) => [t.name, t.rows.map((r) => r[0])])).toEqual([['warm', [1, 2, 3]]]);
    expect(resultProblems(result!.result as unknown as ExperimentResult)).toEqual([]);
    expect(charts!.map((c) => c.table)).toEqual(['warm']);
    const records = await storedRecords(path.join(dir, 'runs.db'), result!.runId);
    expect(records.map((r) => [r.fn, r.status, r.cold])).toEqual([['hello', 'ok', true], ['hello', 'ok', false], ['hello', 'ok', false], ['hello', 'ok', false]]);
    // A second `new` with the same name refuses to overwrite.
    expect((await cli(dir, ['experiment', 'new', 'demo'])).code).toBe(3);
  }, 60_000);

  it('a throwing run still runs cleanup, is marked failed and keeps its records', async () => {
    const dir = scratchDir('experiment-fail');
    writeFileSync(path.join(dir, 'fails.ts'), FAILING);
    const marker = path.join(dir, 'cleanup-ran');
    const out = await cli(dir, ['experiment', 'run', './fails.ts', '--store', 'runs.db', '-p', `marker=${marker}`, '--json']);
    expect(out.code).toBe(1);
    const [result] = JSON.parse(out.stdout) as RunJson[];
    expect(result).toMatchObject({ status: 'failed', error: 'the study broke after two calls', result: null });
    expect(readFileSync(marker, 'utf8')).toBe('cleaned');
    const db = await openStore(path.join(dir, 'runs.db'));
    try {
      expect((await db.getRun(result!.runId))?.status).toBe('failed');
    } finally {
      await db.close();
    }
    expect((await storedRecords(path.join(dir, 'runs.db'), result!.runId)).map((r) => r.status)).toEqual(['ok', 'ok']);
  }, 60_000);

  it('Ctrl-C marks the run interrupted, runs cleanup and keeps every call', async () => {
    const dir = scratchDir('experiment-sigint');
    writeFileSync(path.join(dir, 'endless.ts'), ENDLESS);
    const marker = path.join(dir, 'cleanup-ran');
    const store = path.join(dir, 'runs.db');
    const child = spawn(process.execPath, [BIN, 'experiment', 'run', './endless.ts', '--store', store, '-p', `marker=${marker}`, '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    const deadline = Date.now() + 30_000;
    let runId: string | undefined;
    while (Date.now() < deadline && !runId) {
      await sleep(200);
      if (!existsSync(store)) continue;
      const db = await openStore(store);
      try {
        const [row] = await db.listRuns();
        if (row && (await db.countRecords(row.id)) >= 5) runId = row.id;
      } finally {
        await db.close();
      }
    }
    expect(runId).toBeDefined();
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(130);
    const [result] = JSON.parse(stdout) as RunJson[];
    expect(result).toMatchObject({ runId, status: 'interrupted' });
    expect(readFileSync(marker, 'utf8')).toBe('cleaned');
    const records = await storedRecords(store, runId!);
    expect(records.length).toBe((result!.result!.rows[0]![0] as number));
    expect(records.map((r) => r.seq)).toEqual([...records.keys()]);
  }, 60_000);

  it('rerun repeats the experiment, its parameters, seed and planned times exactly', async () => {
    const dir = scratchDir('experiment-rerun');
    writeFileSync(path.join(dir, 'seeded.ts'), SEEDED);
    const first = JSON.parse((await cli(dir, ['experiment', 'run', './seeded.ts', '--store', 'runs.db', '--seed', '77', '-p', 'rate=30', '--json'])).stdout) as RunJson[];
    const again = await cli(dir, ['experiment', 'rerun', first[0]!.runId, '--store', 'runs.db', '--json']);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as RunJson[];
    const db = await openStore(path.join(dir, 'runs.db'));
    try {
      const [a, b] = [await db.getRun(first[0]!.runId), await db.getRun(second[0]!.runId)];
      expect([a?.seed, b?.seed]).toEqual([77, 77]);
      expect((b?.params as { values: unknown }).values).toEqual({ rate: 30 });
      expect((b?.params as { rerunOf: string }).rerunOf).toBe(a?.id);
    } finally {
      await db.close();
    }
    const offsets = (records: InvocationRecord[]): number[] => records.map((r) => Math.round(r.plannedUs - records[0]!.plannedUs));
    const [planA, planB] = [await storedRecords(path.join(dir, 'runs.db'), first[0]!.runId), await storedRecords(path.join(dir, 'runs.db'), second[0]!.runId)];
    expect(planA.length).toBeGreaterThan(30);
    expect(offsets(planB)).toEqual(offsets(planA));
  }, 90_000);

  it('unknown experiments and parameters exit 3 with what exists', async () => {
    const dir = scratchDir('experiment-bad');
    // Each is refused before a store or platform is made, and reports only its first problem: one
    // command per refusal, two at a time (two cores).
    const [unknown, badParam] = await Promise.all([cli(dir, ['experiment', 'run', 'no-such-study']), cli(dir, ['experiment', 'run', 'trace-replay', '-p', 'size=-1'])]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no experiment "no-such-study": not a built-in (');
    expect(badParam.code).toBe(3);
    expect(badParam.stderr).toContain('experiment trace-replay: parameter size: ');
    const [stopped, extra] = await Promise.all([cli(dir, ['experiment', 'run', 'trace-replay', '-p', 'speed=0']), cli(dir, ['experiment', 'run', 'trace-replay', '-p', 'colour=blue'])]);
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain('experiment trace-replay: parameter speed: Too small: expected number to be >0');
    expect(extra.stderr).toContain('experiment trace-replay: unknown parameter colour (it takes: trace, size, tries, from, to, arrivals, shift, mapping, speed)');
  }, 30_000);
});
