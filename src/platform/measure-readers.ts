/**
 * Parsers of the kernel's counter files and of `perf stat -x,` output, as text in, numbers out:
 * what an invocation's measurement (measure-call.ts) reads, kept apart so that each format is
 * tested against fixed text. None of them throws; an unreadable line is left out.
 */

/** `key value` lines (cgroup v1 cpuacct.stat, memory.stat; v2 cpu.stat) or `key: value` (/proc/<pid>/io). */
export function parseKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][\w.]*):?\s+(-?\d+)\s*$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

export interface ByteCounts {
  readonly readBytes: number;
  readonly writtenBytes: number;
}

/**
 * cgroup v1 blkio.throttle.io_service_bytes: `MAJ:MIN Read N`, `MAJ:MIN Write N` per device, then
 * `Total N`. Summed over devices (zero when no device was touched).
 */
export function parseBlkioServiceBytes(text: string): ByteCounts {
  let readBytes = 0;
  let writtenBytes = 0;
  for (const line of text.split('\n')) {
    const match = /^\d+:\d+\s+(Read|Write)\s+(\d+)\s*$/.exec(line);
    if (match?.[1] === 'Read') readBytes += Number(match[2]);
    else if (match?.[1] === 'Write') writtenBytes += Number(match[2]);
  }
  return { readBytes, writtenBytes };
}

/** cgroup v2 io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N ...` per device, summed. */
export function parseIoStat(text: string): ByteCounts {
  let readBytes = 0;
  let writtenBytes = 0;
  for (const line of text.split('\n')) {
    readBytes += Number(/\brbytes=(\d+)/.exec(line)?.[1] ?? 0);
    writtenBytes += Number(/\bwbytes=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return { readBytes, writtenBytes };
}

/** A process's CPU time from /proc/<pid>/stat, in clock ticks (USER_HZ). */
export interface ProcCpuTicks {
  /** utime + cutime: the process's own and its waited-for children's. */
  readonly user: number;
  readonly system: number;
}

/**
 * /proc/<pid>/stat: `pid (comm) state ppid ...`; utime, stime, cutime, cstime are fields 14-17.
 * comm may hold spaces and parentheses, so fields are counted from the last ')'. Null when the
 * text is not a stat line.
 */
export function parseProcStat(text: string): ProcCpuTicks | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ") " the first field is the state (field 3): field n is at index n - 3.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  if (![utime, stime, cutime, cstime].every((n) => Number.isFinite(n))) return null;
  return { user: utime! + cutime!, system: stime! + cstime! };
}

/** What /proc/<pid>/io counts, in bytes. */
export interface ProcIo {
  /** rchar, wchar: bytes through read- and write-like calls, files, pipes and sockets alike. */
  readonly chars: ByteCounts;
  /** read_bytes, write_bytes: bytes the process made the storage layer fetch or dirty. */
  readonly storage: ByteCounts;
}

export function parseProcIo(text: string): ProcIo | null {
  const v = parseKeyValues(text);
  const rchar = v.get('rchar');
  const wchar = v.get('wchar');
  if (rchar === undefined || wchar === undefined) return null;
  return { chars: { readBytes: rchar, writtenBytes: wchar }, storage: { readBytes: v.get('read_bytes') ?? 0, writtenBytes: v.get('write_bytes') ?? 0 } };
}

/** A `Name:  N kB` field of /proc/<pid>/status, in bytes. */
export function parseStatusBytes(text: string, key: 'VmRSS' | 'VmHWM'): number | undefined {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** One event of `perf stat -x,`: its count, or why there is none. */
export type PerfCount = { readonly event: string; readonly value: number } | { readonly event: string; readonly value: null; readonly why: 'not supported' | 'not counted' };

/**
 * `perf stat -x,` lines: `value,unit,event,run-time,percent,...`; `<not supported>` or
 * `<not counted>` in place of a value. Other lines (perf's own messages) are left out. An event
 * perf names with a modifier (`cycles:u`, when it fell back to user space) keeps its base name.
 */
export function parsePerfStat(text: string): PerfCount[] {
  const counts: PerfCount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(',');
    if (fields.length < 3) continue;
    const [raw, , name] = fields as [string, string, string];
    const event = name.replace(/:[a-zA-Z]+$/, '');
    if (!/^[a-z][\w-]*$/.test(event)) continue;
    if (raw === '<not supported>' || raw === '<not counted>') counts.push({ event, value: null, why: raw.slice(1, -1) as 'not supported' | 'not counted' });
    else if (/^\d+(\.\d+)?$/.test(raw)) counts.push({ event, value: Number(raw) });
  }
  return counts;
}
