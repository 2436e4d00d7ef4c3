// sb's stepwise lifecycle through the real CLI: `experiment prepare`, `invoke`, `cleanup` as
// separate commands against one lasting local platform (state carried only by the SQLite file's
// kv), `experiment test` as one command, and the plan an invoke hook gets for sb's words, call
// for call what `faasbench invoke` plans and sends for the same words.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { openStore } from '../src/store/index.ts';
import { planPattern } from '../src/workload/registry.ts';
import { runCli, type CliResult } from './support/cli-process.ts';
import { scratchDir, startPlatform } from './support/platform.ts';

/** Deploys hello in prepare; invoke plans the load for it, keeps the plan, sends it (unless send=false); cleanup reads both. */
const STEPS = `import { defineExperiment, z } from 'faasbench/experiments';
export default defineExperiment({
  name: 'sb-steps',
  description: 'sb lifecycle, one step per command',
  params: z.object({ send: z.boolean().default(true) }),
  async prepare(bench) {
    const fn = await bench.deploy('hello');
    await bench.kv.set('prepared', { fn, run: bench.runId });
  },
  async run() { throw new Error('stepwise only'); },
  async invoke(bench, params, workload) {
    const prepared = await bench.kv.get('prepared');
    const plan = workload.plan(prepared.fn);
    const offsets = [];
    for (const call of plan) offsets.push(call.offsetUs);
    await bench.record('plan', { pattern: workload.pattern, options: workload.options, count: plan.count, offsets });
    if (params.send) await bench.runLoad(plan);
    await bench.kv.set('invoked', { fn: prepared.fn, calls: plan.count, run: bench.runId });
    return { columns: ['fn', 'calls'], rows: [[prepared.fn, plan.count]] };
  },
  async cleanup(bench) {
    await bench.record('seen', { prepared: (await bench.kv.get('prepared')) ?? null, invoked: (await bench.kv.get('invoked')) ?? null });
    await bench.kv.delete('prepared');
    await bench.kv.delete('invoked');
  },
});
`;

const ONLY_RUN = `import { defineExperiment, z } from 'faasbench/experiments';
export default defineExperiment({
  name: 'only-run',
  description: 'no invoke hook',
  params: z.object({}),
  async run() { return { columns: [], rows: [] }; },
});
`;

interface StepJson {
  step: string;
  lifecycle: string;
  runId: string;
  status: string;
  result: { rows: unknown[][] } | null;
  error: string | null;
}

interface PlanRow {
  pattern: string;
  options: Record<string, string>;
  count: number;
  offsets: number[];
}

let platform: LocalPlatform;
let dir: string;

beforeAll(async () => {
  platform = await startPlatform();
  dir = scratchDir('experiment-lifecycle');
  writeFileSync(path.join(dir, 'steps.ts'), STEPS);
  writeFileSync(path.join(dir, 'only-run.ts'), ONLY_RUN);
  // 3 calls in second 0, 5 in second 1: sb's rates file, per second so the test sends it in 2 s.
  writeFileSync(path.join(dir, 'rates.csv'), 'second,rate\n0,3\n1,5\n');
  // sb's own per-minute file (InvocationsPerMinute): planned, not sent.
  writeFileSync(path.join(dir, 'minutes.csv'), 'InvocationsPerMinute\n6\n12\n');
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

const cli = (args: readonly string[]): Promise<CliResult> => runCli(args, { cwd: dir });

/**
 * Two independent things at once (never more: two cores), waiting for both even when one fails,
 * so no CLI outlives its test.
 */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** One step command against the lasting platform; its JSON runs, after checking it exited 0. */
async function step(store: string, args: readonly string[]): Promise<StepJson[]> {
  const out = await cli(['experiment', ...args, '-o', `url=${platform.url}`, '--store', store, '--json']);
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as StepJson[];
}

async function withStore<T>(store: string, read: (db: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const db = await openStore(store);
  try {
    return await read(db);
  } finally {
    await db.close();
  }
}

async function rowsOf(store: string, runId: string, kind: string): Promise<unknown[]> {
  return withStore(store, async (db) => {
    const rows: unknown[] = [];
    for await (const r of db.experimentRows(runId, { kind })) rows.push(r.row);
    return rows;
  });
}

async function callsOf(store: string, runId: string): Promise<Array<{ status: string; fn: string; plannedUs: number }>> {
  return withStore(store, async (db) => {
    const calls: Array<{ status: string; fn: string; plannedUs: number }> = [];
    for await (const r of db.records(runId)) calls.push({ status: r.status, fn: r.fn, plannedUs: r.plannedUs });
    return calls;
  });
}

/** Offsets and count of the registry's plan, as `faasbench invoke` builds it (src/cli/load-run.ts: its --seed filled in). */
function invokePlan(pattern: string, options: Record<string, string>): { count: number; offsets: number[] } {
  const plan = planPattern(pattern, { seed: '42', ...options }, { fn: 'hello', payload: { event: null } });
  const offsets: number[] = [];
  for (const call of plan) offsets.push(call.offsetUs);
  return { count: plan.count, offsets };
}

/** The offsets `faasbench invoke` sent at, read from its stored calls: planned time less the --start-at it was given. */
async function sentByInvoke(store: string, words: readonly string[], extra: readonly string[] = []): Promise<number[]> {
  // Far enough ahead for the CLI to be up (about 1 s, more beside an experiment step): planned times
  // are --start-at plus the offset whenever it starts sending, so a later start would only send late.
  const startAtMs = Date.now() + 2_500;
  const out = await cli(['invoke', 'hello', '--no-deploy', ...words, '-o', `url=${platform.url}`, '--store', store, '--start-at', String(startAtMs), '--json', ...extra]);
  expect(out.code).toBe(0);
  const { runId } = JSON.parse(out.stdout) as { runId: string };
  const calls = await callsOf(store, runId);
  expect(calls.every((c) => c.status === 'ok')).toBe(true);
  return calls.map((c) => c.plannedUs - startAtMs * 1000).sort((a, b) => a - b);
}

describe('experiment prepare | invoke | cleanup', () => {
  it('three commands, state carried through kv, three runs linked by one lifecycle id', async () => {
    const store = path.join(dir, 'steps.db');
    const [prepared] = await step(store, ['prepare', './steps.ts']);
    expect(prepared).toMatchObject({ step: 'prepare', status: 'completed', result: null, error: null });
    const lifecycle = prepared!.lifecycle;
    expect(lifecycle).toMatch(/^lc-[0-9a-f]{12}$/);
    expect(platform.list().map((f) => f.name)).toEqual(['hello']);

    const [invoked] = await step(store, ['invoke', './steps.ts', '3']);
    expect(invoked).toMatchObject({ step: 'invoke', lifecycle, status: 'completed', result: { rows: [['hello', 3]] } });
    const calls = await callsOf(store, invoked!.runId);
    expect(calls.map((c) => [c.fn, c.status])).toEqual([['hello', 'ok'], ['hello', 'ok'], ['hello', 'ok']]);
    expect(await rowsOf(store, invoked!.runId, 'plan')).toEqual([{ pattern: 'sequential', options: { count: '3' }, count: 3, offsets: [0, 0, 0] }]);

    // rerun repeats whole runs: a step's run is refused, saying what repeats it. The refusal reads
    // only the invoke run's row, so it is asked while cleanup runs.
    const [[cleaned], rerun] = await both(step(store, ['cleanup', './steps.ts']), cli(['experiment', 'rerun', invoked!.runId, '--store', store]));
    expect(rerun.code).toBe(3);
    expect(rerun.stderr).toBe(`faasbench: run ${invoked!.runId} is the invoke step of lifecycle ${lifecycle}, not a whole experiment run: run faasbench experiment invoke again instead\n`);

    expect(cleaned).toMatchObject({ step: 'cleanup', lifecycle, status: 'completed' });
    expect(await rowsOf(store, cleaned!.runId, 'seen')).toEqual([{ prepared: { fn: 'hello', run: prepared!.runId }, invoked: { fn: 'hello', calls: 3, run: invoked!.runId } }]);
    // cleanup removed what prepare deployed, and ended the lifecycle.
    expect(platform.list()).toEqual([]);
    expect(await withStore(store, (db) => db.kvGet('sb-steps', 'faasbench.lifecycle'))).toBeUndefined();

    const runs = await cli(['runs', '--store', store, '--json']);
    expect(runs.code).toBe(0);
    const listed = (JSON.parse(runs.stdout) as Array<{ id: string; kind: string; name: string; status: string; params: { lifecycle?: unknown } }>).reverse();
    expect(listed.map((r) => [r.id, r.kind, r.name, r.status, r.params.lifecycle])).toEqual([
      [prepared!.runId, 'experiment', 'sb-steps', 'completed', { id: lifecycle, step: 'prepare' }],
      [invoked!.runId, 'experiment', 'sb-steps', 'completed', { id: lifecycle, step: 'invoke' }],
      [cleaned!.runId, 'experiment', 'sb-steps', 'completed', { id: lifecycle, step: 'cleanup' }],
    ]);

    // After cleanup there is nothing to continue: a usage error that says what to run, and no run.
    // Both refusals only read the store: asked at once.
    const later = (name: string): Promise<CliResult> => cli(['experiment', name, './steps.ts', '-o', `url=${platform.url}`, '--store', store]);
    for (const refused of await both(later('invoke'), later('cleanup'))) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`faasbench: experiment "sb-steps" has no lifecycle open in ${store}: run experiment prepare first (cleanup ends a lifecycle)\n`);
    }
    expect(await withStore(store, async (db) => (await db.listRuns()).length)).toBe(3);
  }, 240_000);

  it('a step with no store of its prepare, a second prepare, and a module without an invoke hook are refused before anything runs', async () => {
    const store = path.join(dir, 'refusals.db');
    // Asked at once: neither creates the store (the one without a hook is refused before opening it).
    const [none, noHook] = await both(
      cli(['experiment', 'invoke', './steps.ts', '3', '-o', `url=${platform.url}`, '--store', store]),
      cli(['experiment', 'invoke', './only-run.ts', '3', '-o', `url=${platform.url}`, '--store', store]),
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`faasbench: experiment "sb-steps" has no lifecycle open: no store at ${store} (give --store or set FAASBENCH_STORE); run experiment prepare first\n`);

    expect(noHook.code).toBe(3);
    expect(noHook.stderr).toBe(`faasbench: ${path.join(dir, 'only-run.ts')}: experiment "only-run" has no invoke hook: export invoke(bench, params, workload) beside run for experiment invoke\n`);
    expect(existsSync(store)).toBe(false);

    const [prepared] = await step(store, ['prepare', './steps.ts']);
    const again = await cli(['experiment', 'prepare', './steps.ts', '-o', `url=${platform.url}`, '--store', store]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`faasbench: experiment "sb-steps" has lifecycle ${prepared!.lifecycle} open in ${store} (prepared by run ${prepared!.runId} on local): end it with experiment cleanup first\n`);
    const [cleaned] = await step(store, ['cleanup', './steps.ts']);
    expect(cleaned).toMatchObject({ lifecycle: prepared!.lifecycle, status: 'completed' });
    expect(platform.list()).toEqual([]);
  }, 240_000);

  it('experiment test: prepare, invoke and cleanup in one command, three runs of one lifecycle id', async () => {
    const store = path.join(dir, 'test.db');
    // Its own local platform, started and stopped by the command.
    const out = await cli(['experiment', 'test', './steps.ts', '4', '--store', store, '--json']);
    expect(out.code).toBe(0);
    const steps = JSON.parse(out.stdout) as StepJson[];
    expect(steps.map((s) => [s.step, s.status, s.error])).toEqual([
      ['prepare', 'completed', null],
      ['invoke', 'completed', null],
      ['cleanup', 'completed', null],
    ]);
    const lifecycle = steps[0]!.lifecycle;
    expect(steps.map((s) => s.lifecycle)).toEqual([lifecycle, lifecycle, lifecycle]);
    expect(new Set(steps.map((s) => s.runId)).size).toBe(3);
    expect((await callsOf(store, steps[1]!.runId)).map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(await rowsOf(store, steps[2]!.runId, 'seen')).toEqual([{ prepared: { fn: 'hello', run: steps[0]!.runId }, invoked: { fn: 'hello', calls: 4, run: steps[1]!.runId } }]);
    const stored = await withStore(store, async (db) => (await db.listRuns()).reverse().map((r) => r.params as { lifecycle: unknown }));
    expect(stored.map((p) => p.lifecycle)).toEqual(['prepare', 'invoke', 'cleanup'].map((s) => ({ id: lifecycle, step: s })));
    expect(await withStore(store, (db) => db.kvGet('sb-steps', 'faasbench.lifecycle'))).toBeUndefined();
  }, 240_000);
});

describe('experiment invoke with sb workload types and rates files', () => {
  it('plans exactly what faasbench invoke plans and sends for the same words', async () => {
    const store = path.join(dir, 'plans.db');
    const { lifecycle } = (await step(store, ['prepare', './steps.ts']))[0]!;

    // count: what the words plan (bursty 20/s for 1 s: 20, one call in each of its 20 cycles; 3 + 5;
    // 6 + 12 a minute); null where Poisson draws it (30 at seed 7). One second of bursty plans the
    // same calls as 10/s for 2 s at half the offsets; the rates file's two rows take their 2 s.
    const cases: Array<{ words: string[]; seed?: string; send: boolean; pattern: string; options: Record<string, string>; count: number | null }> = [
      { words: ['bursty', '--rate', '20', '--duration', '1s'], send: true, pattern: 'bursty', options: { rate: '20', duration: '1s' }, count: 20 },
      { words: ['bursty', '--rate', '20', '--duration', '1s', '--arrivals', 'poisson'], seed: '7', send: true, pattern: 'bursty', options: { rate: '20', duration: '1s', arrivals: 'poisson' }, count: null },
      { words: ['rates.csv'], send: true, pattern: 'rates', options: { rates: 'rates.csv' }, count: 8 },
      { words: ['minutes.csv'], send: false, pattern: 'rates', options: { rates: 'minutes.csv' }, count: 18 },
    ];
    const seedOf = (c: (typeof cases)[number]): string[] => (c.seed === undefined ? [] : ['--seed', c.seed]);
    const sending = cases.filter((c) => c.send);
    // Two processes at a time: the experiment's invoke steps one after another (each reads and
    // writes the lifecycle's kv), and beside them faasbench invoke for the same words, which needs
    // only prepare's function. What each sent is compared once both are done.
    const [hookSent, invokeSent] = await both(
      (async () => {
        const sent: number[][] = [];
        for (const c of cases) {
          const [invoked] = await step(store, ['invoke', './steps.ts', ...c.words, ...seedOf(c), ...(c.send ? [] : ['-p', 'send=false'])]);
          expect(invoked).toMatchObject({ lifecycle, status: 'completed' });
          const [got] = (await rowsOf(store, invoked!.runId, 'plan')) as PlanRow[];
          // The test's working folder is not the command's: the rates file by its absolute path.
          const options = c.options.rates === undefined ? c.options : { ...c.options, rates: path.join(dir, c.options.rates) };
          const planned = invokePlan(c.pattern, { ...(c.seed === undefined ? {} : { seed: c.seed }), ...options });
          expect(got).toEqual({ pattern: c.pattern, options: c.options, count: planned.count, offsets: planned.offsets });
          if (c.count !== null) expect(got!.count).toBe(c.count);
          expect(got!.offsets.length).toBe(got!.count);
          if (!c.send) continue;
          // What the hook sent: every planned call, answered.
          expect((await callsOf(store, invoked!.runId)).map((call) => call.status)).toEqual(got!.offsets.map(() => 'ok'));
          sent.push(got!.offsets);
        }
        return sent;
      })(),
      (async () => {
        const sent: number[][] = [];
        for (const c of sending) sent.push(await sentByInvoke(store, c.words, seedOf(c)));
        return sent;
      })(),
    );
    // What the hook sent, and what faasbench invoke sends for the same words: the same calls at the same offsets.
    expect(hookSent.length).toBe(sending.length);
    for (const [i, offsets] of hookSent.entries()) expect(invokeSent[i]).toEqual(offsets);
    const counts = await withStore(store, async (db) => (await db.listRuns()).length);
    // prepare, four invokes, three faasbench invoke runs.
    expect(counts).toBe(8);
    expect((await step(store, ['cleanup', './steps.ts']))[0]).toMatchObject({ lifecycle, status: 'completed' });
  }, 600_000);
});
