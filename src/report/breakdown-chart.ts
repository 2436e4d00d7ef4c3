/**
 * The request breakdown chart: one stacked bar per entry function, its mean request split into
 * queueing, initialisation, handler, nested calls and platform overhead (trace-breakdown.ts).
 * Stacked, unlike result bars that stand side by side, because these are the parts of one sum:
 * means add up to the mean end-to-end time, so the bar's length is that time.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BREAKDOWN_PARTS } from '../analysis/trace-breakdown.ts';
import type { FunctionBreakdown } from '../analysis/trace-breakdown-stats.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 640;
/** Per bar: a function's row, and room for its label. */
const ROW_HEIGHT = 36;

const LABELS = ['queueing', 'initialisation', 'handler', 'nested calls', 'platform overhead'] as const;
/** One colour per part, in stack order; fixed so every chart of every run reads the same. */
const COLOURS = ['#9ecae9', '#f58518', '#4c78a8', '#54a24b', '#b279a2'];

export const BREAKDOWN_CHART = { name: 'request-breakdown', title: 'Where request time went (from traces)' } as const;

/** The `all` row is left out: with several functions its bar would only repeat theirs, mixed. */
export function breakdownChart(functions: readonly FunctionBreakdown[]): TopLevelSpec {
  const rows = functions.filter((f) => f.fn !== 'all' || functions.length === 1);
  const values = rows.flatMap((f) =>
    BREAKDOWN_PARTS.map((part, order) => ({ fn: `${f.fn} (${f.requests})`, part: LABELS[order], order, ms: round(f.parts[part].mean) })),
  );
  const requests = rows.reduce((n, f) => n + f.requests, 0);
  return {
    $schema: SCHEMA,
    title: { text: 'Mean request, by part', subtitle: [`${requests} request${requests === 1 ? '' : 's'} from stored traces; the parts add up to the mean end-to-end time`] },
    width: WIDTH,
    height: Math.max(1, rows.length) * ROW_HEIGHT,
    data: { values },
    mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      y: { field: 'fn', type: 'nominal', title: 'entry function (requests)', sort: null },
      x: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'mean time (ms)' },
      color: { field: 'part', type: 'nominal', title: 'part', scale: { domain: [...LABELS], range: COLOURS }, sort: [...LABELS] },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'fn', title: 'function' }, { field: 'part' }, { field: 'ms', title: 'mean ms', format: '.2f' }],
    },
  };
}

/** µs are enough for a chart, and keep its SVG the same for the same run. */
const round = (ms: number): number => Math.round(ms * 1000) / 1000;
