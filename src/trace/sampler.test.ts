import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTraceStream, type TraceStream } from './azure-trace-reader.ts';
import type { TraceFunction } from './trace-function.ts';
import { drawIndices, resourceFactor, sampleTrace, type SampleProgress } from './sampler.ts';
import { wasserstein1 } from './wasserstein.ts';

const TRACES = new URL('../../../shared/traces/', import.meta.url).pathname;

function fn(name: string, counts: number[], averageMs: number, averageMb: number): TraceFunction {
  return {
    key: { owner: 'o', app: 'a', fn: name },
    trigger: 'http',
    counts: Uint32Array.from(counts),
    duration: { averageMs, count: 1, minimumMs: 0, maximumMs: 0, percentilesMs: { 0: 0, 1: 0, 25: 0, 50: 0, 75: 0, 99: 0, 100: 0 } },
    memory: { sampleCount: 1, averageMb, percentilesMb: { 1: 0, 5: 0, 25: 0, 50: 0, 75: 0, 95: 0, 99: 0, 100: 0 } },
    line: Number(name.slice(1)) + 2,
  };
}

function streamOf(functions: readonly TraceFunction[]): TraceStream {
  return { dir: 'memory', unit: 'minute', labels: functions[0]!.counts.length === 3 ? ['1', '2', '3'] : ['1', '2'], notes: [], async *functions() { yield* functions; } };
}

// Unit 3 is 0 for everyone: it has nothing to match and must not count.
const FOUR = [fn('f0', [0, 4, 0], 1, 1), fn('f1', [2, 0, 0], 1, 3), fn('f2', [2, 4, 0], 1, 1), fn('f3', [0, 0, 0], 2, 1)];

/** The score as docs/trace.md defines it, with exact W1 on whole arrays. */
function referenceScore(all: readonly TraceFunction[], sample: readonly TraceFunction[]): number {
  const units = all[0]!.counts.length;
  let total = 0;
  let scored = 0;
  for (let u = 0; u < units; u++) {
    const parts: number[] = [];
    for (const value of [(f: TraceFunction) => f.counts[u]!, (f: TraceFunction) => f.counts[u]! * resourceFactor(f)]) {
      const whole = all.map(value);
      const mean = whole.reduce((s, v) => s + v, 0) / whole.length;
      if (mean > 0) parts.push(wasserstein1(sample.map(value), whole) / mean);
    }
    if (parts.length === 0) continue;
    total += parts.reduce((s, v) => s + v, 0) / parts.length;
    scored++;
  }
  return scored === 0 ? 0 : total / scored;
}

describe('drawIndices', () => {
  it('draws distinct sorted indices in range, the same for the same seed and try', () => {
    for (let t = 0; t < 20; t++) {
      const draw = drawIndices(100, 10, 1, t);
      expect(draw).toHaveLength(10);
      expect(new Set(draw).size).toBe(10);
      expect(draw).toEqual([...draw].sort((a, b) => a - b));
      expect(Math.min(...draw)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draw)).toBeLessThan(100);
      expect(drawIndices(100, 10, 1, t)).toEqual(draw);
    }
    expect(drawIndices(100, 10, 1, 0)).not.toEqual(drawIndices(100, 10, 2, 0));
    expect(drawIndices(100, 10, 1, 0)).not.toEqual(drawIndices(100, 10, 1, 1));
  });

  it('gives every index the same chance', () => {
    const hits = new Array<number>(20).fill(0);
    for (let t = 0; t < 4000; t++) for (const i of drawIndices(20, 5, 3, t)) hits[i]!++;
    // Each index expects 1,000 hits (sd about 27).
    for (const h of hits) expect(Math.abs(h - 1000)).toBeLessThan(150);
  });
});

describe('sampleTrace', () => {
  it('scores a draw as documented: W1 per unit over the whole mean, averaged', async () => {
    const result = await sampleTrace(streamOf(FOUR), { size: 2, tries: 20, seed: 1 });
    const t = [...Array(20).keys()].find((i) => drawIndices(4, 2, 1, i).join() === '0,2');
    expect(t).toBeDefined();
    // Unit 1: counts 0 vs 0; resource [0,2] vs [0,0,2,6]: 1 / mean 2. Unit 2: both [4,4] vs [0,0,4,4]: 2 / mean 2.
    expect(result.tries[t!]).toEqual({ index: t, score: (0.25 + 1) / 2, invocationDistance: 0.5, resourceDistance: 0.75 });
  });

  it('averages only the quantities defined in a unit, and skips units where neither is', async () => {
    // Unit 1: counts [2,0] (mean 1), resource 0 for both (no duration); units 2 and 3: nothing.
    const idle = [fn('f0', [2, 0, 0], 0, 128), fn('f1', [0, 0, 0], 0, 128)];
    const result = await sampleTrace(streamOf(idle), { size: 1, tries: 2, seed: 1 });
    expect(result.tries).toEqual([0, 1].map((index) => ({ index, score: 1, invocationDistance: 1, resourceDistance: 0 })));
  });

  it('scores every try like the reference and returns the best, in file order', async () => {
    const result = await sampleTrace(streamOf(FOUR), { size: 3, tries: 6, seed: 7 });
    expect(result.tries).toHaveLength(6);
    for (const t of result.tries) expect(t.score).toBeCloseTo(referenceScore(FOUR, drawIndices(4, 3, 7, t.index).map((i) => FOUR[i]!)), 12);
    const best = Math.min(...result.tries.map((t) => t.score));
    expect(result.score).toBe(best);
    expect(result.best).toBe(result.tries.findIndex((t) => t.score === best));
    expect(result.functions).toEqual(drawIndices(4, 3, 7, result.best).map((i) => FOUR[i]));
    expect([result.functionsTotal, result.invocationsTotal]).toEqual([4, 12]);
    expect(result.invocationsSampled).toBe(result.functions.reduce((s, f) => s + f.counts.reduce((a, b) => a + b, 0), 0));
    expect(result.labels).toEqual(['1', '2', '3']);
  });

  it('scores a trace of several batches exactly where the histograms are exact (whole numbers below 64)', async () => {
    const functions = Array.from({ length: 2500 }, (_, i) => fn(`f${i}`, [i % 7, (i * i) % 13, i % 3 === 0 ? 0 : 50], 1, 1 + (i % 2)));
    const result = await sampleTrace(streamOf(functions), { size: 40, tries: 3, seed: 3 });
    expect(result.invocationsTotal).toBe(functions.reduce((s, f) => s + f.counts[0]! + f.counts[1]! + f.counts[2]!, 0));
    for (const t of result.tries) expect(t.score).toBeCloseTo(referenceScore(functions, drawIndices(2500, 40, 3, t.index).map((i) => functions[i]!)), 12);
  });

  it('returns the whole trace with score 0 when the size is the number of functions', async () => {
    const result = await sampleTrace(streamOf(FOUR), { size: 4, tries: 5, seed: 1 });
    expect(result.functions).toEqual(FOUR);
    expect(result.tries).toEqual([{ index: 0, score: 0, invocationDistance: 0, resourceDistance: 0 }]);
    expect([result.best, result.score]).toEqual([0, 0]);
  });

  it('refuses a size larger than the trace, and sizes or tries below 1', async () => {
    await expect(sampleTrace(streamOf(FOUR), { size: 5, tries: 1, seed: 1 })).rejects.toThrow('sample size 5 is larger than the trace: memory has 4 function(s) in the selected window');
    await expect(sampleTrace(streamOf(FOUR), { size: 0, tries: 1, seed: 1 })).rejects.toThrow('sample size 0: expected a whole number >= 1');
    await expect(sampleTrace(streamOf(FOUR), { size: 1, tries: 1.5, seed: 1 })).rejects.toThrow('sample tries 1.5: expected a whole number >= 1');
  });

  it('refuses a negative duration, naming the function and its line', async () => {
    await expect(sampleTrace(streamOf([fn('f0', [1, 1], -1, 5)]), { size: 1, tries: 1, seed: 1 })).rejects.toThrow(
      'memory: function HashFunction=f0 (invocations.csv line 2): durations.csv Average -1 ms x memory.csv AverageAllocatedMb 5 MB: expected both >= 0',
    );
  });

  it('samples the 100-function set: same seed, same sample; progress for both passes', async () => {
    const progress: SampleProgress[] = [];
    const stream = await openTraceStream(join(TRACES, 'invitro-100fn-480min'));
    const a = await sampleTrace(stream, { size: 10, tries: 10, seed: 1, onProgress: (p) => progress.push(p) });
    const b = await sampleTrace(stream, { size: 10, tries: 10, seed: 1 });
    const c = await sampleTrace(stream, { size: 10, tries: 10, seed: 2 });
    expect(a.functions).toHaveLength(10);
    expect(a.functions.map((f) => f.line)).toEqual([...a.functions.map((f) => f.line)].sort((x, y) => x - y));
    expect(b.functions.map((f) => f.line)).toEqual(a.functions.map((f) => f.line));
    expect(b.tries).toEqual(a.tries);
    expect(c.functions.map((f) => f.line)).not.toEqual(a.functions.map((f) => f.line));
    expect(a.invocationsTotal).toBe(339_657);
    expect(a.tries.every((t) => t.score >= a.score && t.score > 0)).toBe(true);
    expect(progress).toEqual([{ pass: 1, functionsRead: 100, functionsTotal: null }, { pass: 2, functionsRead: 100, functionsTotal: 100 }]);
  });

  it('is close to the exact score on a real set (histograms of the whole trace)', async () => {
    const stream = await openTraceStream(join(TRACES, 'invitro-100fn-480min'));
    const all: TraceFunction[] = [];
    for await (const f of stream.functions()) all.push(f);
    const result = await sampleTrace(stream, { size: 10, tries: 3, seed: 4 });
    for (const t of result.tries) {
      const exact = referenceScore(all, drawIndices(100, 10, 4, t.index).map((i) => all[i]!));
      // RELATIVE_BIN_WIDTH (about 1.1%) of each whole mean, at most, after normalising by it.
      expect(Math.abs(t.score - exact)).toBeLessThan(0.011);
    }
  });
});
