/**
 * Reading an instance's counters at one moment: from its cgroup where it has one, else from
 * /proc of its processes. An invocation's measurement (measure-call.ts) is the difference of two
 * such snapshots plus memory samples taken between them.
 *
 * On cgroup v1 the instance's groups are memory, cpu and pids (cgroup.ts): CPU time and bytes are
 * read from /proc there. cpuacct and blkio groups are not made, since moving a process into one
 * more v1 hierarchy took the kernel 10-25 ms per hierarchy here, and that would land on every cold
 * start. On cgroup v2 the instance's one group has cpu.stat (always) and io.stat (io controller).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GroupCounters } from './cgroup.ts';
import type { OpenFiles } from './measure-files.ts';
import type { BlockIoSource, CpuSource, MemorySource } from './measurement.ts';
import { parseIoStat, parseKeyValues, parseProcIo, parseProcStat, parseStatusBytes, type ByteCounts, type ProcIo } from './measure-readers.ts';

/** /proc/<pid>/stat counts in USER_HZ ticks, which Linux fixes at 100 a second for user space. */
const TICK_MS = 10;

export interface CpuTime {
  readonly source: CpuSource;
  readonly userMs: number;
  readonly systemMs: number;
}

/** The counters that only grow, at one moment. */
export interface Snapshot {
  readonly cpu: CpuTime;
  /** Per process: a process that starts during the call counts from zero, one that ends is left out. */
  readonly procIo: ReadonlyMap<number, ProcIo>;
  readonly block: { readonly source: BlockIoSource; readonly bytes: ByteCounts } | null;
}

export function takeSnapshot(files: OpenFiles, group: GroupCounters | null, pids: readonly number[]): Snapshot {
  return { cpu: cpuTime(files, group, pids), procIo: procIo(files, pids), block: blockIo(files, group) };
}

function cpuTime(files: OpenFiles, group: GroupCounters | null, pids: readonly number[]): CpuTime {
  const stat = group?.version === 'v2' ? files.read(path.join(group.dir, 'cpu.stat')) : null;
  const v = stat === null ? null : parseKeyValues(stat);
  if (v?.has('user_usec') && v.has('system_usec')) return { source: 'cgroup-v2-cpu', userMs: v.get('user_usec')! / 1000, systemMs: v.get('system_usec')! / 1000 };
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    const ticks = parseProcStat(files.read(`/proc/${pid}/stat`) ?? '');
    user += ticks?.user ?? 0;
    system += ticks?.system ?? 0;
  }
  return { source: 'proc-stat', userMs: user * TICK_MS, systemMs: system * TICK_MS };
}

function procIo(files: OpenFiles, pids: readonly number[]): Map<number, ProcIo> {
  const io = new Map<number, ProcIo>();
  for (const pid of pids) {
    const parsed = parseProcIo(files.read(`/proc/${pid}/io`) ?? '');
    if (parsed) io.set(pid, parsed);
  }
  return io;
}

function blockIo(files: OpenFiles, group: GroupCounters | null): Snapshot['block'] {
  if (group?.version !== 'v2') return null;
  const text = files.read(path.join(group.dir, 'io.stat'));
  return text === null ? null : { source: 'cgroup-v2-io', bytes: parseIoStat(text) };
}

/** Memory in use now: the group's charge, or the summed resident sets. */
export function memoryNow(files: OpenFiles, group: GroupCounters | null, pids: readonly number[]): { source: MemorySource; bytes: number } {
  if (group?.memory) {
    const file = group.version === 'v1' ? 'memory.usage_in_bytes' : 'memory.current';
    const bytes = Number(files.read(path.join(group.dir, file))?.trim());
    if (Number.isFinite(bytes)) return { source: group.version === 'v1' ? 'cgroup-v1-memory' : 'cgroup-v2-memory', bytes };
  }
  return { source: 'proc-status', bytes: pids.reduce((sum, pid) => sum + (parseStatusBytes(files.read(`/proc/${pid}/status`) ?? '', 'VmRSS') ?? 0), 0) };
}

/**
 * Starts the kernel's peak anew for one call, and returns the peak until now (which the instance's
 * Max Memory Used must keep). v1 resets memory.max_usage_in_bytes by a write of 0; without a
 * memory group each process's VmHWM is reset through clear_refs (5). v2's memory.peak is reset
 * per open file only (Linux 6.12): there the call's peak is its samples' (null is returned).
 */
export function restartPeak(files: OpenFiles, group: GroupCounters | null, pids: readonly number[]): { before: number } | null {
  if (group?.memory && group.version === 'v2') return null;
  if (group?.memory) {
    const file = path.join(group.dir, 'memory.max_usage_in_bytes');
    const before = Number(files.read(file)?.trim());
    return tryWrite(file, '0') && Number.isFinite(before) ? { before } : null;
  }
  let before = 0;
  for (const pid of pids) {
    before += parseStatusBytes(files.read(`/proc/${pid}/status`) ?? '', 'VmHWM') ?? 0;
    if (!tryWrite(`/proc/${pid}/clear_refs`, '5')) return null;
  }
  return { before };
}

/** The peak since restartPeak. */
export function peakSinceRestart(files: OpenFiles, group: GroupCounters | null, pids: readonly number[]): number | undefined {
  if (group?.memory) {
    const bytes = Number(files.read(path.join(group.dir, 'memory.max_usage_in_bytes'))?.trim());
    return Number.isFinite(bytes) ? bytes : undefined;
  }
  return pids.reduce((sum, pid) => sum + (parseStatusBytes(files.read(`/proc/${pid}/status`) ?? '', 'VmHWM') ?? 0), 0);
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}
