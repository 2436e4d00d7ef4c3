/**
 * How many calls a plan will have in flight at once, before it runs: the connections a provider
 * opens ahead of offset 0. It is the plan's peak rate times an expected latency, read as the most
 * calls planned within any one latency-long window; the latency is a guess (nothing is invoked to
 * learn it), so the pool still grows on demand past it and the guess only has to cover the start.
 */
import type { LoadPlan } from '../core/load-plan.ts';

/** A FaaS call's latency on a warm instance, give or take: tens of ms. */
export const EXPECTED_LATENCY_US = 20_000;
/** The plan's head that is read: the first seconds are what the connections opened ahead serve. */
const SCAN_CALLS = 20_000;

export function expectedInFlight(plan: LoadPlan, maxInFlight: number): number {
  if (plan.closedLoop) return Math.min(1, maxInFlight);
  const offsets = new Float64Array(SCAN_CALLS);
  let n = 0;
  let tail = 0;
  let peak = 0;
  for (const call of plan) {
    offsets[n] = call.offsetUs;
    while (offsets[tail]! <= call.offsetUs - EXPECTED_LATENCY_US) tail++;
    peak = Math.max(peak, n - tail + 1);
    if (++n === SCAN_CALLS) break;
  }
  // The mean over the whole plan, when known, covers a head quieter than the rest.
  const mean = plan.count !== undefined && plan.durationUs ? Math.ceil((plan.count / plan.durationUs) * EXPECTED_LATENCY_US) : 0;
  return Math.min(maxInFlight, Math.max(peak, mean));
}
