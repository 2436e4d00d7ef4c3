/**
 * What a platform process that died without stopping leaves behind, and its reaping at the next
 * start. A platform names its cgroups and its temp root `faasbench-<key>` and its staging folder
 * `<dataDir>/code/<key>`, the key being `<pid>-<hex>`; once that pid is gone, what carries the key
 * is left over: instance processes (stopped ones too, when the platform died while they were
 * frozen), their cgroups and temp folders.
 *
 * Processes are found only by what the platform set: membership of the dead platform's cgroups, or
 * an instance marker (instance-marker.ts: pid with start time). Never by name.
 *
 * A platform reaps at once the leftovers its own data directory lists (a staging folder of the same
 * key): that is the platform run again after a crash, and its user gets the report. Leftovers of
 * other data directories are reaped too, once nothing in them changed for FOREIGN_GRACE_MS, so that
 * a platform started meanwhile by someone else does not take them from the report of the owner.
 */
import { readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { plural } from '../core/plural.ts';
import { groupMembers, killGroupMembers, subgroups } from './cgroup.ts';
import { WAITING_GROUP_PREFIX } from './prewarmed-launchers.ts';
import { isStillMarked, markedProcesses } from './instance-marker.ts';
import { killProcess, processAlive } from './process-liveness.ts';

const OWNED = /^faasbench-((\d+)-.+)$/;
/** How long leftovers of another data directory wait for their own platform to restart. */
export const FOREIGN_GRACE_MS = 60_000;
/** How long reaping waits for killed processes to be gone (SIGKILL takes a few ms; a busy host more). */
const REAP_WAIT_MS = 3000;
const REAP_POLL_MS = 10;

export interface ReapedInstance {
  readonly id: string;
  /** Its processes that were still alive and were killed. */
  readonly processes: number;
}

/** What was reaped of one dead platform. */
export interface ReapedLeftover {
  readonly platformPid: number;
  readonly instances: readonly ReapedInstance[];
  /** Processes killed, over all instances. */
  readonly processes: number;
  /** Cgroup directories removed (instance groups and the platform's parent groups). */
  readonly cgroups: number;
  /** Temp folders removed (the platform's temp root and its instances' folders). */
  readonly tempFolders: number;
}

export interface LeftoverPlaces {
  readonly cgroupRoots: readonly string[];
  /** Where temp roots are (/tmp). */
  readonly tmpDir: string;
  /** Keys (`<pid>-<hex>`) of platforms of this data directory: reaped without waiting. */
  readonly ownKeys: ReadonlySet<string>;
}

/** One dead platform's leftovers, found by key. */
interface Leftover {
  readonly key: string;
  readonly platformPid: number;
  readonly cgroupDirs: string[];
  tmpRoot: string | undefined;
}

/** Kills, removes and reports what dead platforms left in `places`. */
export async function reapLeftovers(places: LeftoverPlaces, nowMs = Date.now()): Promise<ReapedLeftover[]> {
  const due = findLeftovers(places).filter((l) => places.ownKeys.has(l.key) || nowMs - lastChangeMs(l) >= FOREIGN_GRACE_MS);
  const reaped: ReapedLeftover[] = [];
  for (const leftover of due) reaped.push(await reap(leftover));
  return reaped;
}

/** The staging-folder keys of dead platforms in `<dataDir>/code`: what this data directory owns. */
export function deadKeysIn(codeDir: string): Set<string> {
  try {
    return new Set(
      readdirSync(codeDir).filter((name) => {
        const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
        return Number.isInteger(pid) && pid !== process.pid && !processAlive(pid);
      }),
    );
  } catch {
    return new Set();
  }
}

/** "reaped 3 instances (3 processes), 6 cgroups, 4 temp folders left by platform pid 1234" */
export function describeReaped(r: ReapedLeftover): string {
  const ids = r.instances.length > 0 ? ` [${r.instances.map((i) => i.id).join(', ')}]` : '';
  return (
    `reaped ${plural(r.instances.length, 'instance')} (${plural(r.processes, 'process', 'processes')} killed)${ids}, ` +
    `${plural(r.cgroups, 'cgroup')}, ${plural(r.tempFolders, 'temp folder')} left by platform pid ${r.platformPid}`
  );
}

/**
 * Folders only, at once, of every dead owner: for folders named like a platform's that hold no
 * processes (the tests' scratch folders). A platform's start reaps with reapLeftovers.
 */
export function sweepLeftovers(cgroupRoots: readonly string[], dir: string): void {
  for (const leftover of findLeftovers({ cgroupRoots, tmpDir: dir, ownKeys: new Set() })) {
    for (const group of leftover.cgroupDirs) removeGroupTree(group);
    if (leftover.tmpRoot !== undefined) removeTempRoot(leftover.tmpRoot);
  }
}

function findLeftovers(places: LeftoverPlaces): Leftover[] {
  const byKey = new Map<string, Leftover>();
  const entry = (name: string): Leftover | undefined => {
    const match = OWNED.exec(name);
    const pid = Number(match?.[2]);
    if (!match || pid === process.pid || processAlive(pid)) return undefined;
    const key = match[1] as string;
    let leftover = byKey.get(key);
    if (!leftover) byKey.set(key, (leftover = { key, platformPid: pid, cgroupDirs: [], tmpRoot: undefined }));
    return leftover;
  };
  for (const root of places.cgroupRoots) for (const name of listDirs(root)) entry(name)?.cgroupDirs.push(path.join(root, name));
  for (const name of listDirs(places.tmpDir)) {
    const leftover = entry(name);
    if (leftover) leftover.tmpRoot = path.join(places.tmpDir, name);
  }
  return [...byKey.values()];
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && OWNED.test(e.name) && ours(path.join(dir, e.name)))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * Root tidies up after anyone; another user only after themself: a folder of root's left by a
 * `sudo` run is not theirs to remove, and trying would fail every later start.
 */
function ours(dir: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return true;
  try {
    return statSync(dir).uid === uid;
  } catch {
    return false;
  }
}

/** When the dead platform last created or removed an instance: its temp root's mtime (cgroupfs keeps none that moves). */
function lastChangeMs(leftover: Leftover): number {
  for (const dir of [leftover.tmpRoot, ...leftover.cgroupDirs]) {
    if (dir === undefined) continue;
    try {
      return statSync(dir).mtimeMs;
    } catch {
      /* gone meanwhile: try the next */
    }
  }
  return 0;
}

async function reap(leftover: Leftover): Promise<ReapedLeftover> {
  const killedBy = new Map<string, Set<number>>();
  const launchers: number[] = [];
  const note = (id: string, pids: readonly number[]): void => {
    const set = killedBy.get(id) ?? new Set<number>();
    for (const pid of pids) set.add(pid);
    killedBy.set(id, set);
  };
  for (const dir of leftover.cgroupDirs) {
    // Members of the parent group itself belong to no instance we can name; they die all the same.
    killGroupMembers(dir);
    for (const group of subgroups(dir)) {
      const killed = killGroupMembers(group);
      // A launcher that was still waiting is no instance: its processes are counted, not named.
      if (path.basename(group).startsWith(WAITING_GROUP_PREFIX)) launchers.push(...killed);
      else note(path.basename(group), killed);
    }
  }
  if (leftover.tmpRoot !== undefined) {
    for (const marked of markedProcesses(leftover.tmpRoot)) {
      // Gone, a zombie, or a later process with the same pid: nothing of ours to kill.
      if (!isStillMarked(marked) || !processAlive(marked.pid)) {
        note(marked.instanceId, []);
        continue;
      }
      // The instance leads its own process group: a bootstrap's children go with it.
      killProcess(-marked.pid);
      note(marked.instanceId, killProcess(marked.pid) ? [marked.pid] : []);
    }
    for (const name of listInstanceFolders(leftover.tmpRoot)) note(name, []);
  }
  const killed = [...[...killedBy.values()].flatMap((set) => [...set]), ...launchers];
  await waitGone(killed, leftover.cgroupDirs);
  const instances = [...killedBy.entries()].map(([id, pids]) => ({ id, processes: pids.size })).sort((a, b) => a.id.localeCompare(b.id));
  return {
    platformPid: leftover.platformPid,
    instances,
    processes: new Set(killed).size,
    cgroups: leftover.cgroupDirs.reduce((n, dir) => n + removeGroupTree(dir), 0),
    tempFolders: leftover.tmpRoot === undefined ? 0 : removeTempRoot(leftover.tmpRoot),
  };
}

function listInstanceFolders(tmpRoot: string): string[] {
  try {
    return readdirSync(tmpRoot, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Until every killed process is gone and the groups are empty, or REAP_WAIT_MS passed. */
async function waitGone(pids: readonly number[], cgroupDirs: readonly string[]): Promise<void> {
  const busy = (): boolean => pids.some(processAlive) || cgroupDirs.some((dir) => [dir, ...subgroups(dir)].some((g) => groupMembers(g).length > 0));
  for (let waitedMs = 0; busy() && waitedMs < REAP_WAIT_MS; waitedMs += REAP_POLL_MS) {
    for (const dir of cgroupDirs) for (const group of [dir, ...subgroups(dir)]) killGroupMembers(group);
    await sleep(REAP_POLL_MS);
  }
}

/** Instance groups first, then the platform's parent group; a group still holding a process stays. Returns the count removed. */
function removeGroupTree(dir: string): number {
  let removed = 0;
  for (const group of [...subgroups(dir), dir]) {
    try {
      rmdirSync(group);
      removed++;
    } catch {
      /* still in use: left for a later sweep */
    }
  }
  return removed;
}

/** The count removed; 0 when it cannot be (another user's, a read-only /tmp): a start must not fail on what it only tidies. */
function removeTempRoot(tmpRoot: string): number {
  const folders = 1 + listInstanceFolders(tmpRoot).length;
  try {
    rmSync(tmpRoot, { recursive: true, force: true });
    return folders;
  } catch (err) {
    process.stderr.write(`faasbench platform: could not remove ${tmpRoot} left by a stopped platform: ${(err as Error).message}\n`);
    return 0;
  }
}
