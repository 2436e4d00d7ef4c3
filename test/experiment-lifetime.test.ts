// The instance-lifetime experiments (cold-start, idle-timeout, eviction-model) as a user runs them:
// the real CLI by name, the real local platform in its own process, a real SQLite store. What
// each experiment concluded from the client side (measure's instance ids) is checked call by call
// against the platform's ground truth stored with every invocation (instance id, cold flag).
// None of these behaviours depends on cgroups; the mode in effect is detected, named in the test
// output, and decides what measure's cgroup-derived id (inst_id) must look like.
// Each run is a CLI process with a platform of its own: the two cold-start runs go together (two
// cores, never more; nothing they assert is a time), idle-timeout and eviction-model one at a time,
// since a late timer beside another run would move their idle gaps.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../src/core/invocation-record.ts';
import { median } from '../src/analysis/percentile.ts';
import type { ClassifiedCall } from '../src/experiments/builtin/cold-start.ts';
import type { WaitRow } from '../src/experiments/builtin/eviction-model.ts';
import type { Probe } from '../src/experiments/builtin/idle-timeout.ts';
import { identityOf, statEvent } from '../src/experiments/builtin/instance-identity.ts';
import type { PlatformFacts } from '../src/platform/platform.ts';
import { openStore } from '../src/store/index.ts';
import { ownCacheHome, REPO, scratchDir, startPlatform } from './support/platform.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

interface RunJson {
  runId: string;
  status: string;
  result: { columns: string[]; rows: Array<Array<string | number | boolean | null>>; notes: string[]; summary: Record<string, unknown> } | null;
  error: string | null;
}

interface Ran {
  run: RunJson;
  records: InvocationRecord[];
  rows: (kind: string) => unknown[];
}

async function experiment(name: string, params: Record<string, unknown>): Promise<Ran> {
  const dir = scratchDir(name);
  const store = path.join(dir, 'runs.db');
  // A platform data directory of its own: platforms on the default one share its code/ folder,
  // and the first to stop removes it under the others.
  const env = { ...process.env, ...ownCacheHome(dir) };
  const args = [BIN, 'experiment', 'run', name, '--store', store, '--json', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24, env });
  const [result] = JSON.parse(stdout) as RunJson[];
  const db = await openStore(store);
  try {
    const records: InvocationRecord[] = [];
    for await (const r of db.records(result!.runId)) records.push(r);
    const experimentRows: Array<{ kind: string; row: unknown }> = [];
    for await (const r of db.experimentRows(result!.runId)) experimentRows.push(r);
    return { run: result!, records, rows: (kind) => experimentRows.filter((r) => r.kind === kind).map((r) => r.row) };
  } finally {
    await db.close();
  }
}

/** The table as objects by column name. */
const table = (r: RunJson): Array<Record<string, unknown>> => r.result!.rows.map((row) => Object.fromEntries(r.result!.columns.map((c, i) => [c, row[i]])));

let facts: PlatformFacts;
/** Each instance has its own cgroup, so measure's inst_id is the platform's instance id. */
let ownCgroup: boolean;

beforeAll(async () => {
  const platform = await startPlatform();
  facts = platform.facts;
  await platform.stop();
  ownCgroup = facts.memoryLimit !== 'rss-watchdog' || facts.cpuLimit !== 'none';
  console.log(`lifetime experiments on a platform with memory limit ${facts.memoryLimit}, cpu limit ${facts.cpuLimit}, isolation ${facts.isolation}`);
});

// Its two tests side by side: a platform each, and no clock in their assertions.
describe('experiment cold-start', () => {
  it.concurrent('classifies every call cold or warm exactly as the platform does: 32 of 32, for node and python at 128 and 512 MB', async ({ expect }) => {
    // Two repetitions per runtime and memory size: the first cold start follows a deployment or a
    // memory change, the second an environment change only; a third proved what the second does.
    const { run: out, records, rows } = await experiment('cold-start', { runtimes: ['measure-node', 'measure-py'], memorySizes: [128, 512], repetitions: 2, warmCalls: 3 });
    expect(out).toMatchObject({ status: 'completed', error: null });
    expect(table(out).map((r) => [r.runtime, r['memory MB'], r['cold calls'], r['warm calls'], r.agreement])).toEqual([
      ['measure-node', 128, 2, 6, '8/8'],
      ['measure-node', 512, 2, 6, '8/8'],
      ['measure-py', 128, 2, 6, '8/8'],
      ['measure-py', 512, 2, 6, '8/8'],
    ]);
    expect(out.result!.summary).toMatchObject({ calls: 32, judged: 32, agreed: 32, agreement: 1, unexpected: 0 });
    expect(out.result!.notes[0]).toBe("cold/warm classification from instance identity agreed with the platform's ground truth on 32 of 32 calls");

    // The experiment's verdicts against the stored ground truth, recomputed here call by call.
    const calls = rows('call') as ClassifiedCall[];
    expect(records).toHaveLength(32);
    expect(calls).toHaveLength(32);
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    for (const c of calls) {
      const truth = bySeq.get(c.seq)!;
      expect(truth.status).toBe('ok');
      expect([c.seq, c.cold]).toEqual([c.seq, truth.cold]);
      // The configuration change made exactly the first call of each repetition cold, with an init.
      expect([c.seq, truth.cold, truth.initMs !== null]).toEqual([c.seq, c.call === 0, c.call === 0]);
      // One client-side id per platform instance, and the other way round.
      expect(calls.filter((o) => o.instance === c.instance).map((o) => o.seq)).toEqual(calls.filter((o) => bySeq.get(o.seq)!.instanceId === truth.instanceId).map((o) => o.seq));
      // Where each instance has its own cgroup, measure's inst_id names it as the platform does.
      expect([c.seq, c.instId === truth.instanceId]).toEqual([c.seq, ownCgroup]);
      expect(truth.memoryMb).toBe(c.memoryMb);
    }
    expect(new Set(records.map((r) => r.instanceId)).size).toBe(8);

    // The table's medians are those of the stored latencies; a cold call pays its init on top.
    for (const row of table(out)) {
      const group = calls.filter((c) => c.runtime === row.runtime && c.memoryMb === row['memory MB']);
      const latency = (cold: boolean): number => Math.round(median(group.filter((c) => c.cold === cold).map((c) => bySeq.get(c.seq)!.latencyMs!))! * 10) / 10;
      expect([row['cold p50 ms'], row['warm p50 ms']]).toEqual([latency(true), latency(false)]);
      expect(row['init p50 ms'] as number).toBeGreaterThan(0);
      expect(row['cold p50 ms'] as number).toBeGreaterThan(row['warm p50 ms'] as number);
    }
  }, CLI_TEST_TIMEOUT_MS);

  it.concurrent('provisioned vs on-demand: a provisioned first call is warm, on an instance initialised as provisioned-concurrency; an on-demand one is cold', async ({ expect }) => {
    const { run: out, records, rows } = await experiment('cold-start', { runtimes: ['measure-node'], memorySizes: [128], repetitions: 2, warmCalls: 1, provisioned: [false, true] });
    expect(out).toMatchObject({ status: 'completed', error: null });
    expect(table(out).map((r) => [r.runtime, r['memory MB'], r.start, r['first calls cold'], r['cold calls'], r['warm calls'], r['init p50 ms'] === null, r.agreement])).toEqual([
      ['measure-node', 128, 'on-demand', '2/2', 2, 2, false, '4/4'],
      ['measure-node', 128, 'provisioned', '0/2', 0, 4, true, '4/4'],
    ]);
    expect(out.result!.summary).toMatchObject({ calls: 8, judged: 8, agreed: 8, unexpected: 0, provisioned: [false, true] });

    const calls = rows('call') as ClassifiedCall[];
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    // Alternating within each repetition: on demand, then provisioned.
    expect(calls.map((c) => [c.repetition, c.provisioned, c.call])).toEqual([
      [0, false, 0], [0, false, 1], [0, true, 0], [0, true, 1],
      [1, false, 0], [1, false, 1], [1, true, 0], [1, true, 1],
    ]);
    for (const c of calls) {
      const truth = bySeq.get(c.seq)!;
      // Provisioned calls went to the alias provision points at the repetition's version.
      expect([c.seq, truth.fn]).toEqual([c.seq, c.provisioned ? 'measure-node-cold-start:faasbench-provisioned' : 'measure-node-cold-start']);
      expect([c.seq, truth.status, c.initType]).toEqual([c.seq, 'ok', c.provisioned ? 'provisioned-concurrency' : 'on-demand']);
      // The first call after a change is a new instance's first in both modes, but only on demand is it
      // cold, with an init on the call: the platform's flag and the client's verdict (ids and init_type).
      const first = c.call === 0;
      expect([c.seq, truth.cold, c.cold, truth.initMs !== null]).toEqual([c.seq, first && !c.provisioned, first && !c.provisioned, first && !c.provisioned]);
    }
    // One new instance per repetition and mode, as measure's ids and the platform both tell.
    expect(new Set(calls.map((c) => `${c.repetition}/${c.provisioned}/${c.instance}`)).size).toBe(4);
    expect(new Set(calls.map((c) => c.instance)).size).toBe(4);
    expect(new Set(records.map((r) => r.instanceId)).size).toBe(4);

    // The first-call medians side by side are those of the stored latencies, and the note compares them.
    const firstP50 = (provisioned: boolean): number => Math.round(median(calls.filter((c) => c.call === 0 && c.provisioned === provisioned).map((c) => bySeq.get(c.seq)!.latencyMs!))! * 10) / 10;
    expect(table(out).map((r) => r['first p50 ms'])).toEqual([firstP50(false), firstP50(true)]);
    expect(out.result!.notes).toContainEqual(
      expect.stringMatching(/^measure-node at 128 MB: a provisioned first call took [\d.]+ ms at the median against [\d.]+ ms on demand \(-?[\d.]+ ms less; first calls cold: 0 of 2 provisioned, 2 of 2 on demand\)$/),
    );
  }, CLI_TEST_TIMEOUT_MS);
});

// The platform times an idle instance's eviction to the millisecond from the end of its last call
// (Pool.idleExpired), so the keep-alives are short, with half a second or more between each fixed
// wait (idle-timeout's coarse gaps, eviction-model's waits) and the keep-alive.
describe('experiment idle-timeout', () => {
  it('with keepAliveS 2 the estimate is within 0.25 s of 2 s, its bracket holds 2 s, and every probe matches the platform', async ({ expect }) => {
    // Coarse gaps 0.5, 1 and 2 s. The platform's idle time is never shorter than the client's gap
    // (it starts at the call's end there and ends at the next call's arrival), so a gap at the
    // keep-alive is evicted however late; a survived gap needs room for a late timer or a slow
    // loopback trip on a busy machine: 1 s here. The bisection then closes in on it.
    const { run: out, records, rows } = await experiment('idle-timeout', { keepAliveS: 2, initialGapS: 0.5, maxGapS: 30, resolutionS: 0.25 });
    expect(out).toMatchObject({ status: 'completed', error: null });
    const summary = out.result!.summary as { estimateS: number; loS: number; hiS: number; probes: number; inconsistent: boolean; agreed: number; judged: number };
    console.log(`idle-timeout (${facts.memoryLimit}): estimate ${summary.estimateS} s in [${summary.loS}, ${summary.hiS}] s after ${summary.probes} probes`);
    expect(Math.abs(summary.estimateS - 2)).toBeLessThanOrEqual(0.25);
    // A survived gap plus the loopback trips stayed under 2 s; an evicted one reached it.
    expect(summary.loS).toBeLessThan(2);
    expect(summary.hiS).toBeGreaterThan(1.99);
    expect(summary.hiS - summary.loS).toBeLessThanOrEqual(0.25);
    expect(Math.abs(summary.estimateS - (summary.loS + summary.hiS) / 2)).toBeLessThanOrEqual(0.001);
    expect(summary.inconsistent).toBe(false);

    const probes = rows('probe') as Probe[];
    expect(probes).toHaveLength(summary.probes);
    // Coarse: 0.5 and 1 s survive, 2 s does not; then bisection between 1 and 2 s.
    expect(probes.slice(0, 3).map((x) => [x.phase, x.plannedGapS, x.survived])).toEqual([
      ['coarse', 0.5, true],
      ['coarse', 1, true],
      ['coarse', 2, false],
    ]);
    expect(probes.slice(3).every((x) => x.phase === 'fine')).toBe(true);
    expect(probes.length).toBeLessThanOrEqual(8);

    // Each verdict against the platform: the call before and the probe on one instance, the probe warm.
    expect(records).toHaveLength(1 + probes.length);
    for (const [i, x] of probes.entries()) {
      const [before, after] = [records[i]!, records[i + 1]!];
      expect(after.tag).toBe(`probe-${x.probe}`);
      const truth = before.instanceId === after.instanceId && after.cold === false;
      expect([x.probe, x.survived, x.platformSurvived]).toEqual([x.probe, truth, truth]);
      // The platform evicts exactly at 2 s idle: the measured gaps fall on the right side of it.
      if (x.gapS < 1.95) expect([x.probe, x.gapS, x.survived]).toEqual([x.probe, x.gapS, true]);
      if (x.gapS >= 2) expect([x.probe, x.gapS, x.survived]).toEqual([x.probe, x.gapS, false]);
      // The gap is the client's own measurement from the stored times.
      expect(x.gapS).toBeCloseTo((after.sentUs! - before.receivedUs!) / 1e6, 6);
    }
    expect(out.result!.notes[1]).toBe(`the client's verdict (measure's instance ids) matched the platform's on ${probes.length} of ${probes.length} probes`);
  }, CLI_TEST_TIMEOUT_MS);
});

describe('experiment eviction-model', () => {
  it('4 instances idle 0.5, 1 and 3 s with keepAliveS 2.5: survivors 4, 4, 0, counted as the platform counts them', async ({ expect }) => {
    // The longest survived wait is 1.5 s short of the keep-alive: an instance idles for the wait plus
    // how far the start calls' ends spread, and with four cold starts on a busy machine that spread
    // has reached half a second. The fatal wait is 0.5 s past it.
    const { run: out, records, rows } = await experiment('eviction-model', { instances: 4, waitsS: [0.5, 1, 3], keepAliveS: 2.5 });
    expect(out).toMatchObject({ status: 'completed', error: null });
    console.log(`eviction-model (${facts.memoryLimit}): ${JSON.stringify(out.result!.rows)}`);
    expect(table(out).map((r) => [r['wait s'], r.started, r.survivors, r.new, r.other])).toEqual([
      [0.5, 4, 4, 0, 0],
      [1, 4, 4, 0, 0],
      [3, 4, 0, 4, 0],
    ]);
    expect(out.result!.notes[0]).toBe('the 4 instances live and die together: all survived 1 s idle, none survived 3 s');

    // The same counts from the platform's instance ids and cold flags.
    expect(records).toHaveLength(3 * 8);
    const seen = new Set<string>();
    for (const w of rows('wait') as WaitRow[]) {
      const start = records.filter((r) => r.tag === `wait-${w.waitS}-start`);
      const probe = records.filter((r) => r.tag === `wait-${w.waitS}-probe`);
      expect([start.length, probe.length]).toEqual([4, 4]);
      const ids = new Set(start.map((r) => r.instanceId!));
      expect([w.waitS, ids.size, start.every((r) => r.cold === true)]).toEqual([w.waitS, 4, true]);
      // The configuration change before each wait left none of the earlier instances to answer.
      expect([...ids].some((id) => seen.has(id))).toBe(false);
      for (const id of ids) seen.add(id);
      expect([w.waitS, probe.filter((r) => ids.has(r.instanceId!)).length, probe.filter((r) => r.cold === true).length]).toEqual([w.waitS, w.survivors, w.fresh]);
      // Each instance idled from its own end to the probe: between idleS and idleS + the spread of
      // the ends. All four idle periods fall on the same side of the 2.5 s keep-alive, so the
      // verdict is about the wait, not about which instance happened to finish last.
      expect(w.idleS).toBeGreaterThanOrEqual(w.waitS);
      const longestIdleS = w.idleS + w.endSpreadMs! / 1000;
      if (w.waitS < 2.5) expect([w.waitS, longestIdleS < 2.5]).toEqual([w.waitS, true]);
      else expect([w.waitS, w.idleS >= 2.5]).toEqual([w.waitS, true]);
    }
  }, CLI_TEST_TIMEOUT_MS);
});

describe('reading measure', () => {
  it("a first call has equal ids; later calls keep exist_id and draw a new_id; anything else has no identity", () => {
    expect(statEvent({ sleep: 5 })).toEqual({ cmds: { sleep: 5, stat: { argv: 1 } } });
    expect(identityOf({ end_time: 12.5, stat: { exist_id: 'a', new_id: 'a', inst_id: 'i' } })).toEqual({ id: 'a', fresh: true, instId: 'i', endTimeMs: 12.5 });
    expect(identityOf({ stat: { exist_id: 'a', new_id: 'b' } })).toEqual({ id: 'a', fresh: false, instId: null, endTimeMs: null });
    expect(identityOf({ errorType: 'InvalidCommand' })).toBeNull();
    expect(identityOf('text')).toBeNull();
    expect(identityOf({ stat: { exist_id: '', new_id: '' } })).toBeNull();
  });

  it('medians are nearest-rank: a value some call had', () => {
    expect(median([5, 1, 4, 2, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([])).toBeNull();
  });
});
