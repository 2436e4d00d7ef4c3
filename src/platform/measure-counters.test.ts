// perf stat attached around a window of a real process: counters are read (hardware or, on a
// machine without a PMU, software with the reason), and a missing perf or a process that is gone
// give none with the fixed reason words, never an exception.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PerfRun } from './measure-counters.ts';

const hasPerf = spawnSync('perf', ['--version']).status === 0;

/** A node process busy for the test, once it says it runs its loop; killed at the test's end. */
async function busyProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => { let x = 0; for (let i = 0; i < 1e6; i++) x += i; }, 5); console.log("busy")'], { stdio: ['ignore', 'pipe', 'ignore'] });
  onTestFinished(() => void child.kill('SIGKILL'));
  await once(child.stdout!, 'data');
  return child.pid!;
}

describe('PerfRun', () => {
  it.skipIf(!hasPerf)('counts a window of a running process: hardware, or software saying hardware-unsupported', async () => {
    const run = new PerfRun([await busyProcess()]);
    expect(await run.start()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counters = await run.stop();
    expect([['hardware', null], ['software', 'hardware-unsupported']], JSON.stringify(counters)).toContainEqual([counters.kind, counters.reason]);
    expect(counters.values['task-clock']).toBeGreaterThan(0);
    expect(counters.detail).toBeNull();
  }, 60_000);

  it('without perf: none, perf-not-found', async () => {
    const run = new PerfRun([await busyProcess()], '/nonexistent/perf');
    expect(await run.start()).toBe(false);
    expect(await run.stop()).toMatchObject({ kind: 'none', reason: 'perf-not-found', values: {} });
  }, 60_000);

  it.skipIf(!hasPerf)('a process that is gone: none, perf-failed, with what perf said', async () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const run = new PerfRun([Number(child.stdout.toString())]);
    expect(await run.start()).toBe(false);
    const counters = await run.stop();
    expect([counters.kind, counters.reason]).toEqual(['none', 'perf-failed']);
    expect(counters.detail).not.toBeNull();
  }, 60_000);
});
