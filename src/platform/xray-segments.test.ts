import { describe, expect, it } from 'vitest';
import type { InvocationTimings } from '../spans/platform-spans.ts';
import { phasesOf, segmentDocuments, subsegmentId, type XrayInvocation } from './xray-segments.ts';

const T0 = 1_700_000_000_000_000;
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:lab';

function invocation(timings: Partial<InvocationTimings>, parentId?: string): XrayInvocation {
  const t: InvocationTimings = { fn: 'lab', requestId: 'req-1', instanceId: 'inst-1', cold: false, startUs: T0, endUs: T0 + 50_000, queueMs: 2, initMs: undefined, durationMs: 40, errorType: undefined, ...timings };
  return { traceId: '1-6553f100-0123456789abcdef01234567', serviceSegmentId: 'aaaaaaaaaaaaaaaa', functionSegmentId: 'bbbbbbbbbbbbbbbb', parentId, arn: ARN, timings: t };
}

describe('X-Ray segment documents of one invocation', () => {
  it('a warm call: the service segment with its queue wait, the function segment with overhead and invocation, tiling the call', () => {
    const [service, fn] = segmentDocuments(invocation({}, 'cccccccccccccccc'));
    expect(service).toEqual({
      name: 'lab',
      id: 'aaaaaaaaaaaaaaaa',
      trace_id: '1-6553f100-0123456789abcdef01234567',
      parent_id: 'cccccccccccccccc',
      start_time: 1_700_000_000,
      end_time: 1_700_000_000.05,
      origin: 'AWS::Lambda',
      aws: { request_id: 'req-1', function_arn: ARN, resource_names: ['lab'] },
      subsegments: [{ name: 'Queue wait', id: subsegmentId('bbbbbbbbbbbbbbbb', 'Queue wait'), start_time: 1_700_000_000, end_time: 1_700_000_000.002 }],
    });
    expect(fn).toMatchObject({ name: 'lab', id: 'bbbbbbbbbbbbbbbb', trace_id: service.trace_id, parent_id: 'aaaaaaaaaaaaaaaa', start_time: 1_700_000_000.002, end_time: 1_700_000_000.05, origin: 'AWS::Lambda::Function' });
    expect(fn.aws).toEqual({ request_id: 'req-1', function_arn: ARN, faasbench: { instance_id: 'inst-1', cold: false } });
    expect(fn.subsegments!.map((s) => [s.name, s.start_time, s.end_time])).toEqual([
      ['Overhead', 1_700_000_000.002, 1_700_000_000.01],
      ['Invocation', 1_700_000_000.01, 1_700_000_000.05],
    ]);
    expect(service.fault).toBeUndefined();
  });

  it('a cold call: its wait (starting the process) is part of Initialization, which starts when the platform took the call', () => {
    const [service, fn] = segmentDocuments(invocation({ cold: true, queueMs: 1.5, initMs: 100.5, durationMs: 30, endUs: T0 + 140_000, errorType: 'Error' }));
    expect(service.parent_id).toBeUndefined();
    expect(service.subsegments).toBeUndefined();
    expect([service.fault, fn.fault]).toEqual([true, true]);
    expect(fn.start_time).toBe(1_700_000_000);
    expect(fn.subsegments!.map((s) => [s.name, Math.round((s.end_time - s.start_time) * 1e6)])).toEqual([
      ['Initialization', 102_000],
      ['Overhead', 8_000],
      ['Invocation', 30_000],
    ]);
    expect((fn.aws as { faasbench: unknown }).faasbench).toEqual({ instance_id: 'inst-1', cold: true, error_type: 'Error' });
  });

  it("an Event attempt: its call starts when it began waiting in the async queue, that wait its Dwell Time", () => {
    const [service] = segmentDocuments(invocation({ event: { attempt: 2, queuedSinceUs: T0 - 30_000 } }));
    expect(service.start_time).toBe(1_699_999_999.97);
    expect(service.aws).toMatchObject({ attempt: 2 });
    expect(service.subsegments!.map((s) => [s.name, s.start_time, s.end_time])).toEqual([
      ['Dwell Time', 1_699_999_999.97, 1_700_000_000],
      ['Queue wait', 1_700_000_000, 1_700_000_000.002],
    ]);
  });

  it('phases never run backwards: a handler duration longer than the call leaves no overhead and starts when the instance was ready', () => {
    expect(phasesOf(invocation({ queueMs: 5, durationMs: 80, endUs: T0 + 50_000 }).timings)).toEqual({ takenUs: T0, queuedUntilUs: T0 + 5_000, readyUs: T0 + 5_000, handlerUs: T0 + 5_000, endUs: T0 + 50_000 });
    // A queue longer than the call is cut at its end.
    expect(phasesOf(invocation({ queueMs: 90, durationMs: 10, endUs: T0 + 50_000 }).timings)).toMatchObject({ queuedUntilUs: T0 + 50_000, handlerUs: T0 + 50_000 });
  });

  it('subsegment ids are 16 hex digits, distinct per name and stable', () => {
    const ids = ['Queue wait', 'Initialization', 'Overhead', 'Invocation'].map((n) => subsegmentId('0123456789abcdef', n));
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(subsegmentId('0123456789abcdef', 'Overhead')).toBe(ids[2]);
  });
});
