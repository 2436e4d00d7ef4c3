/**
 * Launchers started ahead of need. Forking the platform costs time in proportion to its memory
 * (a few hundred MB with its libraries: 10-15 ms a fork), and a cold start used to pay it on its
 * critical path. A prewarmed launcher is `sandbox-exec --wait`, already forked and blocked reading
 * its stdin; a cold start hands it the instance (sandbox, working directory, command, environment)
 * and it sets up the sandbox and execs the runtime in the same process. OpenWhisk's prewarmed
 * containers and Lambda's pre-created sandboxes do the same one level up.
 *
 * Init Duration still counts from the hand-over, which is when a spawn would have started.
 *
 * A launcher, waiting or become an instance, is killed by the kernel when the platform dies
 * (sandbox-exec sets its parent-death signal), so a crashed platform leaves none of them running.
 *
 * Refilling forks the platform too, which stops its event loop for as long. So it waits until the
 * platform is idle (nothing starting, nothing running); under steady traffic it gives up waiting
 * for idleness after REFILL_PATIENCE_MS but still never forks while an instance is starting, so a
 * cold start's first /next is never held up behind a refill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Isolation } from './sandbox.ts';

export interface LaunchSpec {
  readonly isolation: Isolation;
  readonly tmpDir: string;
  readonly codeDir: string;
  readonly cwd: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** How often a refill looks whether the platform is free to fork. */
const REFILL_CHECK_MS = 5;
/** How long a refill waits for no call at all to be running before it forks between calls. */
const REFILL_PATIENCE_MS = 1000;

/** What the platform is doing now, as far as a fork of it would disturb it. */
export interface PlatformActivity {
  /** Instances between start and their first /next. */
  readonly starting: number;
  /** Invocations in flight. */
  readonly running: number;
}

export class PrewarmedLaunchers {
  /** Each waiting launcher, with the listener that replaces it should it die while waiting. */
  private readonly ready = new Map<ChildProcess, () => void>();
  private closed = false;
  private refillTimer: NodeJS.Timeout | undefined;
  /** Since when a refill has been held off by calls running (see REFILL_PATIENCE_MS). */
  private waitingSince: number | undefined;

  /** Keeps `size` launchers of `helper` (the compiled sandbox-exec) waiting, refilled when `activity` allows. */
  constructor(
    private readonly helper: string,
    private readonly size: number,
    private readonly activity: () => PlatformActivity = () => ({ starting: 0, running: 0 }),
  ) {
    while (this.ready.size < this.size) this.start();
  }

  /** A waiting launcher, now running `spec`; null when none is ready (the caller spawns). */
  take(spec: LaunchSpec): ChildProcess | null {
    const next = this.ready.entries().next();
    if (next.done) return null;
    const [proc, forget] = next.value;
    this.ready.delete(proc);
    proc.off('exit', forget).off('error', forget);
    proc.stdin?.end(encodeSpec(spec));
    this.scheduleRefill();
    return proc;
  }

  /** The pids of the launchers waiting now (for /metrics-style reporting and tests). */
  waitingPids(): number[] {
    return [...this.ready.keys()].flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    for (const proc of this.ready.keys()) proc.kill('SIGKILL');
    this.ready.clear();
  }

  /** One launcher at a time, each when nothing is starting: every fork stops the event loop. */
  private scheduleRefill(): void {
    if (this.refillTimer !== undefined || this.closed) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      if (this.closed || this.ready.size >= this.size) return;
      if (this.mayFork()) this.start();
      if (this.ready.size < this.size) this.scheduleRefill();
    }, REFILL_CHECK_MS);
    this.refillTimer.unref();
  }

  private mayFork(): boolean {
    const { starting, running } = this.activity();
    this.waitingSince ??= Date.now();
    const patient = Date.now() - this.waitingSince < REFILL_PATIENCE_MS;
    if (starting > 0 || (running > 0 && patient)) return false;
    this.waitingSince = undefined;
    return true;
  }

  private start(): void {
    // detached: the instance leads its own process group, which freeze and kill signal as a whole.
    const proc = spawn(this.helper, ['--wait'], { cwd: '/', env: {}, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    // A launcher that dies while waiting (killed from outside) is just replaced.
    const forget = (): void => {
      if (this.ready.delete(proc)) this.scheduleRefill();
    };
    proc.once('exit', forget);
    proc.once('error', forget);
    this.ready.set(proc, forget);
  }
}

/** The request sandbox-exec --wait reads: NUL-separated fields, see sandbox-exec.c. */
export function encodeSpec(spec: LaunchSpec): Buffer {
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  const fields = [spec.isolation, spec.tmpDir, spec.codeDir, spec.cwd, String(spec.args.length + 1), spec.file, ...spec.args, ...env];
  for (const f of fields) if (f.includes('\0')) throw new Error(`a launch field contains a NUL byte: ${JSON.stringify(f)}`);
  return Buffer.from(fields.map((f) => `${f}\0`).join(''));
}
