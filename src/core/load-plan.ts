/**
 * LoadPlan: the time-ordered stream of planned invocations everything upstream of the invoker
 * produces (DESIGN.md §1). Plans are pure: offsets are computed, never waited for, and a plan is
 * a lazy iterable so a ten-million-call replay never sits in memory.
 */

export type Phase = 'warmup' | 'measure';

export interface PlannedInvocation {
  /** Position in the plan, from 0; stable across runs of the same plan, so shards can split it. */
  readonly seq: number;
  /** When to send, in µs after the run's start. Non-decreasing along the plan. */
  readonly offsetUs: number;
  readonly fn: string;
  /** The event, or a named input of the function resolved before the run starts. */
  readonly payload: { readonly event: unknown } | { readonly input: string };
  readonly phase: Phase;
  readonly tag?: string;
}

export interface LoadPlan {
  /** Functions the plan calls, so they can be deployed before it starts. */
  readonly functions: readonly string[];
  /** Planned calls in total, when known without iterating (patterns know; streams may not). */
  readonly count?: number;
  /** Offset of the last call, µs, when known. */
  readonly durationUs?: number;
  /**
   * Closed loop (`sequential`): one call in flight; call k+1 goes at the later of its offset and
   * the completion of call k plus gapUs. Absent: open loop, every call at its offset.
   */
  readonly closedLoop?: { readonly gapUs: number };
  /** Iterating twice yields the same plan. */
  [Symbol.iterator](): Iterator<PlannedInvocation>;
}

/** A plan from a generator function, re-run on each iteration. */
export function planOf(meta: Omit<LoadPlan, typeof Symbol.iterator>, generate: () => Generator<PlannedInvocation>): LoadPlan {
  return { ...meta, [Symbol.iterator]: generate };
}

/** The invocations of shard `index` of `total`: every total-th call, so each shard spans the whole run. */
export function shardOf(plan: LoadPlan, index: number, total: number): LoadPlan {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(index) || index < 0 || index >= total) {
    throw new RangeError(`shard ${index}/${total}: expected 0 <= i < n`);
  }
  if (plan.closedLoop && total > 1) {
    // Each call waits for the previous one: split across processes it would no longer be a loop.
    throw new RangeError(`shard ${index}/${total}: a closed-loop (sequential) plan cannot be sharded`);
  }
  const count = plan.count === undefined ? undefined : Math.floor(plan.count / total) + (index < plan.count % total ? 1 : 0);
  return planOf({ functions: plan.functions, ...(count === undefined ? {} : { count }), ...(plan.durationUs === undefined ? {} : { durationUs: plan.durationUs }) }, function* () {
    for (const call of plan) if (call.seq % total === index) yield call;
  });
}
