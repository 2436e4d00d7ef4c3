import { describe, expect, it } from 'vitest';
import type { InvocationTimings } from '../spans/platform-spans.ts';
import { batchTraces, traceSummaries } from './xray-query.ts';
import type { XrayInvocation } from './xray-segments.ts';
import { invocationBytes, XrayTraces } from './xray-traces.ts';

const T0 = 1_700_000_000_000_000;

/** A trace of one call that started `offsetMs` after T0; its id sorts by `n`. */
function call(n: number, offsetMs: number, extra: Partial<XrayInvocation> = {}): XrayInvocation {
  const timings: InvocationTimings = { fn: 'f', requestId: `r${n}`, instanceId: 'i', cold: false, startUs: T0 + offsetMs * 1000, endUs: T0 + offsetMs * 1000 + 5000, queueMs: 0, initMs: undefined, durationMs: 4, errorType: undefined };
  return { traceId: `1-6553f100-${String(n).padStart(24, '0')}`, serviceSegmentId: `a${String(n).padStart(15, '0')}`, functionSegmentId: `b${String(n).padStart(15, '0')}`, parentId: undefined, arn: 'arn:f', timings, ...extra };
}

function pages(traces: XrayTraces, startUs: number, endUs: number, pageSize: number): string[][] {
  const out: string[][] = [];
  let nextToken: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = traceSummaries(traces, { startUs, endUs, nextToken }, pageSize);
    out.push(page.summaries.map((s) => s.Id.slice(-3)));
    nextToken = page.nextToken;
    if (!nextToken) return out;
  }
  throw new Error('more than 100 pages');
}

describe('GetTraceSummaries paging', () => {
  it('pages through the traces that started in the range, by start time, each once', () => {
    const traces = new XrayTraces();
    // Added out of start order, as nested traces end (and are kept) after later ones.
    for (const [n, at] of [[1, 30], [2, 10], [3, 20], [4, 40], [5, 0], [6, 50], [7, 60]] as const) traces.add(call(n, at));
    expect(pages(traces, T0 + 10_000, T0 + 50_000, 2)).toEqual([['002', '003'], ['001', '004'], ['006']]);
    expect(pages(traces, T0, T0 + 60_000, 10)).toEqual([['005', '002', '003', '001', '004', '006', '007']]);
    expect(pages(traces, T0 + 61_000, T0 + 90_000, 2)).toEqual([[]]);
  });

  it('traces that start at the same µs are ordered by id, and a trace dropped between pages is skipped', () => {
    const traces = new XrayTraces({ maxSegments: 10 });
    for (const n of [3, 1, 2, 4]) traces.add(call(n, 0));
    const first = traceSummaries(traces, { startUs: T0, endUs: T0 }, 2);
    expect(first.summaries.map((s) => s.Id.slice(-1))).toEqual(['1', '2']);
    expect(first.matched).toBe(4);
    // Two more traces push out the two oldest kept (3, then 1): 3 was still to come.
    traces.add(call(5, 10));
    traces.add(call(6, 10));
    const next = traceSummaries(traces, { startUs: T0, endUs: T0, nextToken: first.nextToken }, 2);
    expect(next.summaries.map((s) => s.Id.slice(-1))).toEqual(['4']);
    expect(next.nextToken).toBeUndefined();
  });

  it('summaries say the entry point, its response time, faults and the functions called', () => {
    const traces = new XrayTraces();
    traces.add(call(1, 10, { traceId: '1-6553f100-000000000000000000000009', parentId: 'b000000000000008', arn: 'arn:child', timings: { ...call(1, 10).timings, fn: 'child', errorType: 'Error' } }));
    traces.add(call(8, 0, { traceId: '1-6553f100-000000000000000000000009', timings: { ...call(8, 0).timings, endUs: T0 + 30_000 } }));
    const [summary] = traceSummaries(traces, { startUs: T0, endUs: T0 + 1 }).summaries;
    expect(summary).toEqual({
      Id: '1-6553f100-000000000000000000000009',
      StartTime: T0 / 1e6,
      Duration: 0.03,
      ResponseTime: 0.03,
      HasFault: true,
      HasError: false,
      HasThrottle: false,
      IsPartial: false,
      EntryPoint: { Name: 'f', Names: ['f'], Type: 'AWS::Lambda' },
      ResourceARNs: [{ ARN: 'arn:child' }, { ARN: 'arn:f' }],
    });
  });

  it('a token it did not give is refused by name', () => {
    expect(() => traceSummaries(new XrayTraces(), { startUs: 0, endUs: 1, nextToken: 'nope' })).toThrow('NextToken "nope" is not a token this API gave');
  });
});

describe('BatchGetTraces', () => {
  it('gives each known trace with two documents per call and lists the unknown ids; at most 5 ids', () => {
    const traces = new XrayTraces();
    traces.add(call(1, 0));
    const { traces: found, unprocessed } = batchTraces(traces, [call(1, 0).traceId, '1-6553f100-ffffffffffffffffffffffff']);
    expect(unprocessed).toEqual(['1-6553f100-ffffffffffffffffffffffff']);
    expect(found).toHaveLength(1);
    expect(found[0]!.Segments.map((s) => [s.Id, (JSON.parse(s.Document) as { origin: string }).origin])).toEqual([
      ['a000000000000001', 'AWS::Lambda'],
      ['b000000000000001', 'AWS::Lambda::Function'],
    ]);
    expect(() => batchTraces(traces, ['a', 'b', 'c', 'd', 'e', 'f'])).toThrow('TraceIds: expected at most 5 trace ids a call (as AWS X-Ray), got 6');
    expect(() => batchTraces(traces, [])).toThrow('TraceIds: expected 1 to 5 trace ids, got none');
  });
});

describe('the trace ring', () => {
  it('drops the oldest whole traces past its segment limit, and past its byte limit', () => {
    const bySegments = new XrayTraces({ maxSegments: 6 });
    for (const n of [1, 2, 3, 4]) bySegments.add(call(n, n));
    expect([...bySegments.all()].map((t) => t.id.slice(-1))).toEqual(['2', '3', '4']);
    expect(bySegments.size.segments).toBe(6);
    expect(bySegments.evicted).toBe(1);
    const one = invocationBytes(call(1, 0));
    const byBytes = new XrayTraces({ maxBytes: one * 2 });
    for (const n of [1, 2, 3]) byBytes.add(call(n, n));
    expect([...byBytes.all()].map((t) => t.id.slice(-1))).toEqual(['2', '3']);
    expect(byBytes.size.bytes).toBe(one * 2);
  });

  it('keeps a trace alone over its limits rather than nothing', () => {
    const ring = new XrayTraces({ maxSegments: 2 });
    ring.add(call(1, 0));
    ring.add(call(1, 1));
    expect(ring.size).toMatchObject({ traces: 1, segments: 4 });
  });
});
