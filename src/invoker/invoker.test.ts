// What the invoker hands a sink that journals sends, against a real HTTP endpoint on loopback.
import { describe, expect, it, vi } from 'vitest';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import type { Provider } from '../core/provider.ts';
import { planOf, type LoadPlan } from '../core/load-plan.ts';
import { useLoopbackProvider } from './testing/loopback-provider.ts';
import { runPlan, type RecordSink, type Sent } from './invoker.ts';

const httpProvider = useLoopbackProvider(8);

const holds: string[] = [];
vi.mock('../core/old-generation-growth.ts', () => ({
  keepOldGenerationNearLive: () => {
    holds.push('hold');
    return () => void holds.push('release');
  },
}));

/** Calls to `fns[i]`, all planned at once. */
function plan(fns: readonly string[]): LoadPlan {
  return planOf({ functions: [...new Set(fns)], count: fns.length, durationUs: 0 }, function* () {
    for (const [seq, fn] of fns.entries()) yield { seq, offsetUs: 0, fn, payload: { event: {} }, phase: 'measure' };
  });
}

/** A sink that journals sends, as the store's RecordSink does: it reads the calls in flight when it flushes. */
function watchingSink(): { sink: RecordSink; records: InvocationRecord[]; inFlight: () => Sent[]; watches: number; unwatches: number } {
  let source: (() => Iterable<Sent>) | undefined;
  const state = {
    records: [] as InvocationRecord[],
    watches: 0,
    unwatches: 0,
    inFlight: (): Sent[] => [...(source?.() ?? [])],
    sink: {
      write: (record: InvocationRecord) => void state.records.push(record),
      watchSends: (inFlight: () => Iterable<Sent>) => {
        state.watches++;
        source = inFlight;
        return () => void state.unwatches++;
      },
    } satisfies RecordSink,
  };
  return state;
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const started = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
  }
}

describe('runPlan with a sink that journals sends', () => {
  it('hands the sink its own table of calls in flight (nothing built per call) and unwatches once every outcome is written', async () => {
    const watched = watchingSink();
    const running = runPlan({ runId: 'w1', plan: plan(['/?delay=2000', '/', '/']), provider: httpProvider, payloadOf: () => Buffer.from('{}'), sink: watched.sink });
    // The two quick calls answer; the slow one is what a flush would find unanswered.
    await until(() => watched.records.length === 2);
    const [slow, ...others] = watched.inFlight();
    expect(others).toEqual([]);
    expect(slow).toMatchObject({ call: { seq: 0, fn: '/?delay=2000' }, recorded: false });
    expect(slow!.sentUs).toBeGreaterThanOrEqual(slow!.plannedUs);
    expect(watched.unwatches).toBe(0);
    await running;
    expect(watched.records.map((r) => [r.seq, r.status]).sort()).toEqual([
      [0, 'ok'],
      [1, 'ok'],
      [2, 'ok'],
    ]);
    expect(watched.inFlight()).toEqual([]);
    expect([watched.watches, watched.unwatches]).toEqual([1, 1]);
  });

  it('still records the calls in flight, and unwatches, when the plan throws', async () => {
    const watched = watchingSink();
    const payloadOf = (call: { seq: number }): Buffer => {
      if (call.seq === 1) throw new Error('no payload for call 1');
      return Buffer.from('{}');
    };
    const err = await runPlan({ runId: 'w2', plan: plan(['/?delay=300', '/']), provider: httpProvider, payloadOf, sink: watched.sink }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('no payload for call 1');
    // Before it threw, call 0's answer was awaited and written: nothing arrives at a closed sink later.
    expect(watched.records.map((r) => [r.seq, r.status])).toEqual([[0, 'ok']]);
    expect([watched.watches, watched.unwatches]).toEqual([1, 1]);
  });
});

describe('runPlan and the old-generation setting', () => {
  const answering: Provider = {
    name: 'answering',
    deploy: async () => undefined,
    invoke: () => Promise.resolve({ status: 'ok', httpStatus: 200, payload: Buffer.alloc(0), errorClass: null, facts: NO_FACTS }),
    updateConfiguration: async () => undefined,
    remove: async () => undefined,
    close: async () => undefined,
  };
  const load = (count: number): LoadPlan =>
    planOf({ functions: ['f'], count, durationUs: 1_000 }, function* () {
      for (let seq = 0; seq < count; seq++) yield { seq, offsetUs: seq * 10, fn: 'f', payload: { event: {} }, phase: 'measure' };
    });
  const written: InvocationRecord[] = [];
  const sink: RecordSink = { write: (r) => void written.push(r) };

  it('holds it for a load and gives it back when the run ends', async () => {
    holds.splice(0);
    written.splice(0);
    const outcome = await runPlan({ runId: 'g1', plan: load(100), provider: answering, payloadOf: () => Buffer.from('{}'), sink });
    expect([outcome.status, written.length]).toEqual(['completed', 100]);
    expect(holds).toEqual(['hold', 'release']);
  });

  it('leaves it alone for a probe, and for a caller that holds it itself', async () => {
    holds.splice(0);
    await runPlan({ runId: 'g2', plan: load(3), provider: answering, payloadOf: () => Buffer.from('{}'), sink });
    await runPlan({ runId: 'g3', plan: load(100), provider: answering, payloadOf: () => Buffer.from('{}'), sink, holdOldGeneration: false });
    expect(holds).toEqual([]);
  });
});
