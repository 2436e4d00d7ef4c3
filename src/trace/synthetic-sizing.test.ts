import { describe, expect, it } from 'vitest';
import { describeSchedule, unitBatches, type ScheduleInput } from './schedule.ts';
import { sizeSynthetic } from './synthetic-sizing.ts';
import type { TraceFunction } from './trace-function.ts';

/** A function whose every duration percentile is `durationMs` and memory percentile `memoryMb`: each draw is exactly those. */
function fixed(fn: string, durationMs: number, memoryMb: number): TraceFunction {
  const percentilesMs = { 0: durationMs, 1: durationMs, 25: durationMs, 50: durationMs, 75: durationMs, 99: durationMs, 100: durationMs };
  const percentilesMb = { 1: memoryMb, 5: memoryMb, 25: memoryMb, 50: memoryMb, 75: memoryMb, 95: memoryMb, 99: memoryMb, 100: memoryMb };
  return { key: { owner: 'o', app: 'a', fn }, trigger: 'http', counts: Uint32Array.from([2, 1]), duration: { averageMs: durationMs, count: 3, minimumMs: durationMs, maximumMs: durationMs, percentilesMs }, memory: { sampleCount: 3, averageMb: memoryMb, percentilesMb }, line: 2 };
}

function sizing(functions: TraceFunction[]) {
  const inputs: ScheduleInput[] = functions.map((fn) => ({ fn, target: { name: `trace-${fn.key.fn}`, key: fn.key, proxy: 'synthetic', payload: { kind: 'synthetic' } } }));
  inputs.push({ fn: fixed('named', 1_000_000, 50), target: { name: 'trace-named', key: { owner: 'o', app: 'a', fn: 'named' }, proxy: 'x:small', payload: { kind: 'input', input: 'small' } } });
  const schedule = describeSchedule(inputs, { unit: 'minute', seed: 1, arrivals: { mode: 'uniform', shift: false }, sampling: 'bracket' });
  return sizeSynthetic(schedule.functions, unitBatches(inputs, schedule), 60);
}

describe('synthetic stand-ins are deployed for their longest and largest draw', () => {
  it('a function drawn at 70 s gets a 82 s timeout (a tenth more plus 5 s), not the package 60 s', () => {
    const { sizes, notes } = sizing([fixed('long', 70_000, 100), fixed('short', 200, 16)]);
    expect(Object.fromEntries(sizes)).toEqual({ 'trace-long': { memoryMb: 192, timeoutS: 82 }, 'trace-short': { memoryMb: 128, timeoutS: 60 } });
    expect(notes).toEqual([]);
  });

  it("a draw past Lambda's 900 s is capped at 900 s and said in a note", () => {
    const { sizes, notes } = sizing([fixed('905', 905_000, 100)]);
    expect(sizes.get('trace-905')).toEqual({ memoryMb: 192, timeoutS: 900 });
    expect(notes).toEqual(["synthetic: 1 function(s) with draws too long for Lambda's 900 s timeout (longest draw, a tenth more and 5 s), deployed with 900 s (a call drawn past it times out): trace-905 (905.0 s)"]);
  });
});
