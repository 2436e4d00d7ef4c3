// cpu-share as a user runs it (the real CLI by experiment name, a real local platform), checked
// against Lambda's rule: at 128 MB a function gets 128/1769 of a CPU, at 1,769 MB all of one.
// A timing test: it runs alone, after the rest of the suite (vitest.timing.config.ts). The test
// starts the platform the experiment talks to, so it knows whether the cpu cgroup was writable.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { REPO, scratchDir, startPlatform } from './support/platform.ts';
import { appliedVcpus } from '../src/platform/cgroup.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);
const NO_LIMIT_NOTE =
  'no CPU limit applied: the instances had no cpu cgroup (the cpu cgroup is not writable on this host, or the platform runs with cgroups off), so CPU does not follow memory here';

interface RunJson {
  status: string;
  result: { columns: string[]; rows: Array<Array<string | number | boolean | null>>; notes: string[]; summary: { cpuLimit: string } } | null;
  error: string | null;
}

async function cpuShare(platform: LocalPlatform, params: Record<string, unknown>): Promise<{ out: RunJson; rows: Array<Record<string, unknown>> }> {
  const store = path.join(scratchDir('cpu-share'), 'runs.db');
  const args = [BIN, 'experiment', 'run', 'cpu-share', '--provider', 'local', '-o', `url=${platform.url}`, '--store', store, '--json', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  const [out] = JSON.parse(stdout) as RunJson[];
  return { out: out!, rows: out!.result!.rows.map((row) => Object.fromEntries(out!.result!.columns.map((c, i) => [c, row[i]]))) };
}

describe('experiment cpu-share', () => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => {
    await platform.stop();
  });

  it('at 128 MB and 1,769 MB the CPU shares are within a factor of 2 of 128/1769, and 1 (or, without a writable cpu cgroup, it says no limit was applied)', async () => {
    const { out, rows } = await cpuShare(platform, { sizes: [128, 1769] });
    expect(out).toMatchObject({ status: 'completed', error: null });
    console.log(`cpu-share, cpu limit ${platform.facts.cpuLimit}:\n${rows.map((r) => `${r['memory MB']} MB: vCPUs ${r['vCPUs applied']}, share ${r['CPU share']} (min ${r.min}, max ${r.max}), cpu loop ${r['cpu loop ms']} ms, loop share ${r['cpu loop share vs 1769 MB']}`).join('\n')}`);
    expect(rows.map((r) => [r['memory MB'], r['ok calls'], r.errors])).toEqual([
      [128, 3, null],
      [1769, 3, null],
    ]);
    if (platform.facts.cpuLimit === 'none') {
      expect(out.result!.summary.cpuLimit).toBe('none');
      expect(rows.map((r) => r['vCPUs applied'])).toEqual(['none', 'none']);
      expect(out.result!.notes[1]).toBe(NO_LIMIT_NOTE);
      return;
    }
    expect(out.result!.summary.cpuLimit).toBe(platform.facts.cpuLimit);
    expect(rows.map((r) => [r['vCPUs applied'], r['expected share']])).toEqual([
      [appliedVcpus(128 / 1769).toFixed(4), 0.0724],
      ['1.0000', 1],
    ]);
    const [small, full] = rows as [Record<string, number>, Record<string, number>];
    // The throttled share is the quota's, whatever the neighbours do: the median of three. The kernel
    // holds a quota of 1.45 ms per 20 ms period only to within its accounting slack, which differs
    // between machines (0.040-0.095 measured against 0.0724 on one, within 20% on another): the test
    // holds the mechanism (throttled to the quota's order, 14x under the full share), the benchmark
    // the figure.
    const ratio = small['CPU share']! / (128 / 1769);
    expect(ratio).toBeGreaterThanOrEqual(0.5);
    expect(ratio).toBeLessThanOrEqual(2);
    // The unthrottled side is the one a neighbour can slow down: its best of three.
    expect(full.max).toBeGreaterThanOrEqual(0.8);
    expect(full.max).toBeLessThanOrEqual(1);
  }, 60_000);
});

describe('experiment cpu-share where the cpu cgroup is not writable', () => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    // cgroups off is what a host without a writable cpu cgroup gives the platform.
    platform = await startPlatform({ cgroups: 'off' });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it('reports that no CPU limit was applied, for every size', async () => {
    expect(platform.facts.cpuLimit).toBe('none');
    const { out, rows } = await cpuShare(platform, { sizes: [128, 1769], calls: 1, cpuuMs: 50 });
    expect(out).toMatchObject({ status: 'completed', error: null });
    expect(out.result!.summary.cpuLimit).toBe('none');
    expect(rows.map((r) => [r['memory MB'], r['vCPUs applied'], r['ok calls']])).toEqual([
      [128, 'none', 1],
      [1769, 'none', 1],
    ]);
    expect(out.result!.notes[1]).toBe(NO_LIMIT_NOTE);
  }, 60_000);
});
