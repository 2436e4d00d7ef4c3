/**
 * The progress of work counted in steps (an experiment's): `memory-sweep: elapsed 1m05s  ETA 2m10s
 * size 3/6`, rewritten every 250 ms on a terminal and printed every 5 s otherwise, whether or not a
 * step ended in between, so a CI log shows a long quiet stretch (an idle-timeout probe sleeping
 * minutes) is alive.
 */
import { formatSpan } from './progress-line.ts';

export interface StepProgress {
  update(done: number, total: number, label?: string): void;
  /** Prints the last line (ending it on a terminal) and stops the timer. */
  stop(): void;
}

interface Steps {
  readonly done: number;
  readonly total: number;
  readonly label: string | undefined;
}

/** At the pace of the steps done so far; unknown before the first. */
export function stepEtaMs(steps: Steps | null, elapsedMs: number): number | null {
  if (steps === null || steps.total <= 0) return null;
  if (steps.done >= steps.total) return 0;
  return steps.done > 0 ? (elapsedMs * (steps.total - steps.done)) / steps.done : null;
}

export function formatSteps(name: string, steps: Steps | null, elapsedMs: number): string {
  const eta = stepEtaMs(steps, elapsedMs);
  const where = steps === null ? 'starting' : `${steps.label ?? 'step'} ${steps.done}/${steps.total}`;
  return `${name}: elapsed ${formatSpan(elapsedMs)}  ETA ${eta === null ? '-' : formatSpan(eta)}  ${where}`;
}

export function startStepProgress(enabled: boolean, name: string, now: () => number = Date.now): StepProgress {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const tty = process.stderr.isTTY === true;
  const startMs = now();
  let steps: Steps | null = null;
  const line = (): string => formatSteps(name, steps, now() - startMs);
  const timer = setInterval(() => process.stderr.write(tty ? `\r${line()}\x1b[K` : `${line()}\n`), tty ? 250 : 5000);
  return {
    update: (done, total, label) => void (steps = { done, total, label }),
    stop: () => {
      clearInterval(timer);
      process.stderr.write(`${tty ? '\r' : ''}${line()}${tty ? '\x1b[K' : ''}\n`);
    },
  };
}
