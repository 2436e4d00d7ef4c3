/**
 * A faasbench plan as one k6 scenario, the executor chosen as a k6 user would:
 * `constant` -> constant-arrival-rate; every other rate pattern (ramp, steady, bursty, spikes,
 * jump, rates) -> ramping-arrival-rate stages (k6-stages.ts); `sequential N` -> per-vu-iterations
 * with one VU (a closed loop, the gap as a sleep); `concurrent N` -> per-vu-iterations with N VUs
 * of one iteration each (a burst). Besides the scenario it says how many calls k6 will start and
 * where that, or the arrivals, differ from the plan.
 */
import type { WorkloadPlan } from './pattern.ts';
import { expectedCalls, uniformCount, type RateSegment } from './rate-curve.ts';
import { chooseTimeUnit, constantIterations, k6Duration, perUnit, rampingIterations, rampingStages, TAIL_CALLS } from './k6-stages.ts';

/** A k6 scenario object, as it goes into `options.scenarios` (JSON). */
export type K6ScenarioObject = Readonly<Record<string, unknown>>;

export interface ScenarioExport {
  readonly scenario: K6ScenarioObject;
  /** Calls k6 starts, from its executors' documented semantics. */
  readonly calls: number;
  /** Calls the plan makes (a Poisson plan: the count of the same curve with even arrivals). */
  readonly planned: number;
  /** Sequential's `--gap`: the script sleeps this long after each call. */
  readonly gapUs: number;
  readonly warnings: readonly string[];
}

export interface ScenarioLimits {
  /** `--max-in-flight`: k6's maxVUs plays the same part (beyond it, calls are dropped and counted). */
  readonly maxInFlight: number;
  /** The client's limit per call, which the script's requests also get. */
  readonly timeoutMs: number;
}

const NS_PER_MS = 1e6;
const NS_PER_US = 1e3;

export function k6Scenario(plan: WorkloadPlan, arrivals: 'uniform' | 'poisson', limits: ScenarioLimits): ScenarioExport {
  const warnings = arrivals === 'poisson' ? [poissonWarning(plan.pattern)] : [];
  if (plan.closedLoop) return closedLoop(plan.count, plan.closedLoop.gapUs, limits, warnings);
  if (!plan.rateCurve) return burst(plan.count, limits, warnings);
  return rateScenario(plan.pattern, plan.rateCurve, limits, warnings);
}

/** A rate curve as an arrival-rate scenario, with how many calls k6 starts for it. */
function rateScenario(pattern: string, curve: readonly RateSegment[], limits: ScenarioLimits, warnings: string[]): ScenarioExport {
  const planned = uniformCount(expectedCalls(curve));
  const unit = chooseTimeUnit(curve.flatMap((s) => [s.fromRate, s.toRate]));
  if (!unit.exact) warnings.push(`k6 takes whole calls per time unit: the rates were rounded to whole calls per hour`);
  const common = { timeUnit: k6Duration(unit.seconds * 1e9), ...vuBounds(curve, limits.maxInFlight), gracefulStop: k6Duration(limits.timeoutMs * NS_PER_MS) };
  const exported = pattern === 'constant' && curve.length === 1 ? constantScenario(curve[0]!, unit.seconds, common) : rampingScenario(curve, unit.seconds, common);
  if (exported.calls !== planned) warnings.push(countWarning(curve, planned, exported.calls));
  return { ...exported, planned, gapUs: 0, warnings };
}

/** N VUs of one call each, all at once; each call may take the whole per-call limit. */
function burst(count: number, limits: ScenarioLimits, warnings: string[]): ScenarioExport {
  const limit = k6Duration(limits.timeoutMs * NS_PER_MS);
  const scenario = { executor: 'per-vu-iterations', vus: count, iterations: 1, maxDuration: limit, gracefulStop: limit };
  return { scenario, calls: count, planned: count, gapUs: 0, warnings };
}

function constantScenario(segment: RateSegment, unitS: number, common: Record<string, unknown>): { scenario: K6ScenarioObject; calls: number } {
  const rate = perUnit(segment.fromRate, unitS);
  const durationNs = Math.round(segment.durationUs * NS_PER_US);
  const { timeUnit, ...rest } = common;
  return { scenario: { executor: 'constant-arrival-rate', rate, timeUnit, duration: k6Duration(durationNs), ...rest }, calls: constantIterations(rate, unitS, durationNs) };
}

function rampingScenario(curve: readonly RateSegment[], unitS: number, common: Record<string, unknown>): { scenario: K6ScenarioObject; calls: number } {
  const ramping = rampingStages(curve, unitS);
  const { timeUnit, ...rest } = common;
  return { scenario: { executor: 'ramping-arrival-rate', startRate: ramping.startRate, timeUnit, stages: ramping.stages, ...rest }, calls: rampingIterations(ramping, unitS) };
}

/**
 * One VU per call in flight: pre-allocated for calls of up to 1 s at the peak rate, up to
 * `--max-in-flight` (k6 starts more VUs while it can, then drops and counts calls, as the invoker does).
 */
function vuBounds(curve: readonly RateSegment[], maxInFlight: number): { preAllocatedVUs: number; maxVUs: number } {
  const peak = Math.max(...curve.flatMap((s) => [s.fromRate, s.toRate]));
  return { preAllocatedVUs: Math.min(maxInFlight, Math.max(1, Math.ceil(peak))), maxVUs: maxInFlight };
}

/** One VU, N iterations; each may take the whole per-call limit and the gap, and k6 must not cut the run short. */
function closedLoop(count: number, gapUs: number, limits: ScenarioLimits, warnings: string[]): ScenarioExport {
  const longestNs = count * (limits.timeoutMs * NS_PER_MS + gapUs * NS_PER_US);
  const scenario = { executor: 'per-vu-iterations', vus: 1, iterations: count, maxDuration: k6Duration(longestNs), gracefulStop: k6Duration(limits.timeoutMs * NS_PER_MS) };
  return { scenario, calls: count, planned: count, gapUs, warnings };
}

function poissonWarning(pattern: string): string {
  return `${pattern} --arrivals poisson cannot be expressed in k6, whose arrival-rate executors space calls evenly: the script follows the plan's rate curve with even arrivals`;
}

function countWarning(curve: readonly RateSegment[], planned: number, calls: number): string {
  const area = expectedCalls(curve);
  const fraction = area - Math.floor(area);
  const why =
    fraction > 0 && fraction < 1 - TAIL_CALLS
      ? `the curve's area is ${area} calls, and k6 starts a call each time the area reaches 1, 2, ... where faasbench sends one each time it passes 0, 1, ...; the ${TAIL_CALLS}-call tail after the curve makes up for that only when the fraction is ${Number((1 - TAIL_CALLS).toFixed(6))} or more`
      : `the rates, as whole calls per time unit, and the stages, in whole nanoseconds, move the curve's area (${Number(area.toFixed(6))} calls)`;
  return `k6 will start ${calls} calls where the plan sends ${planned}: ${why}`;
}
