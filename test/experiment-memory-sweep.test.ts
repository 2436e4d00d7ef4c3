// memory-sweep as a user runs it: the real CLI by experiment name against a real local platform,
// a real SQLite store. The recommendation is checked against lambda-power-tuning's arithmetic
// done here by hand on the billed durations the store holds, and the durations against the CPU
// limit the platform says it applied (the test starts the platform, so it knows which mode ran).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { openStore } from '../src/store/index.ts';
import { REPO, scratchDir, startPlatform } from './support/platform.ts';
import { appliedVcpus } from '../src/platform/cgroup.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

/** AWS Lambda x86_64, us-east-1: $ per GB-s and per request. */
const GB_S = 0.0000166667;
const REQUEST = 0.2 / 1_000_000;

interface RunJson {
  runId: string;
  status: string;
  result: { columns: string[]; rows: Array<Array<string | number | boolean | null>>; notes: string[]; summary: Record<string, unknown> } | null;
  error: string | null;
}

async function sweep(platform: LocalPlatform, params: Record<string, unknown>): Promise<{ out: RunJson; records: InvocationRecord[] }> {
  const store = path.join(scratchDir('memory-sweep'), 'runs.db');
  const args = [BIN, 'experiment', 'run', 'memory-sweep', '--provider', 'local', '-o', `url=${platform.url}`, '--store', store, '--json', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  const [out] = JSON.parse(stdout) as RunJson[];
  const db = await openStore(store);
  try {
    const records: InvocationRecord[] = [];
    for await (const r of db.records(out!.runId)) records.push(r);
    return { out: out!, records };
  } finally {
    await db.close();
  }
}

const table = (r: RunJson): Array<Record<string, unknown>> => r.result!.rows.map((row) => Object.fromEntries(r.result!.columns.map((c, i) => [c, row[i]])));

interface Hand {
  memoryMb: number;
  avg: number;
  cost: number;
}

/**
 * lambda-power-tuning by hand: sort a size's billed durations, drop floor(n x 0.2) from each end,
 * average; a call costs ceil(average) ms at the size's GB, plus the request.
 */
function byHand(records: readonly InvocationRecord[], sizes: readonly number[]): Hand[] {
  return sizes.map((memoryMb) => {
    const billed = records.filter((r) => r.tag === `mem-${memoryMb}`).map((r) => r.billedMs!);
    const sorted = [...billed].sort((a, b) => a - b);
    const drop = Math.floor(sorted.length * 0.2);
    const kept = sorted.slice(drop, sorted.length - drop);
    const avg = kept.reduce((a, b) => a + b, 0) / kept.length;
    return { memoryMb, avg, cost: (Math.ceil(avg) / 1000) * (memoryMb / 1024) * GB_S + REQUEST };
  });
}

function pick(hands: readonly Hand[], strategy: 'cost' | 'speed' | 'balanced'): number {
  const maxCost = Math.max(...hands.map((h) => h.cost));
  const maxAvg = Math.max(...hands.map((h) => h.avg));
  const key = (h: Hand): [number, number] => (strategy === 'cost' ? [h.cost, h.avg] : strategy === 'speed' ? [h.avg, h.cost] : [(0.5 * h.cost) / maxCost + (0.5 * h.avg) / maxAvg, 0]);
  let best = hands[0]!;
  for (const h of hands.slice(1)) {
    const [a, b] = key(h);
    const [c, d] = key(best);
    if (a < c || (a === c && b < d)) best = h;
  }
  return best.memoryMb;
}

/** The stored calls are the ones the table averaged: 5 per size, all answered, at that size. */
function checkStored(records: readonly InvocationRecord[], sizes: readonly number[], calls: number): void {
  for (const mb of sizes) {
    const measured = records.filter((r) => r.tag === `mem-${mb}`);
    expect(measured.map((r) => [r.status, r.memoryMb])).toEqual(Array.from({ length: calls }, () => ['ok', mb]));
    expect(measured.every((r) => Number.isInteger(r.billedMs) && r.billedMs! >= Math.ceil(r.durationMs!))).toBe(true);
    expect(records.filter((r) => r.tag === `warmup-${mb}`).map((r) => r.cold)).toEqual([true]);
  }
}

describe('experiment memory-sweep', () => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => {
    await platform.stop();
  });

  it('on a CPU-bound function: durations fall with memory where the cpu cgroup is writable; the recommendation is the hand computation on the stored numbers', async () => {
    const sizes = [128, 256, 512, 1024, 1769];
    const { out, records } = await sweep(platform, {});
    expect(out).toMatchObject({ status: 'completed', error: null });
    checkStored(records, sizes, 5);
    const rows = table(out);
    const hands = byHand(records, sizes);
    console.log(`memory-sweep, cpu limit ${platform.facts.cpuLimit}: ${hands.map((h) => `${h.memoryMb} MB ${h.avg.toFixed(1)} ms $${(h.cost * 1e6).toFixed(4)}/1M`).join(', ')}`);
    console.log(out.result!.notes.slice(0, 2).join('\n'));
    // The table shows what the hand computation gives.
    expect(rows.map((r) => [r['memory MB'], r['ok calls'], r['avg billed ms'], r['USD per 1M calls']])).toEqual(
      hands.map((h) => [h.memoryMb, 5, Math.round(h.avg * 100) / 100, Math.round(h.cost * 1e6 * 10_000) / 10_000]),
    );
    const cost = pick(hands, 'cost');
    expect(out.result!.summary).toMatchObject({ strategy: 'cost', pricedAs: 'aws-lambda/x86_64', recommendation: { memoryMb: cost }, byStrategy: { cost, speed: pick(hands, 'speed'), balanced: pick(hands, 'balanced') } });
    expect(out.result!.notes[0]).toMatch(new RegExp(`^recommended by cost: ${cost} MB, average billed `));
    expect(out.result!.notes[2]).toMatch(/^local platform priced as AWS Lambda x86_64/);

    if (platform.facts.cpuLimit === 'none') {
      // Not writable here: nothing limits CPU, and the result says so instead of a trend.
      expect(out.result!.summary.cpuLimit).toBe('none');
      expect(rows.map((r) => r['vCPUs applied'])).toEqual(sizes.map(() => 'none'));
      return;
    }
    expect(out.result!.summary.cpuLimit).toBe(platform.facts.cpuLimit);
    expect(rows.map((r) => r['vCPUs applied'])).toEqual(sizes.map((mb) => appliedVcpus(mb / 1769).toFixed(4)));
    expect(out.result!.notes[3]).toBe(`CPU limit applied through the ${platform.facts.cpuLimit} cpu quota: vCPUs = memory / 1,769 MB`);
    // Up to 512 MB the quota (at most 0.29 of a CPU) binds whatever the test running beside this
    // one does, so each doubling is faster; above it a busy neighbour can take what the quota
    // allows, and the whole chain to 1,769 MB is checked alone, in the timing test of this file's name.
    for (let i = 1; i <= 2; i++) expect(hands[i]!.avg, `${hands[i]!.memoryMb} MB against ${hands[i - 1]!.memoryMb} MB`).toBeLessThan(hands[i - 1]!.avg);
    expect(hands[0]!.avg / hands[4]!.avg).toBeGreaterThan(2);
  }, 60_000);

  it('with speed and balanced (weight 0.8) strategies, and no price: the choice by hand, or none', async () => {
    const sizes = [128, 512];
    const balanced = await sweep(platform, { sizes, calls: 5, strategy: 'balanced', balancedWeight: 0.8, event: { run_function: 'matmul', args: { n: 120 } } });
    expect(balanced.out.status).toBe('completed');
    const hands = byHand(balanced.records, sizes);
    const maxCost = Math.max(...hands.map((h) => h.cost));
    const maxAvg = Math.max(...hands.map((h) => h.avg));
    const scores = hands.map((h) => (0.8 * h.cost) / maxCost + (0.2 * h.avg) / maxAvg);
    const chosen = scores[1]! < scores[0]! ? 512 : 128;
    expect(balanced.out.result!.summary).toMatchObject({ strategy: 'balanced', balancedWeight: 0.8, recommendation: { memoryMb: chosen } });
    expect(table(balanced.out).map((r) => r['balanced score (w 0.8)'])).toEqual(scores.map((s) => Math.round(s * 10_000) / 10_000));

    const unpriced = await sweep(platform, { sizes, calls: 1, priceAs: 'none', event: { run_function: 'matmul', args: { n: 60 } } });
    const speed = unpriced.records.filter((r) => r.tag?.startsWith('mem-')).sort((a, b) => a.billedMs! - b.billedMs!)[0]!.memoryMb;
    expect(unpriced.out.result!.notes[0]).toBe(`no recommendation by cost: local calls have no price; by speed: ${speed} MB`);
    expect(unpriced.out.result!.notes[2]).toBe('local not priced (priceAs none): cost not computed');
    expect(table(unpriced.out).map((r) => r['USD per 1M calls'])).toEqual([null, null]);
  }, 60_000);
});

describe('experiment memory-sweep where the cpu cgroup is not writable', () => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    // cgroups off is what a host without a writable cpu cgroup gives the platform.
    platform = await startPlatform({ cgroups: 'off' });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it('says no CPU limit was applied, and still recommends by the hand computation', async () => {
    expect(platform.facts.cpuLimit).toBe('none');
    const sizes = [128, 1769];
    const { out, records } = await sweep(platform, { sizes });
    expect(out.status).toBe('completed');
    checkStored(records, sizes, 5);
    expect(out.result!.summary).toMatchObject({ cpuLimit: 'none', recommendation: { memoryMb: pick(byHand(records, sizes), 'cost') } });
    expect(table(out).map((r) => r['vCPUs applied'])).toEqual(['none', 'none']);
    expect(out.result!.notes[3]).toBe(
      'no CPU limit applied: the instances had no cpu cgroup (the cpu cgroup is not writable on this host, or the platform runs with cgroups off), so CPU does not follow memory here',
    );
  }, 60_000);
});
