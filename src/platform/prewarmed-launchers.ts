/**
 * Launchers started ahead of need. Forking the platform costs time in proportion to its memory
 * (a few hundred MB with its libraries: 10-15 ms a fork), and joining cgroups costs 10-15 ms on
 * v1; a cold start used to pay both on its critical path. A prewarmed launcher is `sandbox-exec
 * --wait`, already forked, already in cgroups of its own (created for it, limits set at hand-over)
 * and blocked reading its stdin; a cold start hands it the instance (sandbox, working directory,
 * command, environment) and it sets up the sandbox and starts the runtime. OpenWhisk's prewarmed
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
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { CgroupController, InstanceCgroup } from './cgroup.ts';
import { spawnLauncher } from './sandbox.ts';

/** A launcher taken for one instance: its process, its groups, and the spec still to be sent. */
export interface TakenLauncher {
  readonly proc: ChildProcess;
  readonly cgroup: InstanceCgroup | null;
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
  /** Each waiting launcher, with its groups and the listener that replaces it should it die while waiting. */
  private readonly ready = new Map<ChildProcess, { cgroup: InstanceCgroup | null; group: string; forget: () => void }>();
  private closed = false;
  private refillTimer: NodeJS.Timeout | undefined;
  /** Since when a refill has been held off by calls running (see REFILL_PATIENCE_MS). */
  private waitingSince: number | undefined;

  /** Keeps `size` launchers of `helper` (the compiled sandbox-exec) waiting, refilled when `activity` allows. */
  constructor(
    private readonly helper: string,
    private readonly size: number,
    private readonly cgroups: CgroupController,
    private readonly activity: () => PlatformActivity = () => ({ starting: 0, running: 0 }),
  ) {
    while (this.ready.size < this.size) this.start();
  }

  /**
   * A waiting launcher, its groups now the caller's (set their limits, then send the spec on its
   * stdin, sandbox.ts encodeSpec); null when none is ready (the caller spawns one).
   */
  take(): TakenLauncher | null {
    for (const [proc, { cgroup, group, forget }] of this.ready) {
      // Only a launcher already in all its groups: renamed for the instance before it has joined
      // them, it would find its cgroup.procs paths gone and exit 98, failing the cold start.
      if (cgroup !== null && !inAllGroups(proc.pid, group, cgroup.procsFiles.length)) continue;
      this.ready.delete(proc);
      proc.off('exit', forget).off('error', forget);
      this.scheduleRefill();
      return { proc, cgroup };
    }
    return null;
  }

  /** The pids of the launchers waiting now (for /metrics-style reporting and tests). */
  waitingPids(): number[] {
    return [...this.ready.keys()].flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    for (const [proc, { cgroup }] of this.ready) {
      proc.kill('SIGKILL');
      cgroup?.remove();
    }
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
    // Groups of its own, unlimited until the hand-over sets the function's memory.
    const group = `${WAITING_GROUP_PREFIX}${randomBytes(6).toString('hex')}`;
    const cgroup = this.cgroups.create(group, UNLIMITED_BYTES);
    const proc = spawnLauncher(this.helper, cgroup?.procsFiles ?? []);
    // A launcher that dies while waiting (killed from outside) is just replaced.
    const forget = (): void => {
      if (!this.ready.delete(proc)) return;
      cgroup?.remove();
      this.scheduleRefill();
    };
    proc.once('exit', forget);
    proc.once('error', forget);
    this.ready.set(proc, { cgroup, group, forget });
  }
}

/**
 * Whether the process is in `count` groups named `group` (one line of /proc/PID/cgroup per
 * hierarchy; sandbox-exec joins them one after the other before it reads its request).
 */
function inAllGroups(pid: number | undefined, group: string, count: number): boolean {
  if (pid === undefined) return false;
  try {
    const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
    return lines.filter((line) => line.endsWith(`/${group}`)).length >= count;
  } catch {
    return false;
  }
}

/** Names the groups of launchers still waiting (taken ones are renamed for their instance). */
export const WAITING_GROUP_PREFIX = 'launcher-';

/** A memory limit no host reaches (v1's own "unlimited" is 2^63 rounded down to a page). */
const UNLIMITED_BYTES = 2 ** 52;
