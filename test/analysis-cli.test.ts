// `faasbench analyze` and `faasbench compare` as a user runs them: a real local-platform run with
// cold and warm calls in one SQLite store, then the analysis of it, checked against the platform's
// ground truth; and the bad inputs (unknown run, empty run, a store file that is not one).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunAnalysis, RunComparison } from '../src/analysis/index.ts';
import { openStore } from '../src/store/index.ts';
import { RUN } from '../src/store/testing/run-meta.ts';
import { REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const execFileAsync = promisify(execFile);

/**
 * The tests below read the store only, none of them a timing, so they run side by side; this keeps
 * it to two CLI processes at once (two cores).
 */
const twoAtATime = pLimit(2);
function run(file: string, args: string[], options: { maxBuffer?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return twoAtATime(() => execFileAsync(file, args, options));
}

async function faasbench(args: string[]): Promise<string> {
  return (await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [BIN, ...args]);
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`faasbench ${args.join(' ')} succeeded; expected a failure`);
}

let dir: string;
let db: string;
/** 100 calls 100 ms apart: the first ones find every instance busy starting (cold), the rest warm. */
let mixed: string;
/** 4 calls at once: all cold. Only the tests that use it wait for it: see beforeAll. */
let burstRun: Promise<string>;

beforeAll(async () => {
  dir = scratchDir('analysis-cli');
  db = path.join(dir, 'runs.db');
  // hello as shipped, except that a call finding the account's executions all taken waits for one
  // instead of failing: on a busy machine cold starts slow each other, and at 20 calls/s they once
  // filled the limit (64 on 2 cores). 10 calls/s start half as many instances at once.
  const functions = path.join(dir, 'functions');
  cpSync(path.join(REPO, 'functions/hello'), path.join(functions, 'hello'), { recursive: true });
  const manifest = path.join(functions, 'hello/function.json');
  writeFileSync(manifest, JSON.stringify({ ...(JSON.parse(readFileSync(manifest, 'utf8')) as object), onLimit: 'queue', queueTimeoutS: 120 }));
  const invoke = async (pattern: string[]): Promise<string> => (JSON.parse(await faasbench(['invoke', 'hello', ...pattern, '--dir', functions, '--store', db, '--json'])) as { runId: string }).runId;
  // The mixed run alone: its cold/warm split and latencies are the figures checked, and a second
  // platform's cold starts beside it would slow its warm calls. The burst is all cold whatever
  // the load (4 calls at once on a fresh platform), so it runs beside the tests that read only
  // the mixed run.
  mixed = await invoke(['constant', '--rate', '10', '--duration', '10s']);
  burstRun = invoke(['concurrent', '4']);
  burstRun.catch(() => {}); // reported by the tests that await it
}, 120_000);

describe.concurrent('faasbench analyze', () => {
  it("agrees with the platform's ground truth on at least 98% of calls, and shows cold and warm apart", async () => {
    const a = JSON.parse(await faasbench(['analyze', mixed, '--store', db, '--json'])) as RunAnalysis;
    const hello = a.functions.find((f) => f.fn === 'hello')!;
    expect(hello).toMatchObject({ calls: 100, ok: 100, errors: 0, throttles: 0 });
    expect(hello.coldStart.source).toBe('platform');
    expect(hello.coldStart.cold).toBeGreaterThanOrEqual(1);
    expect(hello.coldStart.warm).toBeGreaterThanOrEqual(50);
    expect(hello.coldStart.coldLatencyMs!.p50).toBeGreaterThan(hello.coldStart.warmLatencyMs!.p50);
    expect(hello.instances.count).toBe(hello.coldStart.cold);
    expect(hello.latencyCi).toMatchObject({ level: 0.95, sample: 100, n: 100 });
    expect(hello.latencyCi!.p50!.lo).toBeLessThanOrEqual(hello.latencyMs!.p50);
    expect(hello.latencyCi!.p99).not.toBeNull();

    // The figure the issue asks for: client-side inference (by instance id here, since the
    // responses carry one) against record.cold, over every call.
    const { chosen, instanceId, latency } = a.inference;
    console.log(`cold-start inference on ${chosen.compared} calls (${hello.coldStart.cold} cold): by instance id ${instanceId.agree}/${instanceId.compared} = ${instanceId.accuracy}; by latency alone ${latency.agree}/${latency.compared} = ${latency.accuracy}`);
    expect(chosen.methods).toEqual(['instance-id']);
    expect(chosen.compared).toBe(100);
    expect(chosen.accuracy).toBeGreaterThanOrEqual(0.98);
    // Latency alone has no identity to go by: how often it agrees here says how noisy the machine
    // was (0.88 once, with a 10,000 calls/s load beside the suite), so it is printed above, and its
    // split is held to exact answers on known latencies in src/analysis/cold-inference.test.ts.
    // Here: it classified and compared every call against the platform's truth.
    expect(latency).toMatchObject({ method: 'latency', classified: 100, compared: 100, accuracy: latency.agree / 100 });

    const text = await faasbench(['analyze', mixed, '--store', db]);
    expect(text).toContain(`run ${mixed}: invoke hello on local, completed`);
    expect(text).toContain(`by instance id: ${instanceId.agree}/100 calls agree`);
    expect(text).toMatch(/p50 ms \[95% CI\]/);
  }, 60_000);

  it('gives the same intervals for the same seed', async () => {
    const once = await faasbench(['analyze', mixed, '--store', db, '--json', '--seed', '7', '--resamples', '500']);
    const again = await faasbench(['analyze', mixed, '--store', db, '--json', '--seed', '7', '--resamples', '500']);
    expect(JSON.parse(again)).toEqual(JSON.parse(once));
  }, 60_000);
});

describe.concurrent('faasbench compare', () => {
  it('flags the cold-rate jump from a steady run to a burst, and leaves the latency CIs out for 4 calls', async () => {
    const burst = await burstRun;
    const c = JSON.parse(await faasbench(['compare', mixed, burst, '--store', db, '--json', '--resamples', '500'])) as RunComparison;
    expect(c.functions.map((f) => f.fn)).toEqual(['*', 'hello']);
    const hello = c.functions[1]!;
    expect(hello.b).toMatchObject({ calls: 4, coldRate: 1 });
    expect(hello.coldRate).toMatchObject({ b: 1, significant: true });
    expect(hello.median).toBeNull();
    const text = await faasbench(['compare', mixed, burst, '--store', db]);
    expect(text).toContain('too few calls');
    expect(text).toMatch(/│ hello +│ calls /);
    expect(text).toMatch(/│ cold-start rate +│ .*│ higher +│/);
  }, 60_000);

  it('does not flag a run against itself', async () => {
    const c = JSON.parse(await faasbench(['compare', mixed, mixed, '--store', db, '--json', '--resamples', '500'])) as RunComparison;
    const hello = c.functions[1]!;
    expect([hello.median!.significant, hello.p99!.significant, hello.coldRate!.significant]).toEqual([false, false, false]);
    expect(hello.median!.estimate).toBe(0);
  }, 60_000);
});

// Sequential after the two groups above: the damaged-store case copies the store's file, which
// holds everything only once no other process has the store open (see its checkpoint).
describe('bad input: a clear message, exit code 3, no stack trace', () => {
  const noStack = (stderr: string): void => expect(stderr).not.toMatch(/^\s+at /m);

  it.concurrent('an unknown run', async () => {
    for (const args of [['analyze', 'no-such-run'], ['compare', mixed, 'no-such-run']]) {
      const f = await fails([...args, '--store', db]);
      expect(f.code).toBe(3);
      expect(f.stderr).toContain('faasbench: no run no-such-run in the store (see faasbench runs)');
      noStack(f.stderr);
    }
  }, 30_000);

  it.concurrent('an empty run', async () => {
    const store = await openStore(db);
    const empty = await store.createRun(RUN);
    await store.close();
    const f = await fails(['analyze', empty, '--store', db]);
    expect(f.code).toBe(3);
    expect(f.stderr).toContain(`run ${empty} holds no invocations: nothing to analyze`);
    const c = await fails(['compare', mixed, empty, '--store', db]);
    expect(c.code).toBe(3);
    expect(c.stderr).toContain(`run ${empty} holds no measured invocations: nothing to compare`);
  }, 30_000);

  it('a store file of random bytes, a damaged store, and no store at all', async () => {
    const garbage = path.join(dir, 'garbage.db');
    writeFileSync(garbage, randomBytes(8192));
    const f = await fails(['analyze', mixed, '--store', garbage]);
    expect(f.code).toBe(3);
    expect(f.stderr).toContain(`faasbench: ${garbage} is not a faasbench store (SQLite: file is not a database)`);
    noStack(f.stderr);

    // The real store with its tables' pages overwritten past the header.
    const damaged = path.join(dir, 'damaged.db');
    await (await openStore(db)).close(); // checkpoints the WAL into the file
    const bytes = readFileSync(db);
    bytes.fill(0xab, 4096 * 2, Math.min(bytes.length, 4096 * 6));
    writeFileSync(damaged, bytes);
    const d = await fails(['analyze', mixed, '--store', damaged]);
    expect(d.code).toBe(3);
    expect(d.stderr).toMatch(new RegExp(`faasbench: ${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:| is not a faasbench store).*malformed`));
    noStack(d.stderr);

    const missing = await fails(['compare', mixed, await burstRun, '--store', path.join(dir, 'nope.db')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`no store at ${path.join(dir, 'nope.db')}`);
  }, 30_000);
});
