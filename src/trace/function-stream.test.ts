import { describe, expect, it } from 'vitest';
import { deriveSeed } from '../core/prng.ts';
import { describeSchedule, unitBatches, type ScheduleInput } from './schedule.ts';
import { functionStream, streamState } from './function-stream.ts';
import type { TraceFunction } from './trace-function.ts';

const SEED = 42;

/** The first two function names under (o, a) whose 32-bit derived seeds are equal: a birthday pair. */
function collidingNames(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const fn = `f${i}`;
    const seed = deriveSeed(SEED, `o,a,${fn}`);
    const earlier = seen.get(seed);
    if (earlier !== undefined) return [earlier, fn];
    seen.set(seed, fn);
  }
}

function traceFunction(fn: string, counts: number[]): TraceFunction {
  const percentilesMs = { 0: 1, 1: 1, 25: 1, 50: 1, 75: 1, 99: 1, 100: 1 };
  const percentilesMb = { 1: 1, 5: 1, 25: 1, 50: 1, 75: 1, 95: 1, 99: 1, 100: 1 };
  return { key: { owner: 'o', app: 'a', fn }, trigger: 'http', counts: Uint32Array.from(counts), duration: { averageMs: 1, count: 1, minimumMs: 1, maximumMs: 1, percentilesMs }, memory: { sampleCount: 1, averageMb: 1, percentilesMb }, line: 2 };
}

describe('per-function streams', () => {
  it('two functions whose 32-bit seeds collide still get different arrivals', () => {
    const [a, b] = collidingNames();
    expect(deriveSeed(SEED, `o,a,${a}`)).toBe(deriveSeed(SEED, `o,a,${b}`));
    const inputs: ScheduleInput[] = [a, b].map((fn) => ({ fn: traceFunction(fn, [5, 5]), target: { name: fn, key: { owner: 'o', app: 'a', fn }, proxy: 'x:small', payload: { kind: 'input', input: 'small' } } }));
    const schedule = describeSchedule(inputs, { unit: 'minute', seed: SEED, arrivals: { mode: 'uniform', shift: false }, sampling: 'bracket' });
    const byFunction: number[][] = [[], []];
    for (const batch of unitBatches(inputs, schedule)) for (let i = 0; i < batch.fns.length; i++) byFunction[batch.fns[i]!]!.push(batch.offsetsUs[i]!);
    expect(byFunction[0]).toHaveLength(10);
    expect(byFunction[1]).toHaveLength(10);
    expect(byFunction[0]).not.toEqual(byFunction[1]);
  });

  it('seeds 128 bits of state from SHA-256 of the seed and key, so a plan is reproducible from its seed', () => {
    // SHA-256("42\0o,a,f1"), first 16 bytes as four little-endian int32 words.
    expect(streamState(42, 'o,a,f1')).toEqual([1607315976, -1295308280, 605430749, -1566455541]);
    expect(streamState(42, 'o,a,f1')).not.toEqual(streamState(43, 'o,a,f1'));
    const draws = (seed: number): number[] => {
      const prng = functionStream(seed, 'o,a,f1');
      return [prng.next(), prng.next(), prng.int(1, 100)];
    };
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
  });
});
