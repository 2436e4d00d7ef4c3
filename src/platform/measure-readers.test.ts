// The counter readers against fixed text in the kernel's and perf's own formats (copied from a
// Debian 12 machine and from the kernel's documentation), and the classification of perf's answer
// into hardware, software or none with its reason.
import { describe, expect, it } from 'vitest';
import { countersOf, noCounters } from './measure-counters.ts';
import { parseBlkioServiceBytes, parseIoStat, parseKeyValues, parsePerfStat, parseProcIo, parseProcStat, parseStatusBytes } from './measure-readers.ts';

const PROC_IO = 'rchar: 10486526\nwchar: 10486039\nsyscr: 31\nsyscw: 12\nread_bytes: 4096\nwrite_bytes: 10485760\ncancelled_write_bytes: 0\n';
// comm with a space and a parenthesis: fields are counted from the last ')'.
const PROC_STAT = '4242 (node (main)) S 4240 4240 6736 0 -1 4194304 26305 0 0 0 17 19 3 2 20 0 11 0 109057 3133440 415 18446744073709551615 0\n';

describe('kernel counter files', () => {
  it('/proc/<pid>/io: rchar/wchar as chars, read_bytes/write_bytes as storage', () => {
    expect(parseProcIo(PROC_IO)).toEqual({ chars: { readBytes: 10486526, writtenBytes: 10486039 }, storage: { readBytes: 4096, writtenBytes: 10485760 } });
    expect(parseProcIo('')).toBeNull();
  });

  it('/proc/<pid>/stat: utime+cutime and stime+cstime in ticks', () => {
    expect(parseProcStat(PROC_STAT)).toEqual({ user: 20, system: 21 });
    expect(parseProcStat('no stat line')).toBeNull();
    expect(parseProcStat('1 (x) S 0')).toBeNull();
  });

  it('/proc/<pid>/status: VmRSS and VmHWM in bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t  148700 kB\nVmRSS:\t  112128 kB\n';
    expect([parseStatusBytes(status, 'VmRSS'), parseStatusBytes(status, 'VmHWM')]).toEqual([112128 * 1024, 148700 * 1024]);
    expect(parseStatusBytes('Name:\tnode\n', 'VmRSS')).toBeUndefined();
  });

  it('cgroup v1 blkio.throttle.io_service_bytes: Read and Write summed over devices, Total left out', () => {
    const text = '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Total 12288\n8:16 Read 1000\n8:16 Write 24\nTotal 13312\n';
    expect(parseBlkioServiceBytes(text)).toEqual({ readBytes: 5096, writtenBytes: 8216 });
    expect(parseBlkioServiceBytes('Total 0\n')).toEqual({ readBytes: 0, writtenBytes: 0 });
  });

  it('cgroup v2 io.stat: rbytes and wbytes summed over devices', () => {
    const text = '8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n';
    expect(parseIoStat(text)).toEqual({ readBytes: 91889664, writtenBytes: 613781504 });
  });

  it('key-value files: cgroup v2 cpu.stat, v1 cpuacct.stat', () => {
    expect(Object.fromEntries(parseKeyValues('usage_usec 363270\nuser_usec 171000\nsystem_usec 192270\nnr_periods 0\n'))).toEqual({ usage_usec: 363270, user_usec: 171000, system_usec: 192270, nr_periods: 0 });
    expect(Object.fromEntries(parseKeyValues('user 39407\nsystem 20322\n'))).toEqual({ user: 39407, system: 20322 });
  });
});

describe('perf stat -x, output', () => {
  const VM = [
    '<not supported>,,cycles,0,100.00,,',
    '<not supported>,,instructions,0,100.00,,',
    '<not supported>,,cache-misses,0,100.00,,',
    '363.27,msec,task-clock,363274673,100.00,0.170,CPUs utilized',
    '304,,context-switches,363274673,100.00,1.075,K/sec',
    '26305,,page-faults,363274673,100.00,110.270,/sec',
  ].join('\n');

  it('reads counts and marks what perf could not count', () => {
    expect(parsePerfStat(`Events disabled\nEvents enabled\nEvents disabled\n${VM}\n`)).toEqual([
      { event: 'cycles', value: null, why: 'not supported' },
      { event: 'instructions', value: null, why: 'not supported' },
      { event: 'cache-misses', value: null, why: 'not supported' },
      { event: 'task-clock', value: 363.27 },
      { event: 'context-switches', value: 304 },
      { event: 'page-faults', value: 26305 },
    ]);
  });

  it('an event perf limited to user space (cycles:u) keeps its name', () => {
    expect(parsePerfStat('1234567,,cycles:u,1000,100.00,,\n')).toEqual([{ event: 'cycles', value: 1234567 }]);
  });

  it('hardware counters when the CPU has them', () => {
    const text = '1234567,,cycles,1000,100.00,,\n2345678,,instructions,1000,100.00,1.90,insn per cycle\n4321,,cache-misses,1000,100.00,,\n5.5,msec,task-clock,1000,100.00,,\n';
    expect(countersOf(parsePerfStat(text), text)).toEqual({ kind: 'hardware', reason: null, detail: null, values: { cycles: 1234567, instructions: 2345678, 'cache-misses': 4321, 'task-clock': 5.5 } });
  });

  it('software counters, saying the hardware ones are unsupported, on a machine without a PMU', () => {
    expect(countersOf(parsePerfStat(VM), VM)).toEqual({ kind: 'software', reason: 'hardware-unsupported', detail: null, values: { 'task-clock': 363.27, 'context-switches': 304, 'page-faults': 26305 } });
  });

  it('none, as not permitted or failed, with what perf said on one printable line', () => {
    const denied = 'Error:\nNo permission to enable task-clock event.\n\nYou may not have permission to collect stats.\nConsider tweaking /proc/sys/kernel/perf_event_paranoid\n';
    expect(countersOf([], denied)).toMatchObject({ kind: 'none', reason: 'perf-not-permitted', values: {} });
    const gone = 'Problems finding threads of monitor\n\nUsage: perf stat [<options>] [<command>]\n';
    expect(countersOf([], gone)).toEqual({ kind: 'none', reason: 'perf-failed', detail: 'Problems finding threads of monitor Usage: perf stat [<options>] [<command>]', values: {} });
    expect(noCounters('perf-failed', 'caf\u00e9\nbroken')).toEqual({ kind: 'none', reason: 'perf-failed', detail: 'caf? broken', values: {} });
    expect(noCounters('not-requested')).toEqual({ kind: 'none', reason: 'not-requested', detail: null, values: {} });
  });
});
