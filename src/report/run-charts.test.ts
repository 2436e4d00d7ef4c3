// The run chart builders: exact data and encodings for small fixed inputs, the sampling rules
// that keep a huge run's charts small, and a clean render of each spec.
import { describe, expect, it } from 'vitest';
import { renderChart } from './render.ts';
import {
  cdfPoints,
  cdfRanks,
  everyNth,
  FUNCTION_COLOURS,
  functionColourScale,
  instancesOverTime,
  latenessHistogram,
  latencyCdf,
  latencyOverTime,
  logHistogram,
  memorySweepCurve,
  StrideSample,
  type TimePoint,
} from './run-charts.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading a spec's nested JSON
type Json = Record<string, any>;
const json = (spec: unknown): Json => spec as Json;

describe('sampling', () => {
  it('everyNth keeps every k-th item from the first, k the smallest that fits', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(everyNth(items, 3)).toEqual({ items: [0, 4, 8], stride: 4 });
    expect(everyNth(items, 10)).toEqual({ items, stride: 1 });
    expect(() => everyNth(items, 0)).toThrow('max must be at least 1');
  });

  it('StrideSample doubles its stride as a stream outgrows the cap, keeping items at multiples of it', () => {
    const sample = new StrideSample<number>(4);
    for (let i = 0; i < 10; i++) sample.add(i);
    expect(sample.items).toEqual([0, 4, 8]);
    expect(sample.sampling).toEqual({ total: 10, stride: 4 });
    const big = new StrideSample<number>(1000);
    for (let i = 0; i < 1_000_000; i++) big.add(i);
    expect(big.sampling).toEqual({ total: 1_000_000, stride: 1024 });
    expect(big.items).toHaveLength(977);
    expect(big.items.every((v) => v % 1024 === 0)).toBe(true);
  });
});

describe('functionColourScale', () => {
  it('gives sorted names the palette in turn, so a function keeps its colour across charts', () => {
    expect(functionColourScale(['b', 'a', 'b', 'c'])).toEqual({ domain: ['a', 'b', 'c'], range: FUNCTION_COLOURS.slice(0, 3) });
    const many = functionColourScale(Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}`));
    expect(many.range[10]).toBe(FUNCTION_COLOURS[0]);
  });
});

describe('latencyCdf', () => {
  it('steps through every distinct value when there are few, starting from the baseline', () => {
    expect(cdfPoints('f', [1, 2, 2, 5])).toEqual([
      { fn: 'f', latencyMs: 1, fraction: 0 },
      { fn: 'f', latencyMs: 1, fraction: 0.25 },
      { fn: 'f', latencyMs: 2, fraction: 0.75 },
      { fn: 'f', latencyMs: 5, fraction: 1 },
    ]);
    expect(cdfPoints('f', [])).toEqual([]);
  });

  it('takes exact values at evenly spaced ranks and the tail ranks when there are many', () => {
    expect(cdfRanks(1000, 4)).toEqual([250, 500, 750, 990, 999, 1000]);
    expect(cdfRanks(99, 4)).toEqual([25, 50, 75, 99]);
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(cdfPoints('f', sorted, 4).map((p) => [p.latencyMs, p.fraction])).toEqual([[1, 0], [250, 0.25], [500, 0.5], [750, 0.75], [990, 0.99], [999, 0.999], [1000, 1]]);
  });

  it('is a step line per function on a log axis of whole decades, zeros drawn at 1 µs', () => {
    const spec = json(latencyCdf([...cdfPoints('b', [0, 40]), ...cdfPoints('a', [3])], { calls: { a: 1, b: 2 } }));
    expect(spec.data.values).toEqual([
      { fn: 'b', latencyMs: 0.001, fraction: 0 },
      { fn: 'b', latencyMs: 0.001, fraction: 0.5 },
      { fn: 'b', latencyMs: 40, fraction: 1 },
      { fn: 'a', latencyMs: 3, fraction: 0 },
      { fn: 'a', latencyMs: 3, fraction: 1 },
    ]);
    expect(spec.mark).toEqual({ type: 'line', interpolate: 'step-after', strokeWidth: 1.5 });
    expect(spec.encoding.x.scale).toEqual({ type: 'log', domain: [0.001, 100], nice: false });
    expect(spec.encoding.color.scale).toEqual({ domain: ['a', 'b'], range: FUNCTION_COLOURS.slice(0, 2) });
    expect(spec.title).toEqual({ text: 'Latency CDF', subtitle: ['ok calls of the measure phase: a 1, b 2', 'exact: every call counted'] });
  });
});

const point = (fn: string, tS: number, latencyMs: number, cold: boolean | null): TimePoint => ({ fn, tS, latencyMs, cold });

describe('latencyOverTime', () => {
  it('draws cold starts after the other calls, as larger opaque triangles', () => {
    const spec = json(latencyOverTime([point('f', 0, 300, true), point('f', 0.5, 4, false), point('g', 0.7, 5, null)]));
    expect(spec.data.values).toEqual([
      { fn: 'f', tS: 0.5, latencyMs: 4, start: 'warm' },
      { fn: 'g', tS: 0.7, latencyMs: 5, start: 'unknown' },
      { fn: 'f', tS: 0, latencyMs: 300, start: 'cold' },
    ]);
    expect(spec.encoding.shape.scale).toEqual({ domain: ['warm', 'cold', 'unknown'], range: ['circle', 'triangle-up', 'diamond'] });
    expect(spec.encoding.size).toEqual({ condition: { test: "datum.start === 'cold'", value: 70 }, value: 12 });
    expect(spec.encoding.y.scale).toEqual({ type: 'log', domain: [1, 1000], nice: false });
    expect(spec.title.subtitle).toEqual([
      'ok calls of the measure phase, by send time',
      "cold starts (the platform's flag): triangles; calls it did not flag: diamonds",
      'shown: all 2 other calls and the 1 cold start',
    ]);
  });

  it('keeps every k-th call beyond maxPoints, cold starts getting half the budget, and says so', () => {
    const points = [...Array.from({ length: 10 }, (_, i) => point('f', i, 5, false)), ...Array.from({ length: 4 }, (_, i) => point('f', i + 0.5, 400, true))];
    const spec = json(latencyOverTime(points, { maxPoints: 6 }));
    expect(spec.data.values.map((v: Json) => [v.tS, v.start])).toEqual([[0, 'warm'], [4, 'warm'], [8, 'warm'], [0.5, 'cold'], [2.5, 'cold']]);
    expect(spec.title.subtitle[2]).toBe('shown: every 4th of 10 other calls (3) and every 2nd of 4 cold starts (2)');
    // A caller's own sampling multiplies in.
    const sampled = json(latencyOverTime(points, { maxPoints: 6, sampling: { other: { total: 1_000_000, stride: 16 }, cold: { total: 4, stride: 1 } } }));
    expect(sampled.title.subtitle[2]).toBe('shown: every 64th of 1,000,000 other calls (3) and every 2nd of 4 cold starts (2)');
    expect(sampled.encoding.shape.scale.domain).toEqual(['warm', 'cold']);
  });
});

describe('instancesOverTime', () => {
  it('stacks each function per bucket, one point past the end so the last bucket has width', () => {
    const spec = json(instancesOverTime({ bucketMs: 500, functions: [{ fn: 'g', live: [0, 1] }, { fn: 'f', live: [1, 2] }] }));
    expect(spec.data.values).toEqual([
      { fn: 'f', tS: 0, live: 1 },
      { fn: 'f', tS: 0.5, live: 2 },
      { fn: 'f', tS: 1, live: 2 },
      { fn: 'g', tS: 0, live: 0 },
      { fn: 'g', tS: 0.5, live: 1 },
      { fn: 'g', tS: 1, live: 1 },
    ]);
    expect(spec.mark).toMatchObject({ type: 'area', interpolate: 'step-after' });
    expect(spec.encoding.y.stack).toBe('zero');
    expect(spec.title.subtitle[1]).toBe('500 ms buckets; peak 3 instances live at once (all functions)');
    expect(json(instancesOverTime({ bucketMs: 2000, functions: [{ fn: 'f', live: [1] }] })).title.subtitle[1]).toBe('2 s buckets; peak 1 instance live at once');
  });
});

describe('latenessHistogram', () => {
  it('bins from 1 µs up, values below it (on time, early) in the lowest bin and named', () => {
    const hist = logHistogram([0, 0.001, 0.0015, 0.01, 0.05, -0.002], 1);
    expect(hist).toEqual({ binsPerDecade: 1, floor: 0.001, bins: [{ from: 0.001, to: 0.01, count: 4 }, { from: 0.01, to: 0.1, count: 2 }], belowFloor: 2, total: 6 });
    const spec = json(latenessHistogram(hist, { dropped: 3 }));
    expect(spec.data.values).toEqual(hist.bins);
    expect(spec.encoding.x.scale).toEqual({ type: 'log', domain: [0.001, 0.1], nice: false });
    expect(spec.title.subtitle).toEqual(['6 sent calls; 1 bins per decade', '2 calls sent on time to the µs (or early) counted in the lowest bin', '3 calls never sent (dropped at the in-flight bound) not shown']);
    expect(json(latenessHistogram([0.2, 0.2, 3])).data.values.map((v: Json) => v.count)).toEqual([2, 0, 0, 0, 0, 0, 1]);
  });
});

describe('memorySweepCurve', () => {
  const rows = [
    { memoryMb: 512, durationMs: 95.04444, costUsd: 0.00000099 },
    { memoryMb: 128, durationMs: 400, costUsd: 0.00000086 },
    { memoryMb: 256, durationMs: 190, costUsd: 0.00000081 },
  ];

  it('puts duration on the left axis and cost per 1M calls on the right, over sorted sizes', () => {
    const spec = json(memorySweepCurve(rows, { durationLabel: 'average billed duration (ms)', recommended: { memoryMb: 256, by: 'cost' } }));
    expect(spec.data.values).toEqual([
      { fn: '', memoryMb: 128, durationMs: 400, costPerMillionUsd: 0.86 },
      { fn: '', memoryMb: 256, durationMs: 190, costPerMillionUsd: 0.81 },
      { fn: '', memoryMb: 512, durationMs: 95.04444, costPerMillionUsd: 0.99 },
    ]);
    expect(spec.resolve).toEqual({ scale: { y: 'independent' } });
    expect(spec.layer.map((l: Json) => [l.mark.type, l.encoding.y?.field ?? null, l.encoding.y?.axis.orient ?? null])).toEqual([
      ['line', 'durationMs', 'left'],
      ['line', 'costPerMillionUsd', 'right'],
      ['rule', null, null],
    ]);
    expect(spec.layer[2].data.values).toEqual([{ memoryMb: 256 }]);
    expect(spec.title.subtitle).toEqual(['fastest 512 MB (95 ms); cheapest 256 MB ($0.81 per 1M calls); recommended by cost: 256 MB']);
    const precise = json(memorySweepCurve([{ memoryMb: 1024, durationMs: 48.666666, costUsd: 1.016668e-6 }]));
    expect(precise.title.subtitle).toEqual(['fastest 1024 MB (48.7 ms); cheapest 1024 MB ($1.02 per 1M calls)']);
  });

  it('draws duration alone where the provider has no price', () => {
    const spec = json(memorySweepCurve(rows.map((r) => ({ ...r, costUsd: null }))));
    expect(spec.layer).toHaveLength(1);
    expect(spec.title.subtitle).toEqual(['fastest 512 MB (95 ms)', 'no price for this provider: duration only']);
  });
});

describe('rendering', () => {
  const specs = {
    cdf: latencyCdf([...cdfPoints('a', [1, 2, 3, 40]), ...cdfPoints('b', [2, 5])]),
    overTime: latencyOverTime([point('a', 0, 300, true), point('a', 0.5, 4, false), point('b', 1, 6, false), point('b', 1.2, 5, null)]),
    instances: instancesOverTime({ bucketMs: 100, functions: [{ fn: 'a', live: [1, 2, 2, 1] }, { fn: 'b', live: [0, 1, 1, 1] }] }),
    lateness: latenessHistogram([0, 0.01, 0.02, 1.5]),
    sweep: memorySweepCurve([{ memoryMb: 128, durationMs: 40, costUsd: 1e-7 }, { memoryMb: 256, durationMs: 21, costUsd: 1.1e-7 }], { recommended: { memoryMb: 128, by: 'cost' } }),
    emptyCdf: latencyCdf([]),
    emptyOverTime: latencyOverTime([]),
    emptyLateness: latenessHistogram([]),
    emptyInstances: instancesOverTime({ bucketMs: 1000, functions: [] }),
  };

  it.each(Object.entries(specs))('%s renders without warnings', async (_name, spec) => {
    const chart = await renderChart(spec, { scale: 1 });
    expect(chart.warnings).toEqual([]);
    expect(chart.svg).toMatch(/^<svg /);
  });

  it('draws one symbol per point and one bar per bin', async () => {
    expect((await renderChart(specs.overTime, { scale: 1 })).svg.match(/aria-roledescription="point"/g)).toHaveLength(4);
    expect((await renderChart(specs.lateness, { scale: 1 })).svg.match(/aria-roledescription="bar"/g)).toHaveLength(logHistogram([0, 0.01, 0.02, 1.5]).bins.length);
    expect((await renderChart(specs.sweep, { scale: 1 })).svg.match(/aria-roledescription="point"/g)).toHaveLength(4);
  });
});
