// The schedule against the published traces: exact counts per function and minute in every
// arrival mode, determinism, independence of functions, uniformity (KS) and the :00 storm fix.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARRIVAL_MODES, type ArrivalOptions } from './arrivals.ts';
import { readTrace } from './azure-trace-reader.ts';
import { planHeader, writePlanFile } from './plan-file.ts';
import { replayTargets } from './replay-targets.ts';
import { atSpeed, batchesToPlan, describeSchedule, speedProblem, unitBatches, type ScheduleInput } from './schedule.ts';
import { UNIT_US, type Trace } from './trace-function.ts';

const TRACES = new URL('../../../shared/traces/', import.meta.url).pathname;
const SETS = ['invitro-example-4fn-1440min', 'invitro-5fn-1440min', 'invitro-10fn-1440min', 'invitro-100fn-480min'];
const MINUTE = UNIT_US.minute;

/** Synthetic targets draw a duration and memory per call; named inputs skip that where timing alone is tested. */
function scheduleOf(trace: Pick<Trace, 'functions' | 'unit'>, arrivals: ArrivalOptions, seed = 1, synthetic = true): { inputs: ScheduleInput[]; schedule: ReturnType<typeof describeSchedule> } {
  const inputs = replayTargets(trace.functions, null).map((i) => (synthetic ? i : { ...i, target: { ...i.target, payload: { kind: 'input' as const, input: 'small' } } }));
  return { inputs, schedule: describeSchedule(inputs, { unit: trace.unit, seed, arrivals, sampling: 'bracket' }) };
}

/** Offsets (µs) of each function's calls, by function index. */
function offsetsByFunction(trace: Pick<Trace, 'functions' | 'unit'>, arrivals: ArrivalOptions, seed = 1): number[][] {
  const { inputs, schedule } = scheduleOf(trace, arrivals, seed);
  const out: number[][] = inputs.map(() => []);
  for (const batch of unitBatches(inputs, schedule)) for (let i = 0; i < batch.fns.length; i++) out[batch.fns[i]!]!.push(batch.offsetsUs[i]!);
  return out;
}

/** Kolmogorov-Smirnov test of values in [0, 1) against the uniform distribution: the p-value. */
function ksUniformP(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  sorted.forEach((v, i) => (d = Math.max(d, (i + 1) / n - v, v - i / n)));
  const lambda = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return Math.min(1, Math.max(0, p));
}

describe('every planned minute holds exactly the trace count', () => {
  for (const set of SETS) {
    // The 25-million-call set runs each mode once (shifted); the others each mode with and without the shift.
    const modes = ARRIVAL_MODES.flatMap((mode) => (set === 'invitro-5fn-1440min' ? [{ mode, shift: true }] : [{ mode, shift: false }, { mode, shift: true }]));
    it.each(modes)(`${set}: %o`, async (arrivals) => {
      const trace = await readTrace(join(TRACES, set));
      const { inputs, schedule } = scheduleOf(trace, arrivals, 1, false);
      let unit = 0;
      let total = 0;
      let inside = true;
      let ordered = true;
      const mismatches: string[] = [];
      for (const batch of unitBatches(inputs, schedule)) {
        const counts = new Uint32Array(inputs.length);
        const { fns, offsetsUs } = batch;
        const low = unit * MINUTE;
        const high = low + MINUTE;
        let previous = low;
        for (let i = 0; i < fns.length; i++) {
          counts[fns[i]!]!++;
          const offset = offsetsUs[i]!;
          if (offset < previous) ordered = false;
          if (offset < low || offset >= high) inside = false;
          previous = offset;
        }
        inputs.forEach(({ fn }, f) => {
          if (counts[f] !== fn.counts[unit]) mismatches.push(`fn ${f} minute ${trace.labels[unit]}: ${counts[f]} vs ${fn.counts[unit]}`);
        });
        total += batch.fns.length;
        unit++;
      }
      expect(mismatches).toEqual([]);
      expect(unit).toBe(trace.labels.length);
      expect(total).toBe(schedule.count);
      expect(inside).toBe(true);
      expect(ordered).toBe(true);
    }, 60_000);
  }
});

describe('determinism and independence', () => {
  it('the same seed writes a byte-identical plan file; another seed does not', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-100fn-480min'));
    const dir = mkdtempSync(join(tmpdir(), 'faasbench-plan-'));
    const write = (name: string, seed: number): Buffer => {
      const { inputs, schedule } = scheduleOf(trace, { mode: 'exponential', shift: true }, seed);
      writePlanFile(join(dir, name), planHeader(schedule, trace.labels), unitBatches(inputs, schedule));
      return readFileSync(join(dir, name));
    };
    const first = write('a.fbplan', 7);
    expect(write('b.fbplan', 7).equals(first)).toBe(true);
    expect(write('c.fbplan', 8).equals(first)).toBe(false);
  });

  it('adding one function leaves every other function timestamps unchanged', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-10fn-1440min'), { minutes: { from: 1, to: 30 } });
    for (const mode of ARRIVAL_MODES) {
      const arrivals = { mode, shift: true };
      const without = offsetsByFunction({ ...trace, functions: trace.functions.slice(1) }, arrivals);
      const withAll = offsetsByFunction(trace, arrivals);
      expect(withAll.slice(1)).toEqual(without);
      expect(withAll[0]!.length).toBeGreaterThan(0);
    }
  });
});

describe('arrival statistics', () => {
  it.each(['uniform', 'exponential'] as const)('%s offsets within a minute pass a KS test for uniformity on the 10-function set', async (mode) => {
    const trace = await readTrace(join(TRACES, 'invitro-10fn-1440min'), { minutes: { from: 1, to: 20 } });
    const positions = offsetsByFunction(trace, { mode, shift: false }).flat().map((o) => (o % MINUTE) / MINUTE);
    expect(positions.length).toBeGreaterThan(100_000);
    expect(ksUniformP(positions)).toBeGreaterThan(0.01);
  });

  it('the KS check rejects calls piled at the start of the minute', () => {
    const piled = Array.from({ length: 10_000 }, (_, i) => ((i % 100) / 100) ** 2);
    expect(ksUniformP(piled)).toBeLessThan(0.01);
  });

  it('with --shift, no minute of the 100-function set has more than 5% of its calls in its first second', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-100fn-480min'));
    const share = (shift: boolean): number => {
      const { inputs, schedule } = scheduleOf(trace, { mode: 'equidistant', shift });
      let worst = 0;
      let unit = 0;
      for (const batch of unitBatches(inputs, schedule)) {
        const early = batch.offsetsUs.filter((o) => o - unit * MINUTE < 1_000_000).length;
        if (batch.fns.length > 0) worst = Math.max(worst, early / batch.fns.length);
        unit++;
      }
      return worst;
    };
    expect(share(true)).toBeLessThanOrEqual(0.05);
    // Without the shift every equidistant function fires at :00.
    expect(share(false)).toBeGreaterThan(0.05);
  });
});

describe('batchesToPlan', () => {
  it('numbers calls in time order, names the deployed function and tags the trace function', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-example-4fn-1440min'), { minutes: { from: 1, to: 10 } });
    const { inputs, schedule } = scheduleOf(trace, { mode: 'uniform', shift: false });
    const calls = [...batchesToPlan(schedule, () => unitBatches(inputs, schedule))];
    expect(calls).toHaveLength(schedule.count);
    expect(calls.map((c) => c.seq)).toEqual([...calls.keys()]);
    const byTag = new Map(inputs.map(({ fn, target }) => [fn.key.fn, target.name]));
    expect(calls.every((c) => byTag.get(c.tag!) === c.fn)).toBe(true);
    const first = calls[0]!;
    expect(Object.keys('event' in first.payload ? (first.payload.event as object) : {})).toEqual(['durationMs', 'memoryMb']);
  });

  it('at speed 4 sends the same calls, in the same order with the same payloads, at a quarter of each offset and in a quarter of the time', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-example-4fn-1440min'), { minutes: { from: 1, to: 10 } });
    const { inputs, schedule } = scheduleOf(trace, { mode: 'exponential', shift: true });
    const real = batchesToPlan(schedule, () => unitBatches(inputs, schedule));
    const fast = batchesToPlan(schedule, () => unitBatches(inputs, schedule), 4);
    expect(fast.durationUs).toBe(real.durationUs! / 4);
    const [a, b] = [[...real], [...fast]];
    expect(b.map((c) => c.offsetUs)).toEqual(a.map((c) => Math.floor(c.offsetUs / 4)));
    expect(b.map(({ offsetUs: _, ...call }) => call)).toEqual(a.map(({ offsetUs: _, ...call }) => call));
  });

  it('refuses a speed that is not a number above 0, naming what it expects', () => {
    for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(speedProblem(speed)).toBe(`expected a number above 0 (1 replays in the trace's own time, 4 four times faster), got ${speed}`);
      expect(() => [...atSpeed([], speed)]).toThrow(`replay speed: ${speedProblem(speed)}`);
    }
    expect(speedProblem(0.5)).toBeNull();
  });
});
