/**
 * The live progress of a running plan on stderr: one rewritten line on a terminal, a plain line
 * every 5 s otherwise (CI logs stay readable and show the run is alive), each with the time
 * elapsed and an estimate of the time left.
 */
import type { ProgressSnapshot } from '../invoker/progress.ts';

export interface ProgressTiming {
  readonly elapsedMs: number;
  /** Time left, estimated; null when nothing tells yet. */
  readonly etaMs: number | null;
}

/** What a plan says about its own length. */
export interface PlanTiming {
  /** Offset of the last call, µs, when known. */
  readonly durationUs?: number;
  /** Paced by answers (sequential): its length is known only from the calls done so far. */
  readonly closedLoop?: unknown;
}

/** `0s`, `42s`, `1m05s`, `1h02m`: whole seconds, two units at most. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Time left: an open-loop plan ends when its schedule does, whatever the answers (its last offset
 * minus the time elapsed); a closed loop, or a plan of unknown length, at the pace of the calls
 * done so far. Once every call is sent, what is left is the answers in flight: unknown.
 */
export function estimateEtaMs(p: ProgressSnapshot, plan: PlanTiming, elapsedMs: number): number | null {
  if (p.planned === undefined) return null;
  const finished = p.done + p.dropped;
  if (finished >= p.planned) return 0;
  if (p.sent + p.dropped >= p.planned) return null;
  if (!plan.closedLoop && plan.durationUs !== undefined) return Math.max(0, plan.durationUs / 1000 - elapsedMs);
  if (finished === 0) return null;
  return (elapsedMs * (p.planned - finished)) / finished;
}

export function formatProgress(p: ProgressSnapshot, timing?: ProgressTiming): string {
  const clock = timing === undefined ? '' : `elapsed ${formatSpan(timing.elapsedMs)}  ETA ${timing.etaMs === null ? '-' : formatSpan(timing.etaMs)}  `;
  const planned = p.planned === undefined ? '' : `/${p.planned}`;
  const waiting = p.recordsWaiting ? `  records waiting for the store ${p.recordsWaiting}` : '';
  return `${clock}sent ${p.sent}${planned}  done ${p.done}  errors ${p.errors}  in-flight ${p.inFlight}  dropped ${p.dropped}  lateness p99 ${p.latenessP99Ms === null ? '-' : `${p.latenessP99Ms.toFixed(2)} ms`}${waiting}`;
}

/** The elapsed time and ETA of one run, from when it started (or, for a shard, when offset 0 falls). */
export class ProgressClock {
  readonly #startMs: number;

  constructor(
    private readonly plan: PlanTiming,
    startEpochMs?: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#startMs = startEpochMs ?? now();
  }

  timing(p: ProgressSnapshot): ProgressTiming {
    const elapsedMs = Math.max(0, this.now() - this.#startMs);
    return { elapsedMs, etaMs: estimateEtaMs(p, this.plan, elapsedMs) };
  }
}

export function startProgress(read: () => ProgressSnapshot, enabled: boolean, clock?: ProgressClock): () => void {
  if (!enabled) return () => undefined;
  const tty = process.stderr.isTTY === true;
  const line = (): string => {
    const p = read();
    return formatProgress(p, clock?.timing(p));
  };
  const timer = setInterval(() => process.stderr.write(tty ? `\r${line()}\x1b[K` : `${line()}\n`), tty ? 250 : 5000);
  return () => {
    clearInterval(timer);
    process.stderr.write(`${tty ? '\r' : ''}${line()}${tty ? '\x1b[K' : ''}\n`);
  };
}
