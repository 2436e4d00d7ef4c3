/**
 * A stored run as the runs list shows it: status, how far it got, how long it took, and what it
 * ran. Pure: the caller passes the time, so a running run's duration is "so far".
 *
 * Progress comes in two shapes, both written by the run's own process: load runs (`invoke`,
 * `trace replay`) store the invoker's snapshot (`planned`, `done`, `dropped`, `errors`...), and
 * experiments store `{ done, total, label }` of their steps.
 */
import { loadOf } from '../store/run-load.ts';
import type { JsonValue, Run, ShownRunStatus } from '../store/store.ts';

export interface ProgressView {
  /** Calls answered or dropped (load runs), steps done (experiments). */
  readonly done: number;
  /** Calls planned or steps in all; null when the writer does not know (an open-ended plan). */
  readonly total: number | null;
  /** Calls that were not ok, where the writer counts them. */
  readonly errors: number | null;
  /** 'calls' for a load run, 'steps' for an experiment. */
  readonly unit: 'calls' | 'steps';
  /** The experiment's current step, when it names one. */
  readonly label: string | null;
  /** When the writer last reported. */
  readonly at: string | null;
}

export interface RunRow {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  /** The experiment's name for experiment runs, else null: what the list's experiment column shows. */
  readonly experiment: string | null;
  readonly provider: string;
  /** The user's name for the run (`--label`), or null. */
  readonly label: string | null;
  /** What it ran, in a few words (`constant 20/s 5s`, `trace 4 fns`, an experiment's parameters): store/run-load.ts. */
  readonly load: string | null;
  /** As the store shows it: 'abandoned' when a running run's writers stopped beating. */
  readonly status: ShownRunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Finish minus start; for a running run, now minus start; for an abandoned one, up to its last sign of life. */
  readonly durationMs: number | null;
  readonly progress: ProgressView | null;
  /**
   * Measured calls (warm-up calls not counted), from the end-of-run summary; null until the run
   * has one. A running run's count is its progress: the invoker's live count takes in warm-up
   * calls, so showing it here would change the column's meaning when the run ends.
   */
  readonly calls: number | null;
}

type JsonObject = { readonly [key: string]: JsonValue };

function asObject(value: JsonValue | null): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
}

function num(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function progressView(run: Run): ProgressView | null {
  const p = asObject(run.progress);
  if (!p) return null;
  const done = num(p.done);
  if (done === null) return null;
  const isLoad = 'sent' in p || 'planned' in p;
  return {
    // A dropped call is finished too: without it a run that drops calls would never reach 100%.
    done: isLoad ? done + (num(p.dropped) ?? 0) : done,
    total: isLoad ? num(p.planned) : num(p.total),
    errors: num(p.errors),
    unit: isLoad ? 'calls' : 'steps',
    label: typeof p.label === 'string' ? p.label : null,
    at: run.progressAt,
  };
}

function measuredCallsOf(run: Run): number | null {
  return num(asObject(run.summary)?.total) ?? null;
}

/** When an abandoned run's writers were last heard from. */
function lastSignMs(run: Run): number {
  return Math.max(...[run.heartbeatAt, run.progressAt, run.startedAt].map((at) => (at === null ? NaN : Date.parse(at))).filter((ms) => !Number.isNaN(ms)));
}

export function runRow(run: Run, nowMs: number): RunRow {
  const started = Date.parse(run.startedAt);
  const end = run.finishedAt !== null ? Date.parse(run.finishedAt) : run.status === 'running' ? nowMs : run.status === 'abandoned' ? lastSignMs(run) : NaN;
  const durationMs = Number.isFinite(started) && Number.isFinite(end) ? Math.max(0, end - started) : null;
  const progress = progressView(run);
  return {
    id: run.id,
    kind: run.kind,
    name: run.name,
    experiment: run.kind === 'experiment' ? run.name : null,
    provider: run.provider,
    label: run.label,
    load: loadOf(run),
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs,
    progress,
    calls: measuredCallsOf(run),
  };
}
