/**
 * How many calls a plan will have in flight at once, before it runs: the connections a provider
 * opens ahead of offset 0. It is the plan's peak rate times an expected latency, read as the most
 * calls planned within any one latency-long window of the plan's head; the latency is a guess
 * (nothing is invoked to learn it), so the pool still grows on demand past it and the guess only
 * has to cover the start.
 */
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';

/** A FaaS call's latency on a warm instance, give or take: tens of ms. */
export const EXPECTED_LATENCY_US = 20_000;
/** The plan's head that is read: the first seconds are what the connections opened ahead serve. */
export const HEAD_CALLS = 10_000;

export function expectedInFlight(plan: Omit<LoadPlan, typeof Symbol.iterator>, head: readonly PlannedInvocation[], maxInFlight: number): number {
  if (plan.closedLoop) return Math.min(1, maxInFlight);
  let tail = 0;
  let peak = 0;
  for (let n = 0; n < head.length; n++) {
    const offsetUs = head[n]!.offsetUs;
    while (head[tail]!.offsetUs <= offsetUs - EXPECTED_LATENCY_US) tail++;
    peak = Math.max(peak, n - tail + 1);
  }
  // The mean over the whole plan, when known, covers a head quieter than the rest.
  const mean = plan.count !== undefined && plan.durationUs ? Math.ceil((plan.count / plan.durationUs) * EXPECTED_LATENCY_US) : 0;
  return Math.min(maxInFlight, Math.max(peak, mean));
}
