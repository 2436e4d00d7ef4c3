// The profiler against a scripted provider: warm-up calls discarded, facts turned into
// percentiles, fallbacks and failures reported, and Ctrl-C leaving no half profile.
import { describe, expect, it } from 'vitest';
import { NO_FACTS, type PlatformFacts } from '../core/invocation-record.ts';
import type { InvokeResult, Provider } from '../core/provider.ts';
import { profileCandidates, type ProfileProgress } from './profiler.ts';

type Answer = { status?: InvokeResult['status']; errorClass?: string | null; facts?: Partial<PlatformFacts> };

/** Answers each function's calls from its script, in order; records what was called. */
function scriptedProvider(scripts: Record<string, Answer[]>, onCall?: (fn: string) => void): Provider & { calls: Array<[string, string]> } {
  const calls: Array<[string, string]> = [];
  const next = new Map<string, number>();
  return {
    name: 'scripted',
    calls,
    deploy: () => Promise.resolve(),
    async invoke(fn, payload) {
      calls.push([fn, payload.toString()]);
      onCall?.(fn);
      const i = next.get(fn) ?? 0;
      next.set(fn, i + 1);
      const answer = scripts[fn]![i];
      if (!answer) throw new Error(`${fn}: no answer scripted for call ${i}`);
      const status = answer.status ?? 'ok';
      return { status, httpStatus: status === 'ok' ? 200 : status === 'transport-error' ? null : 500, payload: Buffer.from('{}'), errorClass: answer.errorClass ?? null, facts: { ...NO_FACTS, ...answer.facts } };
    },
    updateConfiguration: () => Promise.resolve(),
    remove: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

const ok = (durationMs: number | null, maxMemoryMb: number | null): Answer => ({ facts: { durationMs, maxMemoryMb } });

describe('profileCandidates', () => {
  it('calls each candidate warm-up then measured times, in order, with its payload, reporting progress', async () => {
    const provider = scriptedProvider({ a: [ok(900, 500), ok(10, 60), ok(30, 62)], b: [ok(5000, 900), ok(1, 100), ok(3, 100)] });
    const progress: ProfileProgress[] = [];
    await profileCandidates({
      provider,
      candidates: [
        { id: 'fa:test', fn: 'a', payload: Buffer.from('"A"') },
        { id: 'fb:small', fn: 'b', payload: Buffer.from('"B"') },
      ],
      calls: 2,
      warmup: 1,
      onProgress: (p) => progress.push(p),
    });
    expect(provider.calls).toEqual([['a', '"A"'], ['a', '"A"'], ['a', '"A"'], ['b', '"B"'], ['b', '"B"'], ['b', '"B"']]);
    const a = { candidate: 'fa:test', index: 0, total: 2 };
    expect(progress.slice(0, 4)).toEqual([
      { ...a, phase: 'warmup', done: 0, of: 1, errors: 0 },
      { ...a, phase: 'measure', done: 0, of: 2, errors: 0 },
      { ...a, phase: 'measure', done: 1, of: 2, errors: 0 },
      { ...a, phase: 'measure', done: 2, of: 2, errors: 0 },
    ]);
    expect(progress).toHaveLength(8);
    expect(progress[7]).toEqual({ candidate: 'fb:small', index: 1, total: 2, phase: 'measure', done: 2, of: 2, errors: 0 });
  });

  it('profiles each candidate from its answered calls', async () => {
    const provider = scriptedProvider({
      a: [ok(900, 500), ok(10, 60), ok(30, 62), ok(20, 61), ok(40, 70)],
      b: [ok(5000, 900), ok(1, 100), ok(3, 100), ok(2, 100), ok(4, 100)],
    });
    const run = await profileCandidates({
      provider,
      candidates: [
        { id: 'fa:test', fn: 'a', payload: Buffer.from('{}') },
        { id: 'fb:small', fn: 'b', payload: Buffer.from('{}') },
      ],
      calls: 4,
      warmup: 1,
    });
    expect(Object.keys(run.profile)).toEqual(['fa:test', 'fb:small']);
    const a = run.profile['fa:test']!;
    // [10, 20, 30, 40] and [60, 61, 62, 70]: the cold 900 ms / 500 MB call is not in them.
    expect([a.duration[0], a.duration[50], a.duration[75], a.duration[100]]).toEqual([10, 25, 32.5, 40]);
    expect([a.memory[0], a.memory[75], a.memory[100]]).toEqual([60, 64, 70]);
    expect(run.profile['fb:small']!.duration[100]).toBe(4);
    expect(run.outcomes.map((o) => [o.id, o.calls, o.ok, o.latencyFallbacks, o.memoryMissing])).toEqual([
      ['fa:test', 4, 4, 0, 0],
      ['fb:small', 4, 4, 0, 0],
    ]);
    expect(run.messages).toEqual([]);
    expect(run.interrupted).toBe(false);
  });

  it('falls back to client latency when the provider gives no duration, and says so', async () => {
    const provider = scriptedProvider({ a: [ok(null, null), ok(null, null)] });
    const run = await profileCandidates({ provider, candidates: [{ id: 'fa:test', fn: 'a', payload: Buffer.from('{}') }], calls: 2, warmup: 0 });
    const profile = run.profile['fa:test']!;
    expect(profile.duration[0]).toBeGreaterThan(0);
    expect(profile.duration[0]).toBeLessThan(1000);
    expect(new Set(profile.memory)).toEqual(new Set([0]));
    expect(run.messages).toEqual([
      'fa:test: the provider reported no duration for 2 of 2 answered calls; their client latency (which includes the round trip) stands in',
      'fa:test: the provider reported no max memory; memory percentiles are 0',
    ]);
  });

  it('counts failures by class, keeps a partly failing candidate and leaves out one whose calls all fail', async () => {
    const crash: Answer = { status: 'function-error', errorClass: 'Runtime.ExitError' };
    const provider = scriptedProvider({
      a: [crash, ok(10, 50), crash, ok(20, 52), { status: 'throttled', errorClass: 'TooManyRequestsException' }],
      b: [ok(1, 1), crash, crash, { status: 'transport-error' }, crash],
    });
    const run = await profileCandidates({
      provider,
      candidates: [
        { id: 'fa:test', fn: 'a', payload: Buffer.from('{}') },
        { id: 'fb:test', fn: 'b', payload: Buffer.from('{}') },
      ],
      calls: 4,
      warmup: 1,
    });
    expect(Object.keys(run.profile)).toEqual(['fa:test']);
    expect(run.profile['fa:test']!.duration[50]).toBe(15);
    expect(run.outcomes.map((o) => [o.id, o.ok, o.errors])).toEqual([
      ['fa:test', 2, { 'Runtime.ExitError': 1, TooManyRequestsException: 1 }],
      ['fb:test', 0, { 'Runtime.ExitError': 3, 'transport-error': 1 }],
    ]);
    expect(run.messages).toEqual([
      'fa:test: 2 of 4 calls failed (Runtime.ExitError x1, TooManyRequestsException x1); percentiles are of the 2 that answered',
      'fb:test: all 4 calls failed (Runtime.ExitError x3, transport-error x1); left out of the profile',
    ]);
  });

  it('stops at an abort and keeps only the candidates it finished', async () => {
    const controller = new AbortController();
    let bCalls = 0;
    const provider = scriptedProvider({ a: [ok(1, 1), ok(2, 2)], b: [ok(1, 1), ok(2, 2)], c: [ok(1, 1), ok(2, 2)] }, (fn) => {
      if (fn === 'b' && ++bCalls === 1) controller.abort();
    });
    const run = await profileCandidates({
      provider,
      candidates: ['a', 'b', 'c'].map((fn) => ({ id: `f${fn}:test`, fn, payload: Buffer.from('{}') })),
      calls: 2,
      warmup: 0,
      signal: controller.signal,
    });
    expect(run.interrupted).toBe(true);
    expect(Object.keys(run.profile)).toEqual(['fa:test']);
    expect(provider.calls.map(([fn]) => fn)).toEqual(['a', 'a', 'b']);
  });
});
