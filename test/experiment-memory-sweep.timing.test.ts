// memory-sweep's durations against memory, on a quiet machine: where the cpu cgroup is writable,
// each larger size of the default sweep (128 to 1,769 MB) runs the CPU-bound default function
// faster than the one before. A timing test: it runs alone, after the rest of the suite
// (vitest.timing.config.ts); the recommendation's arithmetic is checked in the main suite.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { REPO, scratchDir, startPlatform } from './support/platform.ts';
import { appliedVcpus } from '../src/platform/cgroup.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.stop();
});

describe('experiment memory-sweep, timed', () => {
  it('durations fall with memory at every step from 128 to 1,769 MB where the cpu cgroup is writable', async () => {
    const store = path.join(scratchDir('memory-sweep'), 'runs.db');
    // n = 300: about 70 ms of matrix product on a whole core, so that even 1,024 MB (11.6 ms of quota
    // a 20 ms period) is throttled over several periods; the default's ~20 ms ran nearly unthrottled
    // there, and the kernel's enforcement slack then decided the order of the two largest sizes.
    const event = JSON.stringify({ run_function: 'matmul', args: { n: 300 }, seed: 42 });
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'experiment', 'run', 'memory-sweep', '-p', `event=${event}`, '-p', 'calls=3', '--provider', 'local', '-o', `url=${platform.url}`, '--store', store, '--json']);
    const [out] = JSON.parse(stdout) as Array<{ status: string; result: { columns: string[]; rows: Array<Array<string | number | null>>; summary: { cpuLimit: string } } }>;
    expect(out!.status).toBe('completed');
    const col = (name: string): Array<string | number | null> => out!.result.rows.map((r) => r[out!.result.columns.indexOf(name)]!);
    const sizes = col('memory MB') as number[];
    const avg = col('avg billed ms') as number[];
    console.log(`memory-sweep, cpu limit ${platform.facts.cpuLimit}: ${sizes.map((mb, i) => `${mb} MB ${avg[i]} ms`).join(', ')}`);
    expect(sizes).toEqual([128, 256, 512, 1024, 1769]);
    if (platform.facts.cpuLimit === 'none') {
      // Nothing limits CPU here: no trend to check, and the result says so.
      expect(out!.result.summary.cpuLimit).toBe('none');
      expect(col('vCPUs applied')).toEqual(sizes.map(() => 'none'));
      return;
    }
    expect(col('vCPUs applied')).toEqual(sizes.map((mb) => appliedVcpus(mb / 1769).toFixed(4)));
    for (let i = 1; i < sizes.length; i++) expect(avg[i]!, `${sizes[i]} MB against ${sizes[i - 1]} MB`).toBeLessThan(avg[i - 1]!);
    // 1,769 MB has 13.8 times the CPU of 128 MB.
    expect(avg[0]! / avg[4]!).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
