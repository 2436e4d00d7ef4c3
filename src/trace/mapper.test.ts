// The mapper on made-up functions: log-space distance with floors, the optimal one-to-one
// assignment where nearest and greedy are wrong, rectangular cases, the fallback, max-error.
import { describe, expect, it } from 'vitest';
import { logDistance, mapTrace, relativeError } from './mapper.ts';
import type { Profile, ProxyProfile } from './profile.ts';
import type { TraceFunction } from './trace-function.ts';

/** A trace function whose every percentile is its p75 (only p75 matters here). */
function traceFn(fn: string, durationMs: number, memoryMb: number): TraceFunction {
  const d = { 0: durationMs, 1: durationMs, 25: durationMs, 50: durationMs, 75: durationMs, 99: durationMs, 100: durationMs };
  const m = { 1: memoryMb, 5: memoryMb, 25: memoryMb, 50: memoryMb, 75: memoryMb, 95: memoryMb, 99: memoryMb, 100: memoryMb };
  return {
    key: { owner: 'o', app: 'a', fn },
    trigger: 'http',
    counts: new Uint32Array([1, 2]),
    duration: { averageMs: durationMs, count: 3, minimumMs: durationMs, maximumMs: durationMs, percentilesMs: d },
    memory: { sampleCount: 1, averageMb: memoryMb, percentilesMb: m },
    line: 2,
  };
}

/** A proxy whose p75s are the given figures (the other percentiles around them). */
function proxy(durationMs: number, memoryMb: number): ProxyProfile {
  const around = (p75: number): number[] => Array.from({ length: 101 }, (_, p) => (p < 75 ? p75 * 0.5 : p === 75 ? p75 : p75 * 2));
  return { duration: around(durationMs), memory: around(memoryMb) };
}

const dec = (exponent: number): number => 10 ** exponent;

/** Every one-to-one assignment of rows to columns, the cheapest total: the check on munkres. */
function bruteForce(cost: number[][]): number {
  const rows = cost.length;
  let best = Infinity;
  const walk = (row: number, used: Set<number>, sum: number): void => {
    if (row === rows) {
      best = Math.min(best, sum);
      return;
    }
    for (let col = 0; col < cost[0]!.length; col++) {
      if (used.has(col)) continue;
      used.add(col);
      walk(row + 1, used, sum + cost[row]![col]!);
      used.delete(col);
    }
  };
  walk(0, new Set(), 0);
  return best;
}

const total = (distances: readonly number[]): number => distances.reduce((a, b) => a + b, 0);

describe('logDistance', () => {
  it('is Euclidean in (log10 MB, log10 ms)', () => {
    expect(logDistance({ durationMs: 10, memoryMb: 10 }, { durationMs: 1000, memoryMb: 1000 })).toBeCloseTo(Math.SQRT2 * 2, 12);
    expect(logDistance({ durationMs: 1, memoryMb: 1000 }, { durationMs: 1000, memoryMb: 1 })).toBeCloseTo(Math.sqrt(18), 12);
    expect(logDistance({ durationMs: 20, memoryMb: 128 }, { durationMs: 2000, memoryMb: 128 })).toBeCloseTo(2, 12);
  });

  it('floors zeros and sub-unit figures at 1 ms and 1 MB', () => {
    expect(logDistance({ durationMs: 0, memoryMb: 0 }, { durationMs: 0.5, memoryMb: 0.2 })).toBe(0);
    expect(logDistance({ durationMs: 0, memoryMb: 100 }, { durationMs: 10, memoryMb: 100 })).toBe(1);
    expect(Number.isFinite(logDistance({ durationMs: 0, memoryMb: 0 }, { durationMs: 1e6, memoryMb: 1e4 }))).toBe(true);
  });

  it('relative errors are null for a zero trace figure', () => {
    expect([relativeError(150, 100), relativeError(50, 100), relativeError(3, 0)]).toEqual([0.5, 0.5, null]);
  });
});

describe('mapTrace', () => {
  // One memory for all; log10 durations: proxies at 1, 2, 3; trace functions at 1.9, 2.1, 2.9.
  // Nearest sends 1.9 and 2.1 both to 2; greedy in order pays 0.1 + 0.9 + 1.9 = 2.9; the
  // optimum is 1.9->1, 2.1->2, 2.9->3: 0.9 + 0.1 + 0.1 = 1.1.
  const profile: Profile = { 'fast:test': proxy(10, 128), 'mid:test': proxy(100, 128), 'slow:test': proxy(1000, 128) };
  const functions = [traceFn('f1', dec(1.9), 128), traceFn('f2', dec(2.1), 128), traceFn('f3', dec(2.9), 128)];

  it('--unique finds the optimal 3x3 assignment where nearest and greedy do not', () => {
    const { mapping, messages } = mapTrace(functions, profile, { unique: true, maxError: null });
    expect(mapping.method).toBe('unique');
    expect(messages).toEqual([]);
    expect(mapping.entries.map((e) => [e.key.fn, e.proxy])).toEqual([
      ['f1', 'fast:test'],
      ['f2', 'mid:test'],
      ['f3', 'slow:test'],
    ]);
    expect(mapping.entries.map((e) => e.distance)).toEqual([expect.closeTo(0.9, 12), expect.closeTo(0.1, 12), expect.closeTo(0.1, 12)]);
    expect(total(mapping.entries.map((e) => e.distance))).toBeCloseTo(1.1, 12);
    const cost = functions.map((_, i) => ['fast:test', 'mid:test', 'slow:test'].map((id) => logDistance({ durationMs: dec([1.9, 2.1, 2.9][i]!), memoryMb: 128 }, { durationMs: profile[id]!.duration[75]!, memoryMb: 128 })));
    expect(bruteForce(cost)).toBeCloseTo(1.1, 12);
  });

  it('nearest lets two functions share a proxy, and records each pair with its errors', () => {
    const { mapping } = mapTrace(functions, profile, { unique: false, maxError: null });
    expect(mapping.method).toBe('nearest');
    expect(mapping.maxError).toBeNull();
    expect(mapping.entries.map((e) => e.proxy)).toEqual(['mid:test', 'mid:test', 'slow:test']);
    expect(total(mapping.entries.map((e) => e.distance))).toBeCloseTo(0.3, 12);
    const [first] = mapping.entries;
    expect(first).toEqual({
      key: { owner: 'o', app: 'a', fn: 'f1' },
      trigger: 'http',
      traceDurationP75Ms: dec(1.9),
      traceMemoryP75Mb: 128,
      proxy: 'mid:test',
      proxyDurationP75Ms: 100,
      proxyMemoryP75Mb: 128,
      durationError: (100 - dec(1.9)) / dec(1.9),
      memoryError: 0,
      distance: expect.closeTo(0.1, 12),
    });
  });

  it('--unique with fewer trace functions than proxies leaves the worst proxies out (rectangular)', () => {
    const { mapping } = mapTrace([traceFn('f1', dec(1.9), 128), traceFn('f2', dec(2.1), 128)], profile, { unique: true, maxError: null });
    expect(mapping.method).toBe('unique');
    expect(mapping.entries.map((e) => e.proxy)).toEqual(['fast:test', 'mid:test']);
    expect(total(mapping.entries.map((e) => e.distance))).toBeCloseTo(1.0, 12);
  });

  it('--unique agrees with brute force on a 2-D 4x6 case', () => {
    const wide: Profile = {
      'a:test': proxy(5, 40),
      'b:test': proxy(80, 300),
      'c:test': proxy(700, 90),
      'd:test': proxy(30, 1500),
      'e:small': proxy(2500, 600),
      'f:small': proxy(12, 160),
    };
    const fns = [traceFn('g1', 60, 200), traceFn('g2', 45, 250), traceFn('g3', 900, 120), traceFn('g4', 9, 70)];
    const { mapping } = mapTrace(fns, wide, { unique: true, maxError: null });
    expect(new Set(mapping.entries.map((e) => e.proxy)).size).toBe(4);
    const ids = Object.keys(wide).sort();
    const cost = fns.map((fn) => ids.map((id) => logDistance({ durationMs: fn.duration.percentilesMs[75], memoryMb: fn.memory.percentilesMb[75] }, { durationMs: wide[id]!.duration[75]!, memoryMb: wide[id]!.memory[75]! })));
    expect(total(mapping.entries.map((e) => e.distance))).toBeCloseTo(bruteForce(cost), 12);
    expect(mapping.entries.map((e) => e.proxy)).toEqual(['b:test', 'f:small', 'c:test', 'a:test']);
  });

  it('--unique with more trace functions than proxies falls back to nearest and says so', () => {
    const four = [...functions, traceFn('f4', dec(0.5), 128)];
    const { mapping, messages } = mapTrace(four, profile, { unique: true, maxError: null });
    expect(mapping.method).toBe('nearest (unique needs at least as many proxies as trace functions: 4 > 3)');
    expect(messages).toEqual(['--unique: 4 trace functions but 3 proxies, so no one-to-one mapping exists; each function was mapped to its nearest proxy instead']);
    expect(mapping.entries.map((e) => e.proxy)).toEqual(['mid:test', 'mid:test', 'slow:test', 'fast:test']);
  });

  it('maps zero-duration and zero-memory functions as if they took 1 ms and 1 MB, with null errors', () => {
    const small: Profile = { 'tiny:test': proxy(0.4, 1), 'quick:test': proxy(3, 1), 'big:test': proxy(3, 512) };
    const { mapping } = mapTrace([traceFn('z', 0, 0), traceFn('y', 0, 512)], small, { unique: false, maxError: null });
    expect(mapping.entries.map((e) => [e.proxy, e.distance, e.durationError, e.memoryError])).toEqual([
      ['tiny:test', 0, null, null],
      ['big:test', expect.closeTo(Math.log10(3), 12), null, 0],
    ]);
  });

  it('--max-error replaces proxies off by more than it with synthetic at the trace figures', () => {
    const fns = [traceFn('ok', 110, 128), traceFn('far', 300, 200), traceFn('zero', 0, 128), traceFn('zero-fast', 0, 1)];
    const mixed: Profile = { 'mid:test': proxy(100, 128), 'sub:test': proxy(0.5, 1) };
    const { mapping } = mapTrace(fns, mixed, { unique: false, maxError: 0.4 });
    expect(mapping.maxError).toBe(0.4);
    expect(mapping.entries.map((e) => [e.key.fn, e.proxy, e.proxyDurationP75Ms, e.proxyMemoryP75Mb, e.durationError, e.memoryError, e.distance])).toEqual([
      // |100 - 110| / 110 = 0.09: kept.
      ['ok', 'mid:test', 100, 128, 10 / 110, 0, expect.closeTo(Math.log10(110 / 100), 12)],
      // |100 - 300| / 300 = 0.67 > 0.4: synthetic with the trace's 300 ms / 200 MB.
      ['far', 'synthetic', 300, 200, 0, 0, 0],
      // 0 ms in the trace has no relative error; a proxy taking >= 1 ms (mid, 2.0 away; sub is 2.1)
      // is replaced...
      ['zero', 'synthetic', 0, 128, 0, 0, 0],
      // ...one under 1 ms is as good as 0 and kept.
      ['zero-fast', 'sub:test', 0.5, 1, null, 0, 0],
    ]);
  });

  it('an error exactly at --max-error is kept', () => {
    const { mapping } = mapTrace([traceFn('edge', 80, 128)], { 'mid:test': proxy(100, 128) }, { unique: false, maxError: 0.25 });
    expect(mapping.entries[0]!.proxy).toBe('mid:test');
    expect(mapping.entries[0]!.durationError).toBe(0.25);
  });

  it('breaks ties by proxy id, whatever the order of the profile', () => {
    const twins: Profile = { 'b:test': proxy(100, 128), 'a:test': proxy(100, 128) };
    expect(mapTrace([traceFn('f', 50, 128)], twins, { unique: false, maxError: null }).mapping.entries[0]!.proxy).toBe('a:test');
  });
});
