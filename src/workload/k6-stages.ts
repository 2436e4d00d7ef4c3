/**
 * A rate curve as k6's arrival-rate executors take it. k6's rates are whole numbers of iterations
 * per `timeUnit`, its durations Go duration strings, and its `ramping-arrival-rate` moves the rate
 * linearly from the previous stage's target (or `startRate`) to each stage's target over the
 * stage's duration. So a ramp segment is one stage, a step is a stage of `0s` (the rate jumps; no
 * time, no calls), and a held rate is a stage whose target equals the rate already reached.
 *
 * How many iterations k6 starts (its executors' documented semantics, and lib/executor's code):
 * - ramping-arrival-rate starts iteration i (i = 1, 2, ...) when the curve's area reaches i, while
 *   the stages last: floor(area), the last one exactly at the curve's end when the area is whole.
 *   faasbench's uniform plan sends call k when the area passes k (k = 0, 1, ...): ceil(area). So
 *   the exported stages end with a tail of 0.999 calls: 1 call/s for 999 ms. floor(area + 0.999)
 *   is ceil(area) for every area that is whole or has a fraction of 0.001 or more (k6Scenario
 *   warns about the rest); the call due at the curve's very end still goes out (a real scenario
 *   ends a moment before its nominal end: k6 takes its start time before it allocates VUs); and
 *   k6's float sums (a whole area of 5,400 adds up to 5,399.999999999999 in jump's stages) cannot
 *   cost a call.
 * - constant-arrival-rate starts iterations at 0, 1/rate, 2/rate, ... before its duration ends:
 *   ceil(rate × duration) of them, as faasbench's uniform plan does.
 */
import type { RateSegment } from './rate-curve.ts';

export interface K6Stage {
  readonly duration: string;
  readonly target: number;
}

export interface RampingStages {
  readonly startRate: number;
  readonly stages: readonly K6Stage[];
}

const NS_PER_US = 1e3;
const NS_PER_S = 1e9;

/** The tail after the curve: TAIL_RATE calls/s for TAIL_NS, an area of 0.999 calls. */
export const TAIL_RATE = 1;
export const TAIL_NS = 999e6;
/** The calls the tail adds to the area. */
export const TAIL_CALLS = (TAIL_RATE * TAIL_NS) / NS_PER_S;

/** Whole nanoseconds as a Go duration k6 parses: `20m`, `1m30s`, `4.5s`, `250ms`, `1500us`, `0s`. */
export function k6Duration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < NS_PER_S) return ns % 1e6 === 0 ? `${ns / 1e6}ms` : ns % 1e3 === 0 ? `${ns / 1e3}us` : `${ns}ns`;
  const hours = Math.floor(ns / 3600e9);
  const minutes = Math.floor((ns % 3600e9) / 60e9);
  const secondsNs = ns % 60e9;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${secondsNs ? `${seconds(secondsNs)}s` : ''}`;
}

/** Whole ns as decimal seconds, written exactly (no float formatting). */
function seconds(ns: number): string {
  const fraction = ns % NS_PER_S;
  const whole = String((ns - fraction) / NS_PER_S);
  return fraction === 0 ? whole : `${whole}.${String(fraction).padStart(9, '0').replace(/0+$/, '')}`;
}

/** Go duration text back to whole nanoseconds (the forms k6Duration writes, and sums such as `1h2m`). */
export function k6DurationNs(text: string): number {
  const unitNs: Record<string, number> = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6, us: 1e3, ns: 1 };
  let ns = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g)) ns += Math.round(Number(amount) * unitNs[unit!]!);
  return ns;
}

const isWhole = (value: number): boolean => Math.abs(value - Math.round(value)) <= 1e-9 * Math.max(1, Math.abs(value));

/**
 * The time unit, in whole seconds, in which every rate is a whole number of iterations: 1s, 1m or
 * 1h when one fits (they read best), else the first whole second that does (0.2/s: 5s), else 1h
 * with the rates rounded (`exact: false`).
 */
export function chooseTimeUnit(rates: readonly number[]): { readonly seconds: number; readonly exact: boolean } {
  const fits = (seconds: number): boolean => rates.every((rate) => isWhole(rate * seconds));
  for (const seconds of [1, 60, 3600]) if (fits(seconds)) return { seconds, exact: true };
  for (let seconds = 2; seconds < 3600; seconds++) if (fits(seconds)) return { seconds, exact: true };
  return { seconds: 3600, exact: false };
}

/** Calls/s as whole iterations per time unit. */
export const perUnit = (rate: number, unitS: number): number => Math.round(rate * unitS);

/**
 * Segment boundaries in whole ns, rounded from the cumulative µs so that rounding never adds up:
 * the stages end where the curve ends.
 */
function durationsNs(segments: readonly RateSegment[]): number[] {
  let startUs = 0;
  let startNs = 0;
  return segments.map((segment) => {
    startUs += segment.durationUs;
    const endNs = Math.round(startUs * NS_PER_US);
    const ns = endNs - startNs;
    startNs = endNs;
    return ns;
  });
}

/** The curve as ramping-arrival-rate stages: a `0s` stage for each step, then the tail. */
export function rampingStages(segments: readonly RateSegment[], unitS: number): RampingStages {
  const startRate = perUnit(segments[0]?.fromRate ?? 0, unitS);
  const stages: K6Stage[] = [];
  let current = startRate;
  const durations = durationsNs(segments);
  segments.forEach((segment, i) => {
    const from = perUnit(segment.fromRate, unitS);
    if (from !== current) stages.push({ duration: '0s', target: from });
    const to = perUnit(segment.toRate, unitS);
    stages.push({ duration: k6Duration(durations[i]!), target: to });
    current = to;
  });
  const tail = perUnit(TAIL_RATE, unitS);
  if (current !== tail) stages.push({ duration: '0s', target: tail });
  stages.push({ duration: k6Duration(TAIL_NS), target: tail });
  return { startRate, stages };
}

/**
 * Iterations k6 starts for these stages: floor of their area, computed in whole numbers (targets
 * per unit × ns) so no float rounding decides a call.
 */
export function rampingIterations(ramping: RampingStages, unitS: number): number {
  let doubled = 0n; // Σ (from + to) × ns: twice the area in iterations × unit ns
  let from = BigInt(ramping.startRate);
  for (const stage of ramping.stages) {
    const to = BigInt(stage.target);
    doubled += (from + to) * BigInt(k6DurationNs(stage.duration));
    from = to;
  }
  return Number(doubled / (2n * BigInt(unitS * NS_PER_S)));
}

/** Iterations k6's constant-arrival-rate starts: at k × unit/rate for every k with that before the duration. */
export function constantIterations(rate: number, unitS: number, durationNs: number): number {
  const numerator = BigInt(rate) * BigInt(durationNs);
  const unitNs = BigInt(unitS * NS_PER_S);
  return Number((numerator + unitNs - 1n) / unitNs);
}
