/**
 * Which instance served a call, from the platform when it says (the local platform's instance id)
 * or else from the function's own answer. Real Lambda never names the execution environment, so
 * through the aws-lambda provider every record's instanceId is null; the workload functions name
 * it themselves:
 * - measure (functions/measure-*), when asked for `stat`: `exist_id`, a uuid kept in the
 *   instance's own /tmp, and `new_id === exist_id` on the instance's first call;
 * - lab (functions/lab-*): `identifier` (its cgroup, or the VM's boot id and host name) and `cold`
 *   (its first call). Without per-instance cgroups on the local platform every lab instance shows
 *   the host's cgroup, so measure's ids are the ones to count instances with there.
 * Every experiment that counts instances or cold starts reads them here and says which source it used.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';

/** platform: the record's instance id; function: the id the function reported; none: neither. */
export type InstanceSource = 'platform' | 'function' | 'none';

export interface ReportedIdentity {
  /** The instance as the function names it, stable for the instance's life. */
  readonly id: string;
  /** The call was the instance's first; null when the function does not say. */
  readonly fresh: boolean | null;
}

/** The identity in a measure (`stat`) or lab answer, or null when the answer carries none. */
export function reportedIdentity(response: unknown): ReportedIdentity | null {
  if (typeof response !== 'object' || response === null) return null;
  const { stat, identifier, cold } = response as { stat?: unknown; identifier?: unknown; cold?: unknown };
  if (typeof stat === 'object' && stat !== null) {
    const { exist_id: existId, new_id: newId } = stat as Record<string, unknown>;
    if (typeof existId === 'string' && existId !== '' && typeof newId === 'string') return { id: existId, fresh: existId === newId };
  }
  if (typeof identifier === 'string' && identifier !== '') return { id: identifier, fresh: typeof cold === 'boolean' ? cold : null };
  return null;
}

export interface CallInstance {
  readonly id: string | null;
  /** The platform's cold flag where it gives one, else the function's first-call flag. */
  readonly cold: boolean | null;
  readonly source: InstanceSource;
}

/**
 * A call's instance: the platform's id when the record has one, else the one the function reported
 * (`reportedIdentity` of its answer, read as the answer came); cold likewise.
 */
export function callInstance(record: Pick<InvocationRecord, 'instanceId' | 'cold' | 'status'>, identity: ReportedIdentity | null): CallInstance {
  const reported = record.status === 'ok' ? identity : null;
  const cold = record.cold ?? reported?.fresh ?? null;
  if (record.instanceId !== null) return { id: record.instanceId, cold, source: 'platform' };
  if (reported) return { id: reported.id, cold, source: 'function' };
  return { id: null, cold, source: 'none' };
}

/**
 * The source an experiment reports for its instance counts: the one its calls used, platform over
 * function when they mixed (a platform that names some calls' instances and not others is unseen).
 */
export function instanceSource(calls: ReadonlyArray<Pick<CallInstance, 'source'>>): InstanceSource {
  if (calls.some((c) => c.source === 'platform')) return 'platform';
  return calls.some((c) => c.source === 'function') ? 'function' : 'none';
}

/** The note a result carries about where its instance ids came from. */
export function instanceSourceNote(source: InstanceSource, providerName: string): string {
  if (source === 'platform') return `instances counted by the platform's instance ids (${providerName} reports them)`;
  if (source === 'function') return `instances counted by the ids the function reported itself (${providerName} reports no instance id)`;
  return `instances not counted: neither ${providerName} nor the function reported an instance id (use measure-* or lab-*)`;
}
