import { describe, expect, it } from 'vitest';
import { functionBreakdown } from '../analysis/trace-breakdown-stats.ts';
import type { RequestBreakdown } from '../analysis/trace-breakdown.ts';
import { breakdownChart } from './breakdown-chart.ts';
import { renderChart } from './render.ts';

const request = (fn: string, parts: Pick<RequestBreakdown, 'queueMs' | 'initMs' | 'handlerMs' | 'nestedMs' | 'overheadMs'>): RequestBreakdown => ({
  traceId: 't', fn, requestId: null, startMs: 0, cold: parts.initMs > 0, nestedCalls: 0, ...parts,
  totalMs: parts.queueMs + parts.initMs + parts.handlerMs + parts.nestedMs + parts.overheadMs,
});

describe('request breakdown chart', () => {
  it('one stacked bar per function: five parts each, their means, in stack order; the all row left out', async () => {
    const a = functionBreakdown('a', [request('a', { queueMs: 0, initMs: 100, handlerMs: 20, nestedMs: 30, overheadMs: 2 }), request('a', { queueMs: 2, initMs: 0, handlerMs: 20, nestedMs: 10, overheadMs: 2 })]);
    const b = functionBreakdown('b', [request('b', { queueMs: 1, initMs: 0, handlerMs: 5, nestedMs: 0, overheadMs: 1 })]);
    const spec = breakdownChart([a, b, functionBreakdown('all', [])]);
    const values = (spec.data as { values: Array<{ fn: string; part: string; ms: number }> }).values;
    expect(values.map((v) => [v.fn, v.part, v.ms])).toEqual([
      ['a (2)', 'queueing', 1], ['a (2)', 'initialisation', 50], ['a (2)', 'handler', 20], ['a (2)', 'nested calls', 20], ['a (2)', 'platform overhead', 2],
      ['b (1)', 'queueing', 1], ['b (1)', 'initialisation', 0], ['b (1)', 'handler', 5], ['b (1)', 'nested calls', 0], ['b (1)', 'platform overhead', 1],
    ]);
    expect((spec as { encoding: { x: { stack: string } } }).encoding.x.stack).toBe('zero');
    const chart = await renderChart(spec);
    expect(chart.warnings).toEqual([]);
    // Ten bar segments, zero-length ones included (drawn with no width).
    expect(chart.svg.match(/aria-roledescription="bar"/g)).toHaveLength(10);
    expect(chart.svg.match(/aria-label="mean time \(ms\): 50; entry function \(requests\): a \(2\); part: initialisation;[^"]*"[^>]*fill="#f58518"/g)).toHaveLength(1);
  });
});
