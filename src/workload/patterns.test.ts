import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shardOf, type PlannedInvocation } from '../core/load-plan.ts';
import type { PlanTarget, WorkloadPlan } from './pattern.ts';
import { BURSTY_CYCLES } from './patterns/bursty.ts';
import { PATTERNS, planPattern, splitPatternArgs, type PatternName } from './registry.ts';

const target: PlanTarget = { fn: 'echo', payload: { input: 'small' } };
const S = 1e6;

const plan = (command: string, to: PlanTarget = target): WorkloadPlan => {
  const { name, options } = splitPatternArgs(command.split(' '));
  return planPattern(name, options, to);
};
const offsets = (p: WorkloadPlan): number[] => [...p].map((c) => c.offsetUs);
const gaps = (xs: number[]): number[] => xs.slice(1).map((x, i) => x - xs[i]!);
/** Calls with offsets in [fromUs, toUs). */
const callsIn = (xs: number[], fromUs: number, toUs: number): number => xs.filter((x) => x >= fromUs && x < toUs).length;

const ratesDir = mkdtempSync(path.join(tmpdir(), 'faasbench-rates-'));
const ratesFile = path.join(ratesDir, 'rates.csv');
writeFileSync(ratesFile, 'second,rate\n0,10\n1,0\n2,4\n');
afterAll(() => rmSync(ratesDir, { recursive: true, force: true }));

/** One small plan of every pattern in the registry, so a new pattern cannot skip the invariants. */
const EXAMPLES: Record<PatternName, string> = {
  sequential: 'sequential 5',
  concurrent: 'concurrent 7',
  constant: 'constant --rate 50 --duration 2s',
  ramp: 'ramp --from 10 --to 30 --duration 3s',
  steady: 'steady --rate 4 --duration 20s',
  bursty: 'bursty --rate 8 --duration 80s',
  spikes: 'spikes --rate 8 --duration 80s',
  jump: 'jump --rate 6 --duration 90s',
  rates: `rates --rates ${ratesFile}`,
};

describe('every pattern', () => {
  it('is in the examples', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(Object.keys(PATTERNS).sort());
  });

  for (const [name, command] of Object.entries(EXAMPLES)) {
    for (const arrivals of name === 'sequential' || name === 'concurrent' ? [''] : [' --arrivals uniform', ' --arrivals poisson']) {
      it(`${command}${arrivals}: yields count calls, seq 0.., offsets non-decreasing, the same twice`, () => {
        const p = plan(command + arrivals);
        const calls = [...p];
        expect(p.pattern).toBe(name);
        expect(p.functions).toEqual(['echo']);
        expect(calls).toHaveLength(p.count);
        expect(p.count).toBeGreaterThan(0);
        expect(calls.map((c) => c.seq)).toEqual(calls.map((_, i) => i));
        expect(gaps(calls.map((c) => c.offsetUs)).every((g) => g >= 0)).toBe(true);
        expect(calls.every((c) => Number.isInteger(c.offsetUs) && c.fn === 'echo' && c.payload === target.payload && c.phase === 'measure' && !('tag' in c))).toBe(true);
        if (p.durationUs !== undefined) expect(p.durationUs).toBe(calls.at(-1)!.offsetUs);
        expect([...p]).toEqual(calls);
      });
    }
  }
});

describe('sequential and concurrent', () => {
  it('sequential N is a closed loop of N calls at offset 0, paced by completions', () => {
    const p = plan('sequential 4 --gap 250ms');
    expect(p.closedLoop).toEqual({ gapUs: 250_000 });
    expect(p.durationUs).toBeUndefined();
    expect(offsets(p)).toEqual([0, 0, 0, 0]);
    expect(plan('sequential 3').closedLoop).toEqual({ gapUs: 0 });
  });

  it('concurrent N is an open-loop burst: N calls at offset 0', () => {
    const p = plan('concurrent 100');
    expect(p.closedLoop).toBeUndefined();
    expect(p.count).toBe(100);
    expect(p.durationUs).toBe(0);
    expect(new Set(offsets(p))).toEqual(new Set([0]));
  });

  it('marks the first --warmup-calls calls as warm-up', () => {
    expect([...plan('sequential 5 --warmup-calls 2')].map((c) => c.phase)).toEqual(['warmup', 'warmup', 'measure', 'measure', 'measure']);
    expect([...plan('concurrent 3 --warmup-calls 3')].map((c) => c.phase)).toEqual(['warmup', 'warmup', 'warmup']);
  });
});

describe('constant', () => {
  it('1000/s for 10 s is 10,000 calls spaced 1000 µs', () => {
    const p = plan('constant --rate 1000 --duration 10s');
    expect(p.count).toBe(10_000);
    expect(p.durationUs).toBe(9_999_000);
    const xs = offsets(p);
    expect(xs).toHaveLength(10_000);
    expect(xs[0]).toBe(0);
    expect(new Set(gaps(xs))).toEqual(new Set([1000]));
    expect(p.rateCurve).toEqual([{ durationUs: 10 * S, fromRate: 1000, toRate: 1000 }]);
  });

  it('a fractional rate: 0.5/s for 1m is 30 calls 2 s apart', () => {
    const xs = offsets(plan('constant --rate 0.5 --duration 1m'));
    expect(xs).toEqual(Array.from({ length: 30 }, (_, k) => k * 2 * S));
  });

  it('tags calls before --warmup as warm-up, and every call with --tag', () => {
    const calls = [...plan('constant --rate 100 --duration 10s --warmup 2s --tag run-a')];
    expect(calls.filter((c) => c.phase === 'warmup')).toHaveLength(200);
    expect(calls.slice(0, 200).every((c) => c.phase === 'warmup')).toBe(true);
    expect(calls[200]).toMatchObject({ seq: 200, offsetUs: 2 * S, phase: 'measure', tag: 'run-a' });
    expect(calls.every((c) => c.tag === 'run-a')).toBe(true);
  });

  it('carries an event payload as given', () => {
    const event = { n: 1 };
    const [first] = plan('constant --rate 1 --duration 1s', { fn: 'f', payload: { event } });
    expect(first).toEqual({ seq: 0, offsetUs: 0, fn: 'f', payload: { event }, phase: 'measure' } satisfies PlannedInvocation);
  });

  it('poisson: same seed same offsets; another seed others; the count near rate × duration', () => {
    const a = plan('constant --rate 200 --duration 60s --arrivals poisson --seed 5');
    const b = plan('constant --rate 200 --duration 60s --arrivals poisson --seed 5');
    const c = plan('constant --rate 200 --duration 60s --arrivals poisson --seed 6');
    expect(offsets(a)).toEqual(offsets(b));
    expect(offsets(a)).not.toEqual(offsets(c));
    expect(Math.abs(a.count - 12_000)).toBeLessThan(400); // sd ~110
    expect(a.count).toBe(offsets(a).length);
    // The stream is keyed by function: another function draws other times from the same seed.
    expect(offsets(plan('constant --rate 200 --duration 60s --arrivals poisson --seed 5', { fn: 'other', payload: { input: 'small' } }))).not.toEqual(offsets(a));
  });

  it('shards like any LoadPlan: every call in exactly one shard', () => {
    const p = plan('constant --rate 100 --duration 1s');
    const seqs = [0, 1, 2].flatMap((i) => [...shardOf(p, i, 3)].map((c) => c.seq));
    expect(seqs.sort((x, y) => x - y)).toEqual([...p].map((c) => c.seq));
  });
});

describe('ramp', () => {
  it('plans the area under the ramp: 10 -> 30/s over 3 s is 60 calls', () => {
    const p = plan('ramp --from 10 --to 30 --duration 3s');
    expect(p.count).toBe(60);
    // Λ(t) = 10 t + (10/3) t²: call k where Λ reaches k.
    const xs = offsets(p);
    xs.forEach((x, k) => expect(Math.abs(x - ((-10 + Math.sqrt(100 + (40 / 3) * k)) / (20 / 3)) * S)).toBeLessThanOrEqual(0.5));
    const g = gaps(xs);
    expect(g[0]).toBeGreaterThan(g.at(-1)!); // calls come closer as the rate rises
  });

  it('0 -> 100/s over 10 s is 500 calls; rounding a non-integer area up', () => {
    expect(plan('ramp --from 0 --to 100 --duration 10s').count).toBe(500);
    expect(plan('ramp --from 1 --to 2 --duration 3s').count).toBe(5); // area 4.5
  });

  it('rejects a ramp that stays at 0', () => {
    expect(() => plan('ramp --from 0 --to 0 --duration 10s')).toThrow('ramp: the rate is 0 throughout, so the plan has no calls');
  });
});

describe('Serverless Benchmarker types', () => {
  it('all plan rate × duration calls: 20/s over the default 20 minutes is 24,000', () => {
    for (const name of ['steady', 'bursty', 'spikes', 'jump']) {
      const p = plan(name);
      expect(p.count).toBe(24_000);
      expect(p.rateCurve!.reduce((sum, s) => sum + s.durationUs, 0)).toBeCloseTo(20 * 60 * S, 3);
    }
  });

  it('steady holds R', () => {
    const xs = offsets(plan('steady --rate 4 --duration 20s'));
    expect(new Set(gaps(xs))).toEqual(new Set([250_000]));
    expect(xs).toHaveLength(80);
  });

  it('bursty: 20 cycles of R/2 for 3/4 of the cycle, then 5R/2', () => {
    const xs = offsets(plan('bursty --rate 8 --duration 80s'));
    expect(xs).toHaveLength(640);
    for (let cycle = 0; cycle < BURSTY_CYCLES; cycle++) {
      const start = cycle * 4 * S;
      expect(callsIn(xs, start, start + 3 * S)).toBe(12); // 4/s for 3 s
      expect(callsIn(xs, start + 3 * S, start + 4 * S)).toBe(20); // 20/s for 1 s
    }
    expect(gaps(xs).slice(0, 11)).toEqual(Array(11).fill(250_000));
    expect(gaps(xs).slice(12, 31)).toEqual(Array(19).fill(50_000));
  });

  it('spikes: base R/2 with four 21R/2 spikes D/80 long at D/8, 3D/8, 5D/8, 7D/8', () => {
    const xs = offsets(plan('spikes --rate 8 --duration 80s'));
    expect(xs).toHaveLength(640);
    for (const start of [10, 30, 50, 70]) {
      expect(callsIn(xs, start * S, (start + 1) * S)).toBe(84); // 84/s for 1 s
      expect(callsIn(xs, (start - 1) * S, start * S)).toBe(4); // 4/s around it
      expect(callsIn(xs, (start + 1) * S, (start + 2) * S)).toBe(4);
    }
    expect(callsIn(xs, 0, 10 * S)).toBe(40);
    expect(callsIn(xs, 71 * S, 80 * S)).toBe(36);
  });

  it('jump: R/2, 2R for the middle third, R/2', () => {
    const xs = offsets(plan('jump --rate 6 --duration 90s'));
    expect([callsIn(xs, 0, 30 * S), callsIn(xs, 30 * S, 60 * S), callsIn(xs, 60 * S, 90 * S)]).toEqual([90, 360, 90]);
    expect(new Set(gaps(xs.slice(0, 90)))).toEqual(new Set([333_333, 333_334]));
    expect(new Set(gaps(xs.slice(90, 450)))).toEqual(new Set([83_333, 83_334]));
  });
});

describe('rates', () => {
  it('holds each row for its second (or minute), at that rate in calls/s', () => {
    const xs = offsets(plan(`rates --rates ${ratesFile}`));
    expect(xs).toEqual([0, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 700_000, 800_000, 900_000, 2_000_000, 2_250_000, 2_500_000, 2_750_000]);
  });

  it('reads per-minute rates and the Serverless Benchmarker per-minute count column', () => {
    const minutes = path.join(ratesDir, 'minutes.csv');
    writeFileSync(minutes, 'minute,rate\r\n0,1\r\n1,2\r\n');
    expect(plan(`rates --rates ${minutes}`).count).toBe(180);
    const sb = path.join(ratesDir, 'sb.csv');
    writeFileSync(sb, '"InvocationsPerMinute"\n60\n120\n');
    const xs = offsets(plan(`rates --rates ${sb}`));
    expect(xs).toHaveLength(180);
    expect(callsIn(xs, 0, 60 * S)).toBe(60);
    expect(new Set(gaps(xs.slice(60)))).toEqual(new Set([500_000]));
  });

  it('rejects a malformed file naming the file and line', () => {
    const bad = path.join(ratesDir, 'bad.csv');
    writeFileSync(bad, 'second,rate\n0,10\n1,ten\n');
    expect(() => plan(`rates --rates ${bad}`)).toThrow(`rates: --rates ${bad}:3: expected a rate in calls/s of 0 or more, got "ten"`);
  });
});
