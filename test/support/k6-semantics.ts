/**
 * k6's documented executor semantics, written out apart from faasbench's exporter
 * (src/workload/k6-stages.ts) so the tests check one against the other:
 * - ramping-arrival-rate: the rate starts at startRate per timeUnit and moves linearly to each
 *   stage's target over the stage's duration; iteration i (1, 2, ...) starts when the area under
 *   the rate reaches i, while the stages last. Whole iterations: floor(area).
 * - constant-arrival-rate: `rate` iterations per timeUnit, evenly spaced from the start, for
 *   `duration`: the first at 0, so ceil(rate x duration / timeUnit).
 * k6Iterations counts in integers (targets x ns), so no float decides a call; k6FloatIterations
 * sums the area as k6's executor does (float64, in the order of lib/executor's cal()), so a test
 * also sees k6's own rounding.
 */
import { expect } from 'vitest';

const UNIT_NS: Record<string, bigint> = { h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };

export type K6Scenario = Record<string, unknown> & { executor: string; timeUnit?: string };
export type K6Stage = { duration: string; target: number };

/** A Go duration ("1m30s", "4.5s", "250ms") in ns, exactly. */
export function goDurationNs(text: string): bigint {
  expect(text).toMatch(/^(?:\d+(?:\.\d+)?(?:h|ms|us|ns|m|s))+$/);
  let ns = 0n;
  for (const [, whole, fraction = '', unit] of text.matchAll(/(\d+)(?:\.(\d+))?(ms|us|ns|h|m|s)/g)) {
    const scale = UNIT_NS[unit!]!;
    ns += BigInt(whole!) * scale + (BigInt(fraction || '0') * scale) / 10n ** BigInt(fraction.length);
  }
  return ns;
}

/** Iterations k6 starts for an arrival-rate scenario. */
export function k6Iterations(scenario: K6Scenario): number {
  const unitNs = goDurationNs(scenario.timeUnit ?? '1s');
  if (scenario.executor === 'constant-arrival-rate') {
    const scaled = BigInt(scenario.rate as number) * goDurationNs(scenario.duration as string);
    return Number((scaled + unitNs - 1n) / unitNs);
  }
  expect(scenario.executor).toBe('ramping-arrival-rate');
  let from = BigInt(scenario.startRate as number);
  let doubledArea = 0n;
  for (const stage of scenario.stages as K6Stage[]) {
    expect(Number.isSafeInteger(stage.target) && stage.target >= 0).toBe(true);
    doubledArea += (from + BigInt(stage.target)) * goDurationNs(stage.duration);
    from = BigInt(stage.target);
  }
  return Number(doubledArea / (2n * unitNs));
}

/** Iterations a ramping-arrival-rate scenario starts with the area summed in float64 as k6 sums it. */
export function k6FloatIterations(scenario: K6Scenario): number {
  const unitNs = Number(goDurationNs(scenario.timeUnit ?? '1s'));
  let from = (scenario.startRate as number) / unitNs;
  let endCount = 0;
  for (const stage of scenario.stages as K6Stage[]) {
    const to = stage.target / unitNs;
    const dur = Number(goDurationNs(stage.duration));
    endCount += from !== to ? dur * ((to - from) / 2 + from) : dur * to;
    from = to;
  }
  // Iteration i starts while i <= endCount, for i = 1, 2, ...
  return Math.floor(endCount);
}
