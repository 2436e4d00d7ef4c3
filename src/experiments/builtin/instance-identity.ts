/**
 * Instance identity as a client sees it, from the measure function's `stat`: the id it keeps in the
 * instance's own temp dir (`exist_id`) names the instance, and `new_id === exist_id` says this call
 * was the instance's first. That works on any platform whose instances have a private /tmp (Lambda,
 * the local platform), with no help from the platform; the lifetime experiments (cold-start,
 * idle-timeout, eviction-model) use it and check it against the platform's ground truth. The ids
 * themselves are read in ../reported-identity.ts, as every experiment reads them.
 */
import { FaasbenchError } from '../../core/errors.ts';
import type { Bench, InvocationOutcome } from '../bench.ts';
import { reportedIdentity } from '../reported-identity.ts';

/** The functions that answer `stat` (functions/measure-*); same input and output in both. */
export const MEASURE_FUNCTIONS = ['measure-node', 'measure-py'] as const;
export type MeasureFunction = (typeof MEASURE_FUNCTIONS)[number];

export interface InstanceIdentity {
  /** The instance's own id (`exist_id`), stable for its whole life. */
  readonly id: string;
  /** True when the call was the instance's first: a new instance, as the client can tell. */
  readonly fresh: boolean;
  /** The cgroup-derived id: the platform's instance id where instances have their own cgroup, else shared. */
  readonly instId: string | null;
  /** measure's `end_time` (epoch ms), when the handler finished. */
  readonly endTimeMs: number | null;
}

/** measure's commands with `stat` added; other commands (sleep, sleep_till...) run before it. */
export function statEvent(cmds: Readonly<Record<string, unknown>> = {}): { cmds: Record<string, unknown> } {
  return { cmds: { ...cmds, stat: { argv: 1 } } };
}

/** The identity in a measure answer, or null when the answer has none (an error, another function). */
export function identityOf(response: unknown): InstanceIdentity | null {
  if (typeof response !== 'object' || response === null) return null;
  const { stat, end_time: endTime } = response as { stat?: unknown; end_time?: unknown };
  if (typeof stat !== 'object' || stat === null) return null;
  // The ids are read where every experiment reads them; only measure's stat counts here.
  const reported = reportedIdentity({ stat });
  if (!reported) return null;
  const { inst_id: instId } = stat as Record<string, unknown>;
  return { id: reported.id, fresh: reported.fresh === true, instId: typeof instId === 'string' ? instId : null, endTimeMs: typeof endTime === 'number' ? endTime : null };
}

/**
 * The identity of a call that must have succeeded: a failed call or an answer without `stat`
 * leaves the experiment nothing to classify, so it stops with what the call said.
 */
export function identify(outcome: InvocationOutcome): InstanceIdentity {
  const { record, response } = outcome;
  const identity = record.status === 'ok' ? identityOf(response) : null;
  if (identity) return identity;
  const said = typeof response === 'string' ? response : JSON.stringify(response);
  const why = record.status === 'ok' ? `answered without measure's stat ids: ${said.slice(0, 200)}` : `failed (${record.status}${record.errorClass ? `, ${record.errorClass}` : ''}): ${said.slice(0, 200)}`;
  throw new FaasbenchError('ServiceUnavailable', `call ${record.seq} of ${record.fn} ${why}`);
}

/**
 * One step of a lifetime experiment. After Ctrl-C a call cut short (or never sent) yields null
 * instead of failing the run, so the experiment still returns the rows it finished.
 */
export async function unlessInterrupted<T>(bench: Bench, step: () => Promise<T>): Promise<T | null> {
  if (bench.signal.aborted) return null;
  try {
    return await step();
  } catch (err) {
    if (bench.signal.aborted) return null;
    throw err;
  }
}
