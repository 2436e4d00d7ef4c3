// Before the timing tests: wait (at most 60 s) until the CPUs are at least 90 % idle over a
// second, so processes the rest of the suite left exiting do not count as the invoker's lateness.
import { readFileSync } from 'node:fs';
import { sweepLeftovers } from '../../src/platform/leftovers.ts';
import { SCRATCH } from './platform.ts';

function cpuTimes(): { idle: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}

async function idleShare(ms: number): Promise<number> {
  const a = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuTimes();
  return (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

export default async function setup(): Promise<void> {
  sweepLeftovers([], SCRATCH);
  for (let waited = 0; waited < 60_000; waited += 1000) {
    const idle = await idleShare(1000);
    if (idle >= 0.9) return;
    if (waited === 0) console.warn(`timing tests: waiting for the CPUs to be idle (${Math.round(idle * 100)} % now)`);
  }
  console.warn('timing tests: the CPUs stayed busy for 60 s; running anyway');
}
