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
  /** 1-minute load average when the bench started (a bench run just before it counts too). */
  readonly loadAvg1m: number;
  /** Share of CPU time idle across all cores in the half second before the bench started: other work skews every number. */
  readonly idleBeforeStart: number;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** The idle share of all cores over the next `ms`. */
async function idleShare(ms: number): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  return (after.idle - before.idle) / Math.max(1, after.total - before.total);
}

export async function describeMachine(): Promise<Machine> {
  let nproc = os.availableParallelism();
  try {
    // nproc honours CPU affinity and cgroup limits, which is what the processes here actually get.
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* no coreutils: the count Node sees */
  }
  const idleBeforeStart = await idleShare(500);
  return { nproc, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.type()} ${os.release()}`, loadAvg1m: os.loadavg()[0] ?? 0, idleBeforeStart };
}

/** Below this idle share at start, something else is running and the results say so. */
const BUSY_IDLE_SHARE = 0.8;

export function machineLine(m: Machine): string {
  const busy = m.idleBeforeStart < BUSY_IDLE_SHARE ? '\nWARNING: the machine was busy with other work at start; these numbers are not comparable with a quiet run' : '';
  return (
    `machine: ${m.nproc} cores (nproc), ${m.cpu}, node ${m.node}, ${m.platform}; ` +
    `at start: CPUs ${(m.idleBeforeStart * 100).toFixed(0)}% idle over 0.5 s, load average ${m.loadAvg1m.toFixed(2)}${busy}`
  );
}

/** --json output: numbers to 3 decimals (µs or ms), which is beyond what the measurements resolve anyway. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2));
}

/** Progress goes to stderr, so that stdout holds only the results (and only JSON with --json). */
export function progress(message: string): void {
  console.error(message);
}

/** Prints a bench's report, then its errors and whether Ctrl-C cut it short. */
export function printReport(lines: string[], errors: readonly string[], interrupted: boolean): void {
  if (errors.length) lines.push('', 'ERRORS:', ...errors);
  if (interrupted) lines.push('', 'INTERRUPTED: what was measured before Ctrl-C is shown.');
  console.log(lines.join('\n'));
}
