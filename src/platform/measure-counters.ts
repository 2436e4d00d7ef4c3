/**
 * Performance counters for one invocation through `perf stat` (Debian's linux-perf), attached to
 * the instance's processes around the call: no native code of our own. perf starts with its
 * events disabled (-D -1) and a control channel (--control fd:3,4); the call is delivered once
 * perf acknowledged `enable`, and `disable` at its end closes the window, so perf's own start-up
 * and exit fall outside it. Starting perf took 57 ms on this 2-core machine, which is why counters
 * are asked for apart from the other measurements (see measure-call.ts): that time is spent before the call
 * is delivered, so it shows in the caller's latency, not in the call's duration.
 *
 * Hardware events (cycles, instructions, cache misses) are asked for with the software ones
 * (task-clock, context switches, page faults); where the CPU exposes no hardware events (a VM
 * without a PMU: perf says `<not supported>`) the software ones are reported, and why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { HARDWARE_EVENTS, SOFTWARE_EVENTS, type CounterReason, type Counters } from './measurement.ts';
import { parsePerfStat, type PerfCount } from './measure-readers.ts';

/** Bounds on perf's answers, generous for a loaded 2-core machine. */
const ACK_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 10_000;
/** What of perf's messages a failure keeps. */
const DETAIL_CHARS = 300;

export function noCounters(reason: CounterReason, detail: string | null = null): Counters {
  return { kind: 'none', reason, detail: detail === null ? null : detailOf(detail), values: {} };
}

/** The counters a perf run reported, read as hardware, software or none with its reason. */
export function countersOf(counts: readonly PerfCount[], stderr: string): Counters {
  const values: Record<string, number> = {};
  for (const c of counts) if (c.value !== null) values[c.event] = c.value;
  const hardware = HARDWARE_EVENTS.filter((e) => e in values);
  const software = SOFTWARE_EVENTS.filter((e) => e in values);
  if (hardware.length > 0) return { kind: 'hardware', reason: null, detail: null, values };
  if (software.length > 0) return { kind: 'software', reason: 'hardware-unsupported', detail: null, values };
  return noCounters(failureReason(stderr), detailOf(stderr));
}

function failureReason(stderr: string): CounterReason {
  return /perf_event_paranoid|Permission denied|No permission|Operation not permitted/i.test(stderr) ? 'perf-not-permitted' : 'perf-failed';
}

/** One line of printable ASCII: it travels in a response header. */
function detailOf(text: string): string | null {
  const trimmed = text.replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return trimmed === '' ? null : trimmed.slice(0, DETAIL_CHARS);
}

/** One call's perf run: start() before the call is delivered, stop() once it ended. */
export class PerfRun {
  private readonly proc: ChildProcess;
  private stderr = '';
  private readonly exited: Promise<void>;
  private spawnError: NodeJS.ErrnoException | null = null;

  constructor(pids: readonly number[], perf = 'perf') {
    const events = [...HARDWARE_EVENTS, ...SOFTWARE_EVENTS].join(',');
    this.proc = spawn(perf, ['stat', '-x,', '-e', events, '-D', '-1', '--control', 'fd:3,4', '-p', pids.join(',')], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    this.proc.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      this.proc.once('error', (err) => {
        this.spawnError = err;
        resolve();
      });
      this.proc.once('close', () => resolve());
    });
  }

  /** Resolves once perf counts (true), or has failed (false); never rejects. */
  start(): Promise<boolean> {
    return this.command('enable');
  }

  /** Closes the window and collects perf's report. */
  async stop(): Promise<Counters> {
    if (this.spawnError) return noCounters(this.spawnError.code === 'ENOENT' ? 'perf-not-found' : 'perf-failed', this.spawnError.message);
    await this.command('disable');
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGINT');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    if (this.spawnError) return noCounters('perf-not-found', (this.spawnError as Error).message);
    return countersOf(parsePerfStat(this.stderr), this.stderr);
  }

  /** Writes a control command and waits for perf's `ack`, its exit, or the bound. */
  private command(word: 'enable' | 'disable'): Promise<boolean> {
    const control = this.proc.stdio[3] as Writable | null;
    const ack = this.proc.stdio[4] as Readable | null;
    if (!control || !ack || this.proc.exitCode !== null || this.spawnError) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        ack.off('data', onData);
        resolve(ok);
      };
      const onData = (chunk: Buffer): void => {
        if (chunk.toString('latin1').includes('ack')) done(true);
      };
      const timer = setTimeout(() => done(false), ACK_TIMEOUT_MS);
      ack.on('data', onData);
      void this.exited.then(() => done(false));
      control.on('error', () => done(false));
      control.write(`${word}\n`);
    });
  }
}
