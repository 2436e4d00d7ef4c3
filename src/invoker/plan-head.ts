/**
 * The first calls of a plan, read before the run to size what it needs, and the plan's calls from
 * the first again for the send loop. The plan is iterated once: a plan may count what it yields
 * (a session renumbering its loads does), so a second pass for a look ahead would be counted.
 */
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';

export interface PlanHead {
  /** Up to `size` calls from the plan's start. */
  readonly head: readonly PlannedInvocation[];
  /** Every call of the plan in order: the head, then the rest. */
  readonly calls: Iterator<PlannedInvocation>;
}

export function readHead(plan: LoadPlan, size: number): PlanHead {
  const rest = plan[Symbol.iterator]();
  const head: PlannedInvocation[] = [];
  let next: IteratorResult<PlannedInvocation> | undefined;
  while (head.length < size && !(next = rest.next()).done) head.push(next.value);
  const ended = next?.done === true;
  return { head, calls: chain(head, ended ? null : rest) };
}

function* chain(head: readonly PlannedInvocation[], rest: Iterator<PlannedInvocation> | null): Generator<PlannedInvocation> {
  yield* head;
  if (rest === null) return;
  for (let next = rest.next(); !next.done; next = rest.next()) yield next.value;
}
