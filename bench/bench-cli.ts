/**
 * What every bench's command line shares: numeric flags, Ctrl-C, the machine description printed
 * with the results, and exit codes (README: 0 ok, 1 something measured failed, 2 bad command line,
 * 130 interrupted).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A flag's value as a positive number, or exit 2 naming the flag. */
export function positiveFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${flag}: expected a positive number, got "${value}"`);
    process.exit(EXIT.usage);
  }
  return n;
}

/**
 * Aborts on the first Ctrl-C (or SIGTERM) so the bench can stop its servers and print what it has;
 * a second one exits at once. Servers in child processes receive the terminal's SIGINT themselves.
 */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    console.error('\ninterrupted: stopping the servers (Ctrl-C again to exit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly node: string;
  readonly platform: string;
}

export function describeMachine(): Machine {
  let nproc = os.availableParallelism();
  try {
    // nproc honours CPU affinity and cgroup limits, which is what the processes here actually get.
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* no coreutils: the count Node sees */
  }
  return { nproc, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.type()} ${os.release()}` };
}

export function machineLine(m: Machine): string {
  return `machine: ${m.nproc} cores (nproc), ${m.cpu}, node ${m.node}, ${m.platform}`;
}

/** Progress goes to stderr, so that stdout holds only the results (and only JSON with --json). */
export function progress(message: string): void {
  console.error(message);
}
