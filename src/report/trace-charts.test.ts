import { describe, expect, it } from 'vitest';
import type { MappingEntry } from '../trace/mapping.ts';
import { renderChart } from './render.ts';
import { memoryDurationPoints, memoryDurationScatter, traceVsProxyBins, traceVsProxyHistogram } from './trace-charts.ts';

function entry(fn: string, trace: [number, number], proxy: [number, number], proxyId = 'p:small'): MappingEntry {
  return {
    key: { owner: 'o', app: 'a', fn },
    trigger: 'http',
    traceDurationP75Ms: trace[0],
    traceMemoryP75Mb: trace[1],
    proxy: proxyId,
    proxyDurationP75Ms: proxy[0],
    proxyMemoryP75Mb: proxy[1],
    durationError: null,
    memoryError: null,
    distance: 0,
  };
}

// [duration ms, memory MB] of trace and proxy. Four bins per decade: edges 1, 1.78, 3.16, 5.62, 10, 17.8, 31.6, 56.2, 100...
const ENTRIES = [
  entry('f1', [0, 120], [1.2, 130]),
  entry('f2', [1.5, 150], [1.6, 128]),
  entry('f3', [4, 300], [3.5, 256]),
  entry('f4', [10, 300], [12, 512]),
  entry('f5', [99, 0], [60, 64], 'synthetic'),
];

const counts = (rows: readonly { series: string; from: number; count: number }[], series: string) => rows.filter((r) => r.series === series).map((r) => [Number(r.from.toPrecision(3)), r.count]);

describe('traceVsProxyBins', () => {
  it('counts p75 durations per quarter decade, both series over the same bins, the zero in the lowest', () => {
    const { rows, zeros } = traceVsProxyBins(ENTRIES, 'duration');
    expect(zeros).toEqual({ trace: 1, proxy: 0 });
    expect(counts(rows, 'trace')).toEqual([[1, 2], [1.78, 0], [3.16, 1], [5.62, 0], [10, 1], [17.8, 0], [31.6, 0], [56.2, 1]]);
    expect(counts(rows, 'proxy')).toEqual([[1, 2], [1.78, 0], [3.16, 1], [5.62, 0], [10, 1], [17.8, 0], [31.6, 0], [56.2, 1]]);
    expect(rows.at(-1)).toMatchObject({ series: 'proxy', to: 100 });
  });

  it('counts p75 memory the same way, in MB', () => {
    const { rows, zeros } = traceVsProxyBins(ENTRIES, 'memory');
    expect(zeros).toEqual({ trace: 1, proxy: 0 });
    // Bins from 56.2 (64 is the smallest positive) to 562 (512).
    expect(counts(rows, 'trace')).toEqual([[56.2, 1], [100, 2], [178, 2], [316, 0]]);
    expect(counts(rows, 'proxy')).toEqual([[56.2, 1], [100, 2], [178, 1], [316, 1]]);
  });

  it('draws trace in the left half of each bin and proxy in the right, in log space, inside the bin', () => {
    const { rows } = traceVsProxyBins([entry('f', [10, 1], [10, 1])], 'duration', 1);
    expect(rows.map((r) => [r.series, r.from, r.to])).toEqual([['trace', 10, 100], ['proxy', 10, 100]]);
    const [trace, proxy] = rows;
    expect(trace!.barFrom).toBeGreaterThan(10);
    expect(trace!.barTo).toBeCloseTo(10 ** 1.5, 9);
    expect(proxy!.barFrom).toBeCloseTo(10 ** 1.5, 9);
    expect(proxy!.barTo).toBeLessThan(100);
  });
});

describe('traceVsProxyHistogram', () => {
  it('is a log-x bar chart with units in the axis title and the zeros named in the subtitle', () => {
    const spec = traceVsProxyHistogram(ENTRIES, 'duration') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading a spec's nested JSON
    expect(spec.title).toEqual({ text: 'Trace vs proxy: p75 duration', subtitle: ['5 trace functions and their proxies; 4 bins per decade', '1 trace and 0 proxy value(s) of 0 ms counted in the lowest bin'] });
    expect(spec.encoding.x.scale).toEqual({ type: 'log', domain: [1, 100], nice: false });
    expect(spec.encoding.x.axis).toMatchObject({ title: 'p75 duration (ms, log scale)', values: [1, 2, 5, 10, 20, 50, 100] });
    expect(traceVsProxyHistogram(ENTRIES.slice(0, 4), 'memory').title).toEqual({ text: 'Trace vs proxy: p75 memory', subtitle: ['4 trace functions and their proxies; 4 bins per decade'] });
  });

  it('renders one bar per series and bin, without warnings', async () => {
    const chart = await renderChart(traceVsProxyHistogram(ENTRIES, 'memory'), { scale: 1 });
    expect(chart.warnings).toEqual([]);
    expect(chart.svg.match(/aria-roledescription="bar"/g)).toHaveLength(8);
    expect(chart.svg).toContain('>p75 memory (MB, log scale)</text>');
  });

  it('renders an empty mapping as an empty chart rather than failing', async () => {
    const chart = await renderChart(traceVsProxyHistogram([], 'duration'), { scale: 1 });
    expect(chart.warnings).toEqual([]);
    expect(chart.svg).not.toContain('aria-roledescription="bar"');
  });
});

describe('memoryDurationScatter', () => {
  it('has a trace and a proxy point per entry, zeros moved to the first power of ten 3x below the smallest value', () => {
    const { rows, zeroDuration, zeroMemory } = memoryDurationPoints(ENTRIES);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({ series: 'trace', pair: 0, function: 'o,a,f1', proxy: 'p:small', durationMs: 0, memoryMb: 120, x: 0.1, y: 120, otherX: 1.2, otherY: 130 });
    expect(rows[9]).toEqual({ series: 'proxy', pair: 4, function: 'o,a,f5', proxy: 'synthetic', durationMs: 60, memoryMb: 64, x: 60, y: 64, otherX: 99, otherY: 10 });
    expect(rows[8]).toMatchObject({ series: 'trace', memoryMb: 0, y: 10 });
    expect([zeroDuration, zeroMemory]).toEqual([{ count: 1, drawnAt: 0.1 }, { count: 1, drawnAt: 10 }]);
    expect([2.9, 3, 30.1, 1].map((smallest) => memoryDurationPoints([entry('f', [0, 1], [smallest, 1])]).zeroDuration?.drawnAt)).toEqual([0.1, 1, 10, 0.1]);
    expect(memoryDurationPoints([entry('f', [0, 0], [0, 0])])).toMatchObject({ zeroDuration: { count: 2, drawnAt: 1 }, zeroMemory: { count: 2, drawnAt: 1 } });
  });

  it('says where zeros are drawn and uses log axes over whole decades', () => {
    const spec = memoryDurationScatter(ENTRIES) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading a spec's nested JSON
    expect(spec.title.subtitle).toEqual(['p75 of 5 trace functions and their proxies; a line joins each function to its proxy', '1 duration value of 0 ms drawn at 0.1 ms', '1 memory value of 0 MB drawn at 10 MB']);
    const points = spec.layer[1].encoding;
    expect([points.x.scale, points.y.scale]).toEqual([{ type: 'log', domain: [0.1, 100], nice: false }, { type: 'log', domain: [10, 1000], nice: false }]);
    expect([points.x.axis.title, points.y.axis.title]).toEqual(['p75 duration (ms, log scale)', 'p75 memory (MB, log scale)']);
  });

  it('renders ten points, five joining rules and one legend, without warnings', async () => {
    const chart = await renderChart(memoryDurationScatter(ENTRIES), { scale: 1 });
    expect(chart.warnings).toEqual([]);
    expect(chart.svg.match(/aria-roledescription="point"/g)).toHaveLength(10);
    expect(chart.svg.match(/aria-roledescription="rule mark"/g)).toHaveLength(5);
    expect(chart.svg.match(/role-legend"/g)).toHaveLength(1);
  });
});
