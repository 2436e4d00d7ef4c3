/**
 * The last line of a command whose calls failed: how many of how many, by error class, so an exit
 * code of 1 explains itself (`12 of 400 calls failed: 10 Sandbox.Timedout, 2 TooManyRequestsException`),
 * and a run that had failures never ends on a bare `completed`. Counts are of measured calls, as
 * the summary above it counts them: warm-up calls are left out and the line says how many.
 */
import type { InvocationStatus } from '../core/invocation-record.ts';
import type { RunSummary } from '../analysis/run-summary.ts';

/** What the line is made from: the shape of the summary's counts (RunSummary, CallCounts). */
export interface FailureCounts {
  /** Measured calls. */
  readonly calls: number;
  readonly warmupCalls: number;
  /** Measured calls not ok. */
  readonly failed: number;
  readonly byStatus: Partial<Record<InvocationStatus, number>>;
  /** Measured calls by error class. */
  readonly errorClasses: Readonly<Record<string, number>>;
}

/** What --json output carries: the same counts as the line. */
export interface Failures {
  readonly failed: number;
  readonly of: number;
  /** Failed calls by error class, most first; calls with no class by their status (e.g. `unknown`: sent, never answered). */
  readonly byClass: Readonly<Record<string, number>>;
  /** Warm-up calls, in no count above. */
  readonly warmupCalls: number;
}

/** The counts of an end-of-run summary (its `total` is the measured calls). */
export function summaryCounts(s: RunSummary): FailureCounts {
  return { calls: s.total, warmupCalls: s.warmupCalls, failed: s.failed, byStatus: s.byStatus, errorClasses: s.errorClasses };
}

export function failuresOf(counts: FailureCounts): Failures {
  const byClass: Record<string, number> = { ...counts.errorClasses };
  let unclassed = counts.failed - Object.values(byClass).reduce((sum, n) => sum + n, 0);
  // Only an 'unknown' call is recorded with no class by the invoker; any other is named by its status.
  const unknown = Math.min(unclassed, counts.byStatus.unknown ?? 0);
  if (unknown > 0) byClass.unknown = (byClass.unknown ?? 0) + unknown;
  unclassed -= unknown;
  if (unclassed > 0) byClass['no error class'] = unclassed;
  const sorted = Object.entries(byClass).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { failed: counts.failed, of: counts.calls, byClass: Object.fromEntries(sorted), warmupCalls: counts.warmupCalls };
}

/** `12 of 400 calls failed: 10 Sandbox.Timedout, 2 TooManyRequestsException`; null when none failed. */
export function failureLine(f: Failures): string | null {
  if (f.failed === 0) return null;
  const classes = Object.entries(f.byClass).map(([name, n]) => `${n} ${name}`).join(', ');
  const warmup = f.warmupCalls > 0 ? ` (${f.warmupCalls} warm-up call${f.warmupCalls === 1 ? '' : 's'} not counted)` : '';
  return `${f.failed} of ${f.of} call${f.of === 1 ? '' : 's'} failed${warmup}: ${classes}`;
}

/** `run X completed`, or `run X completed; 12 of 400 calls failed: ...` when calls failed. */
export function endLine(runId: string, status: string, f: Failures | null): string {
  const failed = f === null ? null : failureLine(f);
  return `run ${runId} ${status}${failed === null ? '' : `; ${failed}`}`;
}

/**
 * Prints the end line last: to stdout for a person, to stderr when stdout carries --json (the
 * JSON has the same counts).
 */
export function printEndLine(line: string, json: boolean): void {
  if (json) console.error(line);
  else console.log(line);
}
