/**
 * Charts of a trace-to-proxy mapping (`trace plot`, later the report and dashboard), after vSwarm's
 * mapper plots: how the proxies' p75 duration and memory are distributed against the trace's, and
 * where each function and its proxy sit in the memory-duration plane.
 */
import type { TopLevelSpec } from 'vega-lite';
import { keyString } from '../trace/trace-function.ts';
import type { MappingEntry } from '../trace/mapping.ts';
import { decadeDomain, logTicks } from './log-axis.ts';
import { logBinEdge, logBins } from './log-bins.ts';

export type TraceMetric = 'duration' | 'memory';
export type MappingSeries = 'trace' | 'proxy';

export const SERIES: readonly MappingSeries[] = ['trace', 'proxy'];
const SERIES_COLOURS = ['#4c78a8', '#f58518'];

const METRIC = {
  duration: { label: 'duration', unit: 'ms', trace: (e: MappingEntry) => e.traceDurationP75Ms, proxy: (e: MappingEntry) => e.proxyDurationP75Ms },
  memory: { label: 'memory', unit: 'MB', trace: (e: MappingEntry) => e.traceMemoryP75Mb, proxy: (e: MappingEntry) => e.proxyMemoryP75Mb },
} as const;

/** Four per decade: 1, 1.8, 3.2, 5.6, 10: fine enough to tell a proxy 2x off, coarse enough for 20 functions. */
export const BINS_PER_DECADE = 4;

/** One bar: a series' count in one log bin, drawn in its half of the bin so the two series stand side by side. */
export interface HistogramRow {
  readonly series: MappingSeries;
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly barFrom: number;
  readonly barTo: number;
}

export interface TraceVsProxyHistogram {
  readonly rows: readonly HistogramRow[];
  /** Values of 0, per series, counted in the lowest bin. */
  readonly zeros: Readonly<Record<MappingSeries, number>>;
}

/** Share of a bin's width left empty on each side, so neighbouring bins' bars do not touch. */
const BIN_GAP = 0.06;

export function traceVsProxyBins(entries: readonly MappingEntry[], metric: TraceMetric, binsPerDecade = BINS_PER_DECADE): TraceVsProxyHistogram {
  const m = METRIC[metric];
  const binned = logBins([entries.map(m.trace), entries.map(m.proxy)], binsPerDecade);
  const rows: HistogramRow[] = [];
  for (const bin of binned.bins) {
    SERIES.forEach((series, s) => {
      // In log space: trace takes [gap, 1/2) of the bin, proxy [1/2, 1 - gap).
      const [a, b] = s === 0 ? [BIN_GAP, 0.5] : [0.5, 1 - BIN_GAP];
      rows.push({ series, from: bin.from, to: bin.to, count: bin.counts[s]!, barFrom: logBinEdge(bin.index + a, binsPerDecade), barTo: logBinEdge(bin.index + b, binsPerDecade) });
    });
  }
  return { rows, zeros: { trace: binned.zeros[0]!, proxy: binned.zeros[1]! } };
}

export function traceVsProxyHistogram(entries: readonly MappingEntry[], metric: TraceMetric, binsPerDecade = BINS_PER_DECADE): TopLevelSpec {
  const m = METRIC[metric];
  const { rows, zeros } = traceVsProxyBins(entries, metric, binsPerDecade);
  const subtitle = [`${count(entries.length, 'trace function')} and their proxies; ${binsPerDecade} bins per decade`];
  if (zeros.trace + zeros.proxy > 0) subtitle.push(`${zeros.trace} trace and ${zeros.proxy} proxy value(s) of 0 ${m.unit} counted in the lowest bin`);
  const domain: [number, number] = rows.length > 0 ? [rows[0]!.from, rows.at(-1)!.to] : [1, 10];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Trace vs proxy: p75 ${m.label}`, subtitle },
    width: 640,
    height: 320,
    data: { values: [...rows] },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'barFrom', type: 'quantitative', scale: { type: 'log', domain, nice: false }, axis: logAxis(`p75 ${m.label} (${m.unit}, log scale)`, domain) },
      x2: { field: 'barTo' },
      // Without a baseline, bars spanning x..x2 are drawn as thin slabs at the count.
      // An empty mapping has no counts to take a domain from.
      y: { field: 'count', type: 'quantitative', ...(rows.length === 0 ? { scale: { domain: [0, 1] } } : {}), axis: { title: 'functions', tickMinStep: 1, format: 'd' } },
      y2: { datum: 0 },
      color: seriesColour(),
    },
  };
}

/** One point: a trace function's p75s, or its proxy's; `pair` joins the two. */
export interface ScatterRow {
  readonly series: MappingSeries;
  readonly pair: number;
  readonly function: string;
  readonly proxy: string;
  readonly durationMs: number;
  readonly memoryMb: number;
  /** Where the point is drawn: a 0 has no place on a log axis, so it sits below the smallest value (zeroPosition). */
  readonly x: number;
  readonly y: number;
  /** Where the other point of the pair is drawn: one rule per pair, not a line mark per pair, which is 10x slower to lay out. */
  readonly otherX: number;
  readonly otherY: number;
}

export interface MemoryDurationPoints {
  readonly rows: readonly ScatterRow[];
  /** Where zeros were drawn and how many there were (null: there were none). */
  readonly zeroDuration: { readonly count: number; readonly drawnAt: number } | null;
  readonly zeroMemory: { readonly count: number; readonly drawnAt: number } | null;
}

export function memoryDurationPoints(entries: readonly MappingEntry[]): MemoryDurationPoints {
  const durations = entries.flatMap((e) => [e.traceDurationP75Ms, e.proxyDurationP75Ms]);
  const memories = entries.flatMap((e) => [e.traceMemoryP75Mb, e.proxyMemoryP75Mb]);
  const [durationFloor, memoryFloor] = [zeroPosition(durations), zeroPosition(memories)];
  const place = (durationMs: number, memoryMb: number) => ({ durationMs, memoryMb, x: durationMs === 0 ? durationFloor : durationMs, y: memoryMb === 0 ? memoryFloor : memoryMb });
  const rows = entries.flatMap((e, pair): ScatterRow[] => {
    const [trace, proxy] = [place(e.traceDurationP75Ms, e.traceMemoryP75Mb), place(e.proxyDurationP75Ms, e.proxyMemoryP75Mb)];
    const common = { pair, function: keyString(e.key), proxy: e.proxy };
    return [
      { series: 'trace', ...common, ...trace, otherX: proxy.x, otherY: proxy.y },
      { series: 'proxy', ...common, ...proxy, otherX: trace.x, otherY: trace.y },
    ];
  });
  const zeros = (values: number[], drawnAt: number) => {
    const n = values.filter((v) => v === 0).length;
    return n === 0 ? null : { count: n, drawnAt };
  };
  return { rows, zeroDuration: zeros(durations, durationFloor), zeroMemory: zeros(memories, memoryFloor) };
}

export function memoryDurationScatter(entries: readonly MappingEntry[]): TopLevelSpec {
  const { rows, zeroDuration, zeroMemory } = memoryDurationPoints(entries);
  const subtitle = [`p75 of ${count(entries.length, 'trace function')} and their proxies; a line joins each function to its proxy`];
  if (zeroDuration) subtitle.push(`${count(zeroDuration.count, 'duration value')} of 0 ms drawn at ${zeroDuration.drawnAt} ms`);
  if (zeroMemory) subtitle.push(`${count(zeroMemory.count, 'memory value')} of 0 MB drawn at ${zeroMemory.drawnAt} MB`);
  const [xDomain, yDomain] = [extent(rows.map((r) => r.x)), extent(rows.map((r) => r.y))];
  const x = { field: 'x', type: 'quantitative', scale: { type: 'log', domain: xDomain, nice: false }, axis: logAxis('p75 duration (ms, log scale)', xDomain) } as const;
  const y = { field: 'y', type: 'quantitative', scale: { type: 'log', domain: yDomain, nice: false }, axis: logAxis('p75 memory (MB, log scale)', yDomain) } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Memory vs duration: trace functions and their proxies', subtitle },
    width: 640,
    height: 440,
    data: { values: [...rows] },
    layer: [
      { transform: [{ filter: "datum.series === 'trace'" }], mark: { type: 'rule', color: '#999', strokeWidth: 0.8, opacity: 0.5 }, encoding: { x, y, x2: { field: 'otherX' }, y2: { field: 'otherY' } } },
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 0.85 },
        encoding: { x, y, color: seriesColour(), shape: { field: 'series', type: 'nominal', scale: { domain: [...SERIES], range: ['circle', 'square'] }, legend: SERIES_LEGEND } },
      },
    ],
  };
}

/** Above the plot, where it hides no bar or point; colour and shape share it, so Vega-Lite merges them into one legend. */
const SERIES_LEGEND = { title: null, orient: 'top', direction: 'horizontal' } as const;

/** Fixed colours per series, so trace is the same blue in every chart and report. */
function seriesColour() {
  return { field: 'series', type: 'nominal', scale: { domain: [...SERIES], range: SERIES_COLOURS }, legend: SERIES_LEGEND } as const;
}

function logAxis(title: string, domain: readonly [number, number]) {
  return { title, values: logTicks(domain[0], domain[1]), format: ',~g', labelOverlap: 'greedy' } as const;
}

/** Whole decades around the values (all positive: zeros were moved already); 1-10 when there are none. */
function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [1, 10];
  const [low, high] = values.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
  return decadeDomain(low, high);
}

/**
 * The first power of ten at least 3x below the smallest positive value: on the axis, clear of
 * every real point by half a decade or more, and a round number for the subtitle to name.
 */
function zeroPosition(values: readonly number[]): number {
  const smallest = values.reduce((min, v) => (v > 0 && v < min ? v : min), Infinity);
  return smallest === Infinity ? 1 : Number(`1e${Math.floor(Math.log10(smallest / 3))}`);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
