/**
 * What the local platform measured inside one invocation (after SeBS's local `time`, `memory`,
 * `disk-io` and `papi` experiments): CPU time, bytes read and written, memory over the call and
 * performance counters, each with the source it came from, since sources count different things.
 * It travels to the caller as JSON in the `X-Faasbench-Measurement` header (ground-truth.ts), for
 * the calls of functions that ask for it (measure-call.ts: MEASURE_VARIABLE).
 */

/**
 * Where CPU time came from: the instance's cgroup (nanoseconds, every process of the instance) or,
 * where it has none, /proc/<pid>/stat of its processes (clock ticks: 10 ms steps).
 */
export type CpuSource = 'cgroup-v1-cpuacct' | 'cgroup-v2-cpu' | 'proc-stat';
/** Where memory came from: the memory cgroup's charge (resident pages, page cache and tmpfs files) or the summed VmRSS/VmHWM. */
export type MemorySource = 'cgroup-v1-memory' | 'cgroup-v2-memory' | 'proc-status';
/** Block-device I/O of the instance's cgroup: only what reached a disk (page cache and tmpfs writes may not show). */
export type BlockIoSource = 'cgroup-v1-blkio' | 'cgroup-v2-io';

/** Why an invocation's counters are software ones or absent; each is a fixed string a script can test. */
export type CounterReason =
  /** Counters are opt-in per function (the local provider's counters=true, or FAASBENCH_MEASURE=counters). */
  | 'not-requested'
  /** perf ran, and the CPU's hardware events are not exposed here (no PMU: a virtual machine, most often). */
  | 'hardware-unsupported'
  /** No `perf` on the platform's PATH (Debian: apt-get install linux-perf). */
  | 'perf-not-found'
  /** perf_event_open was refused (kernel.perf_event_paranoid, or no permission on the instance's processes). */
  | 'perf-not-permitted'
  /** perf started and did not report (it exited, or failed to attach); the detail says what it printed. */
  | 'perf-failed';

export const COUNTER_REASONS: readonly CounterReason[] = ['not-requested', 'hardware-unsupported', 'perf-not-found', 'perf-not-permitted', 'perf-failed'];

/** The hardware events asked for, and the software ones that stand in where the hardware has none. */
export const HARDWARE_EVENTS = ['cycles', 'instructions', 'cache-misses'] as const;
export const SOFTWARE_EVENTS = ['task-clock', 'context-switches', 'page-faults'] as const;

export interface Counters {
  readonly kind: 'hardware' | 'software' | 'none';
  /** Null when hardware counters were read. */
  readonly reason: CounterReason | null;
  /** What perf printed when it failed, else null. */
  readonly detail: string | null;
  /** Event -> count over the call (task-clock in ms, as perf reports it); empty when none. */
  readonly values: Readonly<Record<string, number>>;
}

export interface FunctionMeasurement {
  readonly cpu: { readonly source: CpuSource; readonly userMs: number; readonly systemMs: number };
  /**
   * /proc/<pid>/io of the instance's processes: `readBytes`/`writtenBytes` are rchar/wchar (what the
   * function passed to read and write calls: files, tmpfs, pipes and sockets, the Runtime API's own
   * exchange included); `storage*` are read_bytes/write_bytes (what it made a block device fetch
   * or dirtied in its page cache; tmpfs counts nothing). Null when /proc could not be read.
   */
  readonly io: { readonly readBytes: number; readonly writtenBytes: number; readonly storageReadBytes: number; readonly storageWrittenBytes: number } | null;
  /** The cgroup's block-device bytes; null where the instance has no such group (yet). */
  readonly blockIo: { readonly source: BlockIoSource; readonly readBytes: number; readonly writtenBytes: number } | null;
  readonly memory: {
    readonly source: MemorySource;
    /** Highest use during the call (the kernel's own peak where it can be reset per call, else the samples'). */
    readonly peakBytes: number;
    readonly startBytes: number;
    readonly endBytes: number;
    /** Use every `intervalMs` from the call's start; the interval doubles as a long call fills the bound. */
    readonly intervalMs: number;
    readonly samples: readonly number[];
  };
  readonly counters: Counters;
  /** Other calls ran on the instance meanwhile (concurrency > 1): instance-wide figures include theirs. */
  readonly shared: boolean;
}
