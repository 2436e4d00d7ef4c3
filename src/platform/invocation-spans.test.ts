// A traced call's runs: the span its function is told as parent, and the platform's spans of each
// run, for a synchronous call and for every attempt of an Event call (with its time in the queue).
import { describe, expect, it } from 'vitest';
import { PlatformSpans } from '../spans/platform-spans.ts';
import { SpanExport } from '../spans/span-export.ts';
import type { SpanRecord } from '../spans/span-record.ts';
import { xrayRoot } from '../spans/xray-trace.ts';
import { EventQueue } from './event-queue.ts';
import type { FunctionSnapshot, InvocationResult, InvokeRequest } from './invocation.ts';
import { runSpans, traceRun } from './invocation-spans.ts';
import { snapshotOfF } from './testing/function-snapshot.ts';
import { runtimeTraceHeader } from './trace-id.ts';

const CALLER = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8' };
const CALLER_XRAY = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1';

const fn = snapshotOfF({ eventRetryAttempts: 1, eventRetryDelaysS: [0, 0] });

function resultOf(request: InvokeRequest, cold: boolean, failed: boolean): InvocationResult {
  const outcome = failed ? ({ kind: 'function-error', payload: Buffer.from('{}'), errorType: 'Error' } as const) : ({ kind: 'success', payload: Buffer.from('{}') } as const);
  return { functionName: 'f', executedVersion: '$LATEST', requestId: request.requestId, instanceId: 'i-1', cold, ...(cold ? { initMs: 5 } : {}), durationMs: 2, billedMs: 2, memoryMb: 128, maxMemoryMb: 1, cpuVcpus: null, queueMs: 0.01, outcome, log: '' };
}

/** Spans as the platform would send them, caught here instead of by a collector. */
function caughtSpans(): { spans: PlatformSpans; sent: SpanRecord[] } {
  const sent: SpanRecord[] = [];
  const exporter = new SpanExport({ senders: [{ send: async (batch) => void sent.push(...batch), close: async () => {} }] });
  return { spans: new PlatformSpans(exporter), sent };
}

describe('a traced run', () => {
  it("runs its function under the platform's invoke span, in the caller's trace", async () => {
    const { spans, sent } = caughtSpans();
    const run = traceRun(CALLER, spans)!;
    expect(run.parent.traceId).toBe(CALLER.traceId);
    expect(run.parent.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(run.parent.spanId).not.toBe(CALLER.spanId);
    const request = { requestId: 'r-1', payload: Buffer.from('{}'), traceId: CALLER_XRAY, parent: run.parent };
    expect(runtimeTraceHeader(request)).toBe(`Root=${xrayRoot(CALLER.traceId)};Parent=${run.parent.spanId};Sampled=1`);
    runSpans(spans, run, resultOf(request, false, false));
    await spans.close();
    expect(sent.map((s) => [s.name, s.spanId, s.parentSpanId, s.traceId])).toEqual([['invoke f', run.parent.spanId, CALLER.spanId, CALLER.traceId]]);
  });

  it("runs under the caller's own span when the platform exports none, and under a trace of its own without a caller", () => {
    expect(traceRun(CALLER, null)!.parent).toEqual(CALLER);
    expect(traceRun(undefined, null)).toBeUndefined();
    expect(runtimeTraceHeader({ traceId: CALLER_XRAY })).toMatch(/^Root=1-11111111-222222222222222222222222;Parent=[0-9a-f]{16};Sampled=0$/);
  });
});

describe('a traced Event call', () => {
  /** Attempt 1 fails on a cold instance, attempt 2 (the one retry, after 0 s) succeeds warm. */
  async function runEvent(spans: PlatformSpans | null, caller: typeof CALLER | undefined): Promise<InvokeRequest[]> {
    const requests: InvokeRequest[] = [];
    const runner = {
      attempt: (_f: FunctionSnapshot, request: InvokeRequest) => {
        requests.push(request);
        return Promise.resolve(resultOf(request, requests.length === 1, requests.length === 1));
      },
      current: () => fn,
      spans: () => spans,
    };
    const queue = new EventQueue(runner, { accepted: () => {}, finished: () => {}, retried: () => {}, dropped: () => {} }, () => {});
    await queue.submit(fn, Buffer.from('{}'), 'ev-1', { traceId: CALLER_XRAY, caller }).done;
    return requests;
  }

  it("gives every attempt its own invoke span under the caller's, with the time in the queue before it", async () => {
    const { spans, sent } = caughtSpans();
    const requests = await runEvent(spans, CALLER);
    await spans.close();
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.requestId === 'ev-1' && r.traceId === CALLER_XRAY && r.parent?.traceId === CALLER.traceId)).toBe(true);
    const [first, second] = requests.map((r) => r.parent!.spanId);
    expect(first).not.toBe(second);
    expect(sent.every((s) => s.traceId === CALLER.traceId && s.parentSpanId === CALLER.spanId)).toBe(true);
    expect(sent.map((s) => [s.name, s.attributes['faasbench.attempt'], s.error])).toEqual([
      ['queue wait', 1, false],
      ['init', 1, false],
      ['invoke f', 1, true],
      ['queue wait', 2, false],
      ['invoke f', 2, false],
    ]);
    expect([sent[2]!.spanId, sent[4]!.spanId]).toEqual([first, second]);
    // The retry waited in the queue from the first attempt's end.
    expect(sent[3]!.startUs).toBeGreaterThanOrEqual(sent[2]!.endUs);
    expect(sent[0]!.endUs).toBeLessThanOrEqual(sent[1]!.endUs);
  });

  it("runs under the caller's span without spans of its own when the platform exports none, and untraced without a caller", async () => {
    expect((await runEvent(null, CALLER)).map((r) => r.parent)).toEqual([CALLER, CALLER]);
    const { spans, sent } = caughtSpans();
    const untraced = await runEvent(spans, undefined);
    await spans.close();
    expect(untraced.map((r) => r.parent)).toEqual([undefined, undefined]);
    expect(sent).toEqual([]);
  });
});
