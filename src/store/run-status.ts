/**
 * The status a run is shown with: its stored status, except that a `running` run whose writers
 * stopped saying they are alive is `abandoned` (its invoker was killed, its host lost). Derived
 * here, when the store reads the run, so every reader (runs, analyze, report, the dashboard)
 * shows the same, no writer has to set it (a dead one cannot), and a run that only looked dead
 * (its store unreachable for a while) is `running` again after its next heartbeat.
 */
import type { RunStatus, ShownRunStatus } from './store.ts';

/**
 * How often a writer refreshes its run's heartbeat. 2 s: one UPDATE of one row, nothing next to
 * the records; and a dead run shows as abandoned within 6 s.
 */
export const HEARTBEAT_INTERVAL_MS = 2_000;

/** Beats missed before a run counts as abandoned: one late beat (a busy machine, a GC pause) is not death. */
export const ABANDONED_AFTER_BEATS = 3;

/** What the shown status is derived from (ISO 8601 times). */
export interface RunLiveness {
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly progressAt: string | null;
  readonly heartbeatAt: string | null;
  /** The interval the writer promised with its last beat. */
  readonly heartbeatMs: number | null;
}

/**
 * `run.status`, or `abandoned` for a running run not heard from for ABANDONED_AFTER_BEATS of the
 * interval its writer promised. Runs from before heartbeats (no heartbeatAt) are judged by their
 * last progress or their start, at the default interval. The writer's clock stamped the heartbeat
 * and the reader's judges it: hosts sharing a store must agree on the time to well under 6 s.
 */
export function shownRunStatus(run: RunLiveness, nowMs: number): ShownRunStatus {
  if (run.status !== 'running') return run.status;
  const signsMs = [run.heartbeatAt, run.progressAt, run.startedAt].map((at) => (at === null ? NaN : Date.parse(at))).filter((ms) => !Number.isNaN(ms));
  const lastSignMs = Math.max(-Infinity, ...signsMs);
  const intervalMs = run.heartbeatMs ?? HEARTBEAT_INTERVAL_MS;
  return nowMs - lastSignMs > ABANDONED_AFTER_BEATS * intervalMs ? 'abandoned' : 'running';
}
