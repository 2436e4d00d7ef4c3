/**
 * How long a running run has gone and how long it has left, for the run page. Load runs store the
 * invoker's own estimate with their progress (`elapsedMs`, `etaMs`: the plan's end for a timed
 * pattern, the rate so far otherwise); experiments store steps done of total, so their ETA is the
 * rate so far. Both were true when written: the time since (`progressAt`) is taken off here.
 */
import type { JsonValue, Run } from '../store/store.ts';

export interface ProgressTiming {
  /** Since the run started (load runs: since its schedule's first call). */
  readonly elapsedMs: number;
  /** Left at this rate; null when nothing is done yet or the total is unknown. */
  readonly etaMs: number | null;
  /** `plan`: the invoker's estimate; `rate`: done so far against the total. */
  readonly source: 'plan' | 'rate' | null;
}

const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Null unless the run is running: a finished run's duration says all. */
export function progressTiming(run: Run, nowMs: number): ProgressTiming | null {
  if (run.status !== 'running') return null;
  const started = Date.parse(run.startedAt);
  if (!Number.isFinite(started)) return null;
  const p = typeof run.progress === 'object' && run.progress !== null && !Array.isArray(run.progress) ? run.progress : null;
  const at = run.progressAt === null ? NaN : Date.parse(run.progressAt);
  const since = Number.isFinite(at) ? Math.max(0, nowMs - at) : 0;
  const storedElapsed = num(p?.elapsedMs);
  const elapsedMs = storedElapsed !== null ? storedElapsed + since : Math.max(0, nowMs - started);
  const storedEta = num(p?.etaMs);
  if (storedEta !== null) return { elapsedMs, etaMs: Math.max(0, storedEta - since), source: 'plan' };
  const [done, total] = [num(p?.done), num(p?.planned) ?? num(p?.total)];
  if (done === null || total === null || done <= 0 || !Number.isFinite(at)) return { elapsedMs, etaMs: null, source: null };
  const elapsedAtReport = Math.max(0, at - started);
  return { elapsedMs, etaMs: Math.max(0, (elapsedAtReport * Math.max(0, total - done)) / done - since), source: 'rate' };
}
