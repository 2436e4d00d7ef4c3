import { describe, expect, it } from 'vitest';
import { breakdownByFunction } from './trace-breakdown-stats.ts';
import { breakdownsOf, unionLength, type TraceDocument } from './trace-breakdown.ts';

const T = 1_700_000_000;
/** A local-platform-shaped call: service segment [s, e] with an optional queue, a function segment with its subsegments. */
function call(name: string, ids: [string, string], parent: string | undefined, s: number, e: number, parts: { queue?: number; init?: number; handlerStart: number }): TraceDocument[] {
  const ready = s + (parts.queue ?? 0) + (parts.init ?? 0);
  const service: TraceDocument = { name, id: ids[0], ...(parent ? { parent_id: parent } : {}), start_time: s, end_time: e, origin: 'AWS::Lambda', aws: { request_id: `req-${ids[0]}` }, subsegments: parts.queue !== undefined ? [{ name: 'Queue wait', id: `q${ids[0]}`, start_time: s, end_time: s + parts.queue }] : [] };
  const subs: TraceDocument[] = [
    ...(parts.init !== undefined ? [{ name: 'Initialization', id: `i${ids[1]}`, start_time: s, end_time: ready }] : []),
    { name: 'Overhead', id: `o${ids[1]}`, start_time: ready, end_time: parts.handlerStart },
    { name: 'Invocation', id: `v${ids[1]}`, start_time: parts.handlerStart, end_time: e },
  ];
  return [service, { name, id: ids[1], parent_id: ids[0], start_time: s, end_time: e, origin: 'AWS::Lambda::Function', subsegments: subs }];
}

describe('request breakdown from a trace', () => {
  // Epoch seconds as doubles carry a quarter-µs: parts are compared to the µs.
  it('a cold root calling two children at once: nested time is their union inside the handler, and the parts add up', () => {
    const segments = [
      ...call('lab', ['A', 'AF'], 'client', T, T + 1.0, { init: 0.2, handlerStart: T + 0.25 }),
      // Two concurrent children, 0.4-0.7 and 0.5-0.8: 0.4 s of nested time; a grandchild under the first.
      ...call('lab', ['B', 'BF'], 'AF', T + 0.4, T + 0.7, { queue: 0.01, handlerStart: T + 0.42 }),
      ...call('lab', ['C', 'CF'], 'AF', T + 0.5, T + 0.8, { queue: 0.01, handlerStart: T + 0.52 }),
      ...call('lab', ['D', 'DF'], 'BF', T + 0.5, T + 0.6, { queue: 0, handlerStart: T + 0.51 }),
    ];
    const [root, ...others] = breakdownsOf('1-x', segments);
    expect(others).toEqual([]);
    const r = root!;
    expect(r).toMatchObject({ traceId: '1-x', fn: 'lab', requestId: 'req-A', cold: true, nestedCalls: 3 });
    expect(r.totalMs).toBeCloseTo(1000, 3);
    expect(r.queueMs).toBe(0);
    expect(r.initMs).toBeCloseTo(200, 3);
    expect(r.overheadMs).toBeCloseTo(50, 3);
    expect(r.nestedMs).toBeCloseTo(400, 3);
    expect(r.handlerMs).toBeCloseTo(350, 3);
    expect(r.queueMs + r.initMs + r.handlerMs + r.nestedMs + r.overheadMs).toBeCloseTo(r.totalMs, 3);
  });

  it('a warm call: queue wait, overhead and handler; AWS async Dwell Time counts as queueing', () => {
    const warm = call('f', ['A', 'AF'], undefined, T, T + 0.1, { queue: 0.03, handlerStart: T + 0.04 });
    const [r] = breakdownsOf('1-y', warm);
    expect([r!.queueMs, r!.initMs, r!.overheadMs, r!.handlerMs, r!.nestedMs].map((v) => Math.round(v * 1000) / 1000)).toEqual([30, 0, 10, 60, 0]);
    const dwell = warm.map((d) => (d.origin === 'AWS::Lambda' ? { ...d, subsegments: [{ name: 'Dwell Time', id: 'dw', start_time: T, end_time: T + 0.03 }] } : d));
    expect(Math.round(breakdownsOf('1-y', dwell)[0]!.queueMs * 1000) / 1000).toBe(30);
  });

  it('a trace with two roots (calls whose caller is not in it) gives two requests', () => {
    const segments = [...call('f', ['A', 'AF'], 'p1', T, T + 0.1, { handlerStart: T }), ...call('g', ['B', 'BF'], 'p2', T + 1, T + 1.1, { handlerStart: T + 1 })];
    expect(breakdownsOf('1-z', segments).map((r) => r.fn)).toEqual(['f', 'g']);
  });

  it('union of intervals counts overlaps once', () => {
    expect(unionLength([{ start: 0, end: 2 }, { start: 1, end: 3 }, { start: 5, end: 6 }, { start: 5.5, end: 5.7 }])).toBe(4);
    expect(unionLength([])).toBe(0);
  });
});

describe('breakdown per function', () => {
  it('means, nearest-rank percentiles and counts per entry function, then all', () => {
    const req = (fn: string, totalMs: number, cold: boolean) => ({ traceId: 't', fn, requestId: null, startMs: 0, totalMs, queueMs: 0, initMs: cold ? totalMs / 2 : 0, handlerMs: cold ? totalMs / 2 : totalMs, nestedMs: 0, overheadMs: 0, cold, nestedCalls: 1 });
    const rows = breakdownByFunction([req('b', 10, false), req('a', 40, true), req('b', 20, false), req('b', 30, false)]);
    expect(rows.map((r) => [r.fn, r.requests, r.cold, r.nestedCalls])).toEqual([['a', 1, 1, 1], ['b', 3, 0, 3], ['all', 4, 1, 4]]);
    expect(rows[1]!.parts.totalMs).toEqual({ mean: 20, p50: 20, p90: 30, p99: 30, p999: 30, max: 30 });
    expect(rows[2]!.parts.initMs).toMatchObject({ mean: 5, p50: 0, max: 20 });
  });
});
