/**
 * The in-function measurements of each invocation on one instance: CPU time, bytes read and
 * written, memory over the call (the kernel's peak and a bounded series of samples) and, when the
 * function asked for them, performance counters (measure-counters.ts). An instance keeps one
 * InstanceMeter; each delivered call gets a CallMeter, begun before delivery and ended as the
 * call settles.
 */
import { noCounters, PerfRun } from './measure-counters.ts';
import { OpenFiles } from './measure-files.ts';
import { memoryNow, peakSinceRestart, restartPeak, takeSnapshot, type Snapshot } from './measure-sources.ts';
import type { GroupCounters } from './cgroup.ts';
import type { FunctionMeasurement } from './measurement.ts';

/** Memory is sampled this often from a call's start... */
const SAMPLE_MS = 10;
/**
 * ...up to this many samples: then every other one is dropped and the interval doubles, so a long
 * call's series still spans it (at 128 samples a 60 s call is sampled every 512 ms) and the
 * header carrying it stays under 2 kB.
 */
const MAX_SAMPLES = 128;

/**
 * The environment variable by which a function asks for measurements: `true`, or `counters` for
 * performance counters too (the local provider's `measure=true` and `counters=true` set it).
 * Opt-in: reading some twenty counter files per call cost 520 µs of the platform's CPU per call
 * on this 2-core machine under a load average of 10, against a warm path of about 0.6 ms.
 */
export const MEASURE_VARIABLE = 'FAASBENCH_MEASURE';

export function measureLevel(environment: Readonly<Record<string, string>>): 'off' | 'basic' | 'counters' {
  const value = environment[MEASURE_VARIABLE];
  return value === 'counters' ? 'counters' : value === 'true' ? 'basic' : 'off';
}

export interface MeterTarget {
  /** The instance's group counters, when it has a group. */
  group(): GroupCounters | null;
  /** The instance's processes now. */
  pids(): readonly number[];
}

export class InstanceMeter {
  /** The highest peak seen before a call restarted the kernel's: the instance's Max Memory Used keeps it. */
  priorPeakBytes = 0;
  private readonly inFlight = new Set<CallMeter>();
  private readonly files = new OpenFiles();

  constructor(
    private readonly target: MeterTarget,
    private readonly counters: boolean,
  ) {}

  /** A call about to be delivered; await `ready` before delivering it. */
  begin(): CallMeter {
    const shared = this.inFlight.size > 0;
    for (const other of this.inFlight) other.shared = true;
    const call = new CallMeter(this.files, this.target, this.counters, shared, (bytes) => (this.priorPeakBytes = Math.max(this.priorPeakBytes, bytes)), () => this.inFlight.delete(call));
    this.inFlight.add(call);
    return call;
  }

  /** The instance ended: its counter files are closed. */
  close(): void {
    this.files.close();
  }
}

export class CallMeter {
  shared: boolean;
  /** Resolves when the call may be delivered, once perf counts; null: at once. */
  readonly ready: Promise<void> | null;
  private readonly group: GroupCounters | null;
  private readonly pids: readonly number[];
  /** Taken when the call is delivered; null until then. */
  private start: Snapshot | null = null;
  private readonly startMemory: ReturnType<typeof memoryNow>;
  private readonly peakRestarted: boolean;
  private readonly perf: PerfRun | null;
  private samples: number[] = [];
  private intervalMs = SAMPLE_MS;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly files: OpenFiles,
    private readonly target: MeterTarget,
    counters: boolean,
    shared: boolean,
    priorPeak: (bytes: number) => void,
    private readonly done: () => void,
  ) {
    this.shared = shared;
    this.group = target.group();
    this.pids = target.pids();
    // Restarting the kernel's peak under a call in flight would take that call's peak away.
    const restarted = shared ? null : restartPeak(files, this.group, this.pids);
    if (restarted) priorPeak(restarted.before);
    this.peakRestarted = restarted !== null;
    this.startMemory = memoryNow(files, this.group, this.pids);
    this.samples.push(this.startMemory.bytes);
    this.perf = counters && this.pids.length > 0 ? new PerfRun(this.pids) : null;
    this.ready = this.perf ? this.perf.start().then(() => this.begun()) : null;
    if (!this.perf) this.begun();
  }

  /** Ends the call's window and hands the measurement over: at once, or once perf has reported. */
  end(settle: (measurement: FunctionMeasurement) => void): void {
    this.ended = true;
    clearInterval(this.timer);
    this.done();
    const measured = this.measured();
    if (!this.perf) return settle({ ...measured, counters: noCounters('not-requested') });
    this.perf.stop().then(
      (counters) => settle({ ...measured, counters }),
      (err: Error) => settle({ ...measured, counters: noCounters('perf-failed', err.message) }),
    );
  }

  private begun(): void {
    // The instance may have ended the call while perf was attaching.
    if (this.ended) return;
    this.start = takeSnapshot(this.files, this.group, this.pids);
    this.sampleEvery();
  }

  private sampleEvery(): void {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    this.samples.push(memoryNow(this.files, this.group, this.pids).bytes);
    if (this.samples.length < MAX_SAMPLES) return;
    this.samples = this.samples.filter((_, i) => i % 2 === 0);
    this.intervalMs *= 2;
    clearInterval(this.timer);
    this.sampleEvery();
  }

  private measured(): Omit<FunctionMeasurement, 'counters'> {
    // A process started during the call (a child) counts too.
    const pids = [...new Set([...this.pids, ...this.target.pids()])];
    const end = takeSnapshot(this.files, this.group, pids);
    // A call never delivered (its instance ended while perf attached) ran nothing.
    const start = this.start ?? end;
    const endMemory = memoryNow(this.files, this.group, pids);
    const kernelPeak = this.peakRestarted ? (peakSinceRestart(this.files, this.group, pids) ?? 0) : 0;
    return {
      cpu: { source: end.cpu.source, userMs: nonNegative(end.cpu.userMs - start.cpu.userMs), systemMs: nonNegative(end.cpu.systemMs - start.cpu.systemMs) },
      io: ioDelta(start, end),
      blockIo: end.block && start.block ? { source: end.block.source, readBytes: nonNegative(end.block.bytes.readBytes - start.block.bytes.readBytes), writtenBytes: nonNegative(end.block.bytes.writtenBytes - start.block.bytes.writtenBytes) } : null,
      memory: {
        source: this.startMemory.source,
        peakBytes: Math.max(kernelPeak, endMemory.bytes, ...this.samples),
        startBytes: this.startMemory.bytes,
        endBytes: endMemory.bytes,
        intervalMs: this.intervalMs,
        samples: this.samples,
      },
      shared: this.shared,
    };
  }
}

/** Bytes through each process between the snapshots; a process new at the end counts from zero. */
function ioDelta(start: Snapshot, end: Snapshot): FunctionMeasurement['io'] {
  if (end.procIo.size === 0) return null;
  const sum = { readBytes: 0, writtenBytes: 0, storageReadBytes: 0, storageWrittenBytes: 0 };
  for (const [pid, after] of end.procIo) {
    const before = start.procIo.get(pid);
    sum.readBytes += nonNegative(after.chars.readBytes - (before?.chars.readBytes ?? 0));
    sum.writtenBytes += nonNegative(after.chars.writtenBytes - (before?.chars.writtenBytes ?? 0));
    sum.storageReadBytes += nonNegative(after.storage.readBytes - (before?.storage.readBytes ?? 0));
    sum.storageWrittenBytes += nonNegative(after.storage.writtenBytes - (before?.storage.writtenBytes ?? 0));
  }
  return sum;
}

function nonNegative(n: number): number {
  return n > 0 ? n : 0;
}

