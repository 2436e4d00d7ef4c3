/**
 * Profiles candidate proxies on a provider: each one is called `warmup` times (thrown away: the
 * first call is cold, and a replay mostly meets warm instances), then `calls` times one after
 * another, and the platform's own duration and max memory of each answered call become the
 * candidate's percentiles p0..p100. Calls go out sequentially so candidates never compete for
 * the machine and each measures itself alone.
 */
import { monotonicMs } from '../core/clock.ts';
import type { InvokeResult, Provider } from '../core/provider.ts';
import type { ProxyId } from './mapping.ts';
import { percentiles, type ProxyProfile } from './profile.ts';

export interface Candidate {
  /** `name:input`, the key in profile.json. */
  readonly id: ProxyId;
  /** The deployed function to call. */
  readonly fn: string;
  readonly payload: Buffer;
}

export interface ProfileProgress {
  readonly candidate: ProxyId;
  /** 0-based position of the candidate, of `total`. */
  readonly index: number;
  readonly total: number;
  readonly phase: 'warmup' | 'measure';
  /** Calls made in this phase so far, of `of`. */
  readonly done: number;
  readonly of: number;
  /** Failed measured calls of this candidate so far. */
  readonly errors: number;
}

export interface ProfileSpec {
  readonly provider: Provider;
  readonly candidates: readonly Candidate[];
  readonly calls: number;
  readonly warmup: number;
  readonly onProgress?: (progress: ProfileProgress) => void;
  /** Stops after the call in flight; the result then says `interrupted`. */
  readonly signal?: AbortSignal;
}

export interface CandidateOutcome {
  readonly id: ProxyId;
  readonly fn: string;
  /** Measured calls made (warm-up calls not counted). */
  readonly calls: number;
  readonly ok: number;
  /** Failed measured calls by error class (the provider's errorType, or the status). */
  readonly errors: Readonly<Record<string, number>>;
  /** Answered calls the provider gave no duration for, whose client latency stood in. */
  readonly latencyFallbacks: number;
  /** Answered calls the provider gave no max memory for (left out of the memory series). */
  readonly memoryMissing: number;
  /** Null when every measured call failed: the candidate is left out of the profile. */
  readonly profile: ProxyProfile | null;
}

export interface ProfileRun {
  /** Profiled candidates only, in candidate order. */
  readonly profile: Record<ProxyId, ProxyProfile>;
  readonly outcomes: readonly CandidateOutcome[];
  /** What a person should know: fallbacks taken, failures, candidates left out. */
  readonly messages: readonly string[];
  readonly interrupted: boolean;
}

export async function profileCandidates(spec: ProfileSpec): Promise<ProfileRun> {
  const outcomes: CandidateOutcome[] = [];
  const messages: string[] = [];
  const profile: Record<ProxyId, ProxyProfile> = {};
  for (const [index, candidate] of spec.candidates.entries()) {
    if (spec.signal?.aborted) break;
    const outcome = await profileOne(candidate, index, spec);
    if (outcome === null) break;
    outcomes.push(outcome);
    messages.push(...messagesFor(outcome));
    if (outcome.profile) profile[candidate.id] = outcome.profile;
  }
  return { profile, outcomes, messages, interrupted: spec.signal?.aborted === true };
}

/** Null when interrupted before the candidate's last call: half a profile is no profile. */
async function profileOne(candidate: Candidate, index: number, spec: ProfileSpec): Promise<CandidateOutcome | null> {
  const report = (phase: ProfileProgress['phase'], done: number, of: number, errors: number): void =>
    spec.onProgress?.({ candidate: candidate.id, index, total: spec.candidates.length, phase, done, of, errors });
  for (let i = 0; i < spec.warmup; i++) {
    if (spec.signal?.aborted) return null;
    report('warmup', i, spec.warmup, 0);
    await spec.provider.invoke(candidate.fn, candidate.payload);
  }
  const durations: number[] = [];
  const memory: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  let latencyFallbacks = 0;
  for (let i = 0; i < spec.calls; i++) {
    if (spec.signal?.aborted) return null;
    report('measure', i, spec.calls, failed);
    const sent = monotonicMs();
    const result = await spec.provider.invoke(candidate.fn, candidate.payload);
    const latencyMs = monotonicMs() - sent;
    if (result.status !== 'ok') {
      failed++;
      const errorClass = classOf(result);
      errors[errorClass] = (errors[errorClass] ?? 0) + 1;
      continue;
    }
    if (result.facts.durationMs === null) latencyFallbacks++;
    durations.push(result.facts.durationMs ?? latencyMs);
    if (result.facts.maxMemoryMb !== null) memory.push(result.facts.maxMemoryMb);
  }
  report('measure', spec.calls, spec.calls, failed);
  return {
    id: candidate.id,
    fn: candidate.fn,
    calls: spec.calls,
    ok: durations.length,
    errors,
    latencyFallbacks,
    memoryMissing: durations.length - memory.length,
    // A provider that reports no memory at all gives zeros: every such proxy then sits at the
    // same memory, so the mapper's choice among them falls to duration alone.
    profile: durations.length === 0 ? null : { duration: percentiles(durations), memory: memory.length ? percentiles(memory) : percentiles([0]) },
  };
}

function classOf(result: InvokeResult): string {
  return result.errorClass ?? (result.httpStatus === null ? result.status : `${result.status} (HTTP ${result.httpStatus})`);
}

function messagesFor(o: CandidateOutcome): string[] {
  const messages: string[] = [];
  const failed = o.calls - o.ok;
  const classes = Object.entries(o.errors)
    .map(([errorClass, count]) => `${errorClass} x${count}`)
    .join(', ');
  if (o.profile === null) messages.push(`${o.id}: all ${o.calls} calls failed (${classes}); left out of the profile`);
  else if (failed > 0) messages.push(`${o.id}: ${failed} of ${o.calls} calls failed (${classes}); percentiles are of the ${o.ok} that answered`);
  if (o.latencyFallbacks > 0) messages.push(`${o.id}: the provider reported no duration for ${o.latencyFallbacks} of ${o.ok} answered calls; their client latency (which includes the round trip) stands in`);
  if (o.profile !== null && o.memoryMissing === o.ok) messages.push(`${o.id}: the provider reported no max memory; memory percentiles are 0`);
  else if (o.memoryMissing > 0) messages.push(`${o.id}: the provider reported no max memory for ${o.memoryMissing} of ${o.ok} answered calls; memory percentiles are of the others`);
  return messages;
}
