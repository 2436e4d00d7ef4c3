/**
 * Memory, CPU and process-count limits through cgroups, v1 or v2, where this process may create groups.
 * Everything here degrades to "not available" instead of failing: the platform then falls back to
 * the RSS watchdog and unthrottled CPU, and reports which mechanism it applied.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { killProcess, processAlive } from './process-liveness.ts';

const ROOT = '/sys/fs/cgroup';
/** Where a platform's groups can be: the v1 memory, cpu and pids hierarchies, and the v2 root. */
export const CGROUP_ROOTS: readonly string[] = [path.join(ROOT, 'memory'), path.join(ROOT, 'cpu'), path.join(ROOT, 'pids'), ROOT];
/** Lambda's documented quota: 1,024 processes and threads per execution environment. */
export const PIDS_MAX = 1024;
/**
 * The CPU quota's period. The kernel's default (100 ms) lets a call shorter than its quota run
 * unthrottled: at 1,024 MB (0.58 vCPU, 58 ms a period) a 27 ms call took as long as at 1,769 MB. At
 * 20 ms the share holds for calls of a few ms, and the smallest quota the kernel accepts (1 ms) is
 * still 0.05 vCPU, below the 128 MB minimum's 0.072.
 */
const CFS_PERIOD_US = 20_000;

export type CgroupVersion = 'v1' | 'v2';

export interface CgroupSupport {
  readonly memory: CgroupVersion | null;
  readonly cpu: CgroupVersion | null;
  readonly pids: CgroupVersion | null;
}

/** One instance's groups. Every method is best effort after creation succeeded. */
export interface InstanceCgroup {
  /**
   * Moves a running process in. On cgroup v1 one such write waits 10-15 ms for the kernel, so it
   * runs off the event loop while the runtime starts; memory charged before the move moves with it.
   */
  join(pid: number): Promise<void>;
  /** The cgroup.procs files a launcher writes its own pid to, so that its forks are born inside. */
  readonly procsFiles: readonly string[];
  setMemoryLimit(bytes: number): void;
  /**
   * The same groups under a new name (a prewarmed launcher's become its instance's, so that a
   * function reading /proc/self/cgroup sees its instance id); this object is not to be used after.
   */
  rename(to: string): InstanceCgroup;
  setCpuLimit(vcpus: number | null): void;
  /** SIGKILL to every process still in the groups: what an instance leaves must not outlive it. */
  kill(): void;
  peakMemoryBytes(): number | undefined;
  oomKills(): number;
  remove(): void;
  /**
   * Where an invocation's measurement reads the group's counters (measure-sources.ts): the v1
   * memory group, or the v2 group (whose cpu.stat is there whatever the controllers); null when
   * neither exists.
   */
  readonly counters: GroupCounters | null;
}

export interface GroupCounters {
  readonly version: CgroupVersion;
  readonly dir: string;
  /** The memory controller's files are in `dir`. */
  readonly memory: boolean;
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function readKey(file: string, key: string): number {
  try {
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(' ')[1]) : 0;
  } catch {
    return 0;
  }
}

/** Creating and removing a probe group is the only honest test of writability. */
function probe(dir: string, controlFile: string): boolean {
  const test = path.join(dir, `probe-${process.pid}`);
  try {
    mkdirSync(test, { recursive: true });
    const ok = existsSync(path.join(test, controlFile));
    rmdirSync(test);
    return ok;
  } catch {
    return false;
  }
}

export class CgroupController {
  readonly support: CgroupSupport;
  private readonly base: string;

  private constructor(support: CgroupSupport, base: string) {
    this.support = support;
    this.base = base;
  }

  static disabled(): CgroupController {
    return new CgroupController({ memory: null, cpu: null, pids: null }, '');
  }

  /** `base` names this platform's subtree, so two platforms on one host never share groups. */
  static detect(base: string): CgroupController {
    if (existsSync(path.join(ROOT, 'memory', 'memory.limit_in_bytes')) || existsSync(path.join(ROOT, 'cpu', 'cpu.cfs_quota_us'))) {
      const memory = probe(path.join(ROOT, 'memory', base), 'memory.limit_in_bytes') ? 'v1' : null;
      const cpu = probe(path.join(ROOT, 'cpu', base), 'cpu.cfs_quota_us') ? 'v1' : null;
      const pids = probe(path.join(ROOT, 'pids', base), 'pids.max') ? 'v1' : null;
      return new CgroupController({ memory, cpu, pids }, base);
    }
    if (existsSync(path.join(ROOT, 'cgroup.controllers'))) {
      const parent = path.join(ROOT, base);
      try {
        mkdirSync(parent, { recursive: true });
        tryWrite(path.join(ROOT, 'cgroup.subtree_control'), '+memory +cpu +pids');
        tryWrite(path.join(parent, 'cgroup.subtree_control'), '+memory +cpu +pids');
      } catch {
        return CgroupController.disabled();
      }
      const memory = probe(parent, 'memory.max') ? 'v2' : null;
      const cpu = probe(parent, 'cpu.max') ? 'v2' : null;
      const pids = probe(parent, 'pids.max') ? 'v2' : null;
      return new CgroupController({ memory, cpu, pids }, base);
    }
    return CgroupController.disabled();
  }

  /** Groups for one instance with its memory limit set, or null when no controller is usable. */
  create(instanceId: string, memoryBytes: number): InstanceCgroup | null {
    const { memory, cpu, pids } = this.support;
    if (!memory && !cpu && !pids) return null;
    if (memory === 'v2' || cpu === 'v2' || pids === 'v2') return this.createV2(instanceId, memoryBytes);
    return this.createV1(instanceId, memoryBytes);
  }

  /**
   * Kills every process in this platform's groups, stopped ones too: a bootstrap's child that left
   * the instance's process group is still in its cgroup. Returns the pids signalled.
   */
  killAll(): number[] {
    if (!this.base) return [];
    const pids = new Set<number>();
    for (const dir of this.parentDirs()) for (const group of [dir, ...subgroups(dir)]) for (const pid of killGroupMembers(group)) pids.add(pid);
    return [...pids];
  }

  /**
   * Removes this platform's parent groups once the instance groups being removed are gone (their
   * last processes may still be exiting a moment after a kill).
   */
  async dispose(): Promise<void> {
    await Promise.all(this.removals);
    await removeWhenEmpty(this.parentDirs().filter(existsSync));
  }

  /** Instance groups still being removed, which the parents must outwait. */
  private readonly removals = new Set<Promise<void>>();

  private removing(dirs: readonly string[]): void {
    const done = removeWhenEmpty(dirs);
    this.removals.add(done);
    void done.finally(() => this.removals.delete(done));
  }

  private parentDirs(): string[] {
    return CGROUP_ROOTS.map((root) => path.join(root, this.base));
  }

  private createV1(id: string, memoryBytes: number): InstanceCgroup | null {
    const { memDir, cpuDir, pidsDir, dirs } = this.v1Dirs(id);
    try {
      if (memDir) {
        mkdirSync(memDir);
        writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(memoryBytes));
        // Without this the instance could swap instead of being killed at its limit.
        tryWrite(path.join(memDir, 'memory.swappiness'), '0');
        tryWrite(path.join(memDir, 'memory.memsw.limit_in_bytes'), String(memoryBytes));
        // Pages the runtime touched before it joined are charged here too (anonymous and file).
        tryWrite(path.join(memDir, 'memory.move_charge_at_immigrate'), '3');
      }
      if (cpuDir) mkdirSync(cpuDir);
      if (pidsDir) {
        mkdirSync(pidsDir);
        writeFileSync(path.join(pidsDir, 'pids.max'), String(PIDS_MAX));
      }
    } catch {
      for (const dir of dirs) tryRmdir(dir);
      return null;
    }
    return this.v1Group(id);
  }

  private v1Dirs(id: string): { memDir: string | null; cpuDir: string | null; pidsDir: string | null; dirs: string[] } {
    const memDir = this.support.memory ? path.join(ROOT, 'memory', this.base, id) : null;
    const cpuDir = this.support.cpu ? path.join(ROOT, 'cpu', this.base, id) : null;
    const pidsDir = this.support.pids ? path.join(ROOT, 'pids', this.base, id) : null;
    return { memDir, cpuDir, pidsDir, dirs: [memDir, cpuDir, pidsDir].filter((d): d is string => d !== null) };
  }

  /** Accessors of the existing groups named `id`. */
  private v1Group(id: string): InstanceCgroup {
    const { memDir, cpuDir, dirs } = this.v1Dirs(id);
    const procsFiles = dirs.map((d) => path.join(d, 'cgroup.procs'));
    return {
      procsFiles,
      join: async (pid) => {
        await Promise.all(procsFiles.map((file) => writeFile(file, String(pid))));
      },
      setMemoryLimit: (bytes) => {
        if (!memDir) return;
        writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(bytes));
        tryWrite(path.join(memDir, 'memory.memsw.limit_in_bytes'), String(bytes));
      },
      rename: (to) => {
        for (const dir of dirs) renameSync(dir, path.join(path.dirname(dir), to));
        return this.v1Group(to);
      },
      kill: () => {
        for (const dir of dirs) killGroupMembers(dir);
      },
      setCpuLimit(vcpus) {
        if (!cpuDir) return;
        writeFileSync(path.join(cpuDir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
        writeFileSync(path.join(cpuDir, 'cpu.cfs_quota_us'), vcpus === null ? '-1' : String(quotaUs(vcpus)));
      },
      peakMemoryBytes: () => (memDir ? readNumber(path.join(memDir, 'memory.max_usage_in_bytes')) : undefined),
      oomKills: () => (memDir ? readKey(path.join(memDir, 'memory.oom_control'), 'oom_kill') : 0),
      remove: () => this.removing(dirs),
      counters: memDir ? { version: 'v1', dir: memDir, memory: true } : null,
    };
  }

  private createV2(id: string, memoryBytes: number): InstanceCgroup | null {
    const dir = path.join(ROOT, this.base, id);
    const { memory, pids } = this.support;
    try {
      mkdirSync(dir);
      if (memory) {
        writeFileSync(path.join(dir, 'memory.max'), String(memoryBytes));
        tryWrite(path.join(dir, 'memory.swap.max'), '0');
      }
      if (pids) writeFileSync(path.join(dir, 'pids.max'), String(PIDS_MAX));
    } catch {
      tryRmdir(dir);
      return null;
    }
    return this.v2Group(id);
  }

  private v2Group(id: string): InstanceCgroup {
    const dir = path.join(ROOT, this.base, id);
    const { memory, cpu } = this.support;
    return {
      procsFiles: [path.join(dir, 'cgroup.procs')],
      join: (pid) => writeFile(path.join(dir, 'cgroup.procs'), String(pid)),
      setMemoryLimit: (bytes) => {
        if (memory) writeFileSync(path.join(dir, 'memory.max'), String(bytes));
      },
      rename: (to) => {
        renameSync(dir, path.join(path.dirname(dir), to));
        return this.v2Group(to);
      },
      kill: () => void killGroupMembers(dir),
      setCpuLimit(vcpus) {
        if (!cpu) return;
        writeFileSync(path.join(dir, 'cpu.max'), `${vcpus === null ? 'max' : quotaUs(vcpus)} ${CFS_PERIOD_US}`);
      },
      peakMemoryBytes: () => (memory ? readNumber(path.join(dir, 'memory.peak')) : undefined),
      oomKills: () => (memory ? readKey(path.join(dir, 'memory.events'), 'oom_kill') : 0),
      remove: () => this.removing([dir]),
      counters: { version: 'v2', dir, memory: memory !== null },
    };
  }
}

/** The share a quota for `vcpus` really gives: whole µs of quota per period. */
export function appliedVcpus(vcpus: number): number {
  return quotaUs(vcpus) / CFS_PERIOD_US;
}

function quotaUs(vcpus: number): number {
  // The kernel refuses quotas under 1 ms.
  return Math.max(1000, Math.round(vcpus * CFS_PERIOD_US));
}

/** The child groups of `dir` (none when it does not exist). */
export function subgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/** The processes in one group (not its children); empty when the group is gone. */
export function groupMembers(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * SIGKILL to every process in the group, which kills stopped (frozen) ones too; on cgroup v2 also
 * cgroup.kill, which the kernel applies to the whole subtree at once, forks in flight included.
 * Returns the pids that were signalled.
 */
export function killGroupMembers(dir: string): number[] {
  // Only where the kernel offers it: writing elsewhere would create a plain file.
  if (existsSync(path.join(dir, 'cgroup.kill'))) tryWrite(path.join(dir, 'cgroup.kill'), '1');
  // A zombie is dead already (only its parent's wait is missing): it is not counted as killed.
  return groupMembers(dir).filter((pid) => processAlive(pid) && killProcess(pid));
}

/** How long a killed instance's processes get to leave its groups before removal is given up. */
const REMOVE_TRIES = 20;
const REMOVE_RETRY_MS = 50;

/**
 * Removes groups once their last process has gone: processes killed a moment ago may still be
 * exiting, and a group with members cannot be removed. Gives up after REMOVE_TRIES.
 */
async function removeWhenEmpty(dirs: readonly string[]): Promise<void> {
  let left = dirs;
  for (let tries = 0; tries < REMOVE_TRIES && left.length > 0; tries++) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, REMOVE_RETRY_MS));
    left = left.filter((dir) => {
      tryRmdir(dir);
      return existsSync(dir);
    });
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* a group with a lingering process is removed by the platform's final dispose */
  }
}
