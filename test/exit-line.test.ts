// A command that ends with failed calls says so last: how many of how many, by error class, on
// stdout, or on stderr when stdout carries --json (which holds the same counts). The endpoint
// answers a fixed sequence, so the counts are exact.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';
import { HEARTBEAT_INTERVAL_MS, openStore } from '../src/store/index.ts';
import { runCli } from './support/cli-process.ts';
import { OK, startHttpTarget, type HttpTarget, type TargetAnswer } from './support/http-target.ts';
import { scratchDir } from './support/platform.ts';

/** Calls 3 and 7 time out, call 9 is throttled; the rest answer. */
function answer(n: number): TargetAnswer {
  if (n === 3 || n === 7) return { status: 500, body: '{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 1.00 seconds"}' };
  if (n === 9) return { status: 429, body: '{"errorType":"TooManyRequestsException"}' };
  return OK;
}

/** Each test's endpoints, closed after it. */
const targets: HttpTarget[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
});

async function target(): Promise<HttpTarget> {
  const started = await startHttpTarget(answer);
  targets.push(started);
  return started;
}

const http = (url: string): string[] => ['--provider', 'http', '-o', `url=${url}`];

// Concurrent: each case is a CLI process or two against its own endpoint, mostly start-up.
describe.concurrent('the last line of a run with failed calls', () => {
  it('invoke: exit 1, the line last on stdout with warm-up calls left out; with --json the same counts in the JSON and the line on stderr', async ({ expect }) => {
    const dir = scratchDir('exit-line');
    const store = path.join(dir, 'runs.db');
    // 10 calls: 2 warm-up (1, 2), then 8 measured (3..10), of which 3, 7 and 9 fail.
    const args = async (): Promise<string[]> => ['invoke', 'echo', 'sequential', '10', '--warmup-calls', '2', ...http((await target()).url), '--no-deploy'];
    const [json, human] = await Promise.all([runCli([...(await args()), '--store', store, '--json']), runCli([...(await args()), '--store', path.join(dir, 'human.db')])]);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { runId: string; status: string; failures: unknown };
    expect(out.status).toBe('completed');
    expect(out.failures).toEqual({ failed: 3, of: 8, byClass: { 'Sandbox.Timedout': 2, TooManyRequestsException: 1 }, warmupCalls: 2 });
    const line = `run ${out.runId} completed; 3 of 8 calls failed (2 warm-up calls not counted): 2 Sandbox.Timedout, 1 TooManyRequestsException`;
    expect(json.stderr.trimEnd().split('\n').at(-1)).toBe(line);
    const db = await openStore(store);
    try {
      // The stored summary does not read as clean either.
      expect((await db.getRun(out.runId))?.summary).toMatchObject({ total: 8, warmupCalls: 2, failed: 3, errorClasses: { 'Sandbox.Timedout': 2, TooManyRequestsException: 1 } });
    } finally {
      await db.close();
    }
    expect(human.code).toBe(1);
    expect(human.stdout.trimEnd().split('\n').at(-1)).toMatch(/^run \S+ completed; 3 of 8 calls failed \(2 warm-up calls not counted\): 2 Sandbox\.Timedout, 1 TooManyRequestsException$/);
  }, CLI_TEST_TIMEOUT_MS);

  it('experiment run: a completed run with failed calls ends on them, and its stored summary counts them', async ({ expect }) => {
    const { url } = await target();
    const dir = scratchDir('exit-line-experiment');
    writeFileSync(
      path.join(dir, 'calls.ts'),
      `import { defineExperiment, z } from 'faasbench/experiments';
export default defineExperiment({
  name: 'calls',
  description: 'ten calls, whatever they answer',
  params: z.object({}),
  async run(bench) {
    for (let i = 0; i < 10; i++) await bench.invoke('echo');
    return { columns: ['calls'], rows: [[10]] };
  },
});
`,
    );
    const out = await runCli(['experiment', 'run', './calls.ts', ...http(url), '--store', 'runs.db'], { cwd: dir });
    expect(out.code).toBe(0);
    const last = out.stdout.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^run \S+ completed; 3 of 10 calls failed: 2 Sandbox\.Timedout, 1 TooManyRequestsException$/);
    const runId = last.split(' ')[1]!;
    const db = await openStore(path.join(dir, 'runs.db'));
    try {
      const run = await db.getRun(runId);
      expect(run?.summary).toMatchObject({ error: null, calls: { calls: 10, failed: 3, ok: 7, errorClasses: { 'Sandbox.Timedout': 2, TooManyRequestsException: 1 } } });
      // The experiment runner kept the run's heartbeat, at the default interval.
      expect(run?.heartbeatMs).toBe(HEARTBEAT_INTERVAL_MS);
    } finally {
      await db.close();
    }
  }, CLI_TEST_TIMEOUT_MS);
});
