/**
 * What the memory, disk-io and counters experiments share (after SeBS's local experiments): each
 * benchmark function is called with each of its named inputs, every call's in-function
 * measurement (src/platform/measurement.ts, as the local provider received it) is stored as a
 * `function-measurement` record under the call's seq, and the calls of one benchmark and input are
 * summarised by their medians.
 */
import { z } from 'zod';
import { median } from '../analysis/percentile.ts';
import type { FunctionMeasurement } from '../platform/measurement.ts';
import { takeMeasurement } from '../providers/local-measurements.ts';
import type { JsonValue } from '../store/index.ts';
import type { Bench } from './bench.ts';

/** The record kind each call's measurement is stored under. */
export const MEASUREMENT_RECORD = 'function-measurement';
/** The variable a function asks the local platform for measurements with (platform/measure-call.ts). */
export const MEASURE_VARIABLE = 'FAASBENCH_MEASURE';
const MB = 1024 * 1024;

export const measurementParams = {
  /** Benchmark functions of the functions folder; each must have every input of `inputs`. */
  functions: z.array(z.string().min(1)).min(1).default(['footprint']),
  /** Named inputs (SeBS's sizes), in order. */
  inputs: z.array(z.string().min(1)).min(1).default(['test', 'small', 'large']),
  /** Measured calls per benchmark and input, after one warm-up call per benchmark (the cold start). */
  calls: z.number().int().min(1).max(100).default(3),
};

export type MeasurementParams = z.output<z.ZodObject<typeof measurementParams>>;

export interface MeasuredCall {
  readonly seq: number;
  readonly measurement: FunctionMeasurement | null;
  /** Why the call has no measurement (it failed, or the provider reports none); null when it has one. */
  readonly missing: string | null;
}

export interface BenchmarkCalls {
  readonly fn: string;
  readonly input: string;
  readonly calls: readonly MeasuredCall[];
}

/** Calls every benchmark with every input and stores each call's measurement; returns them grouped. */
export async function measureBenchmarks(bench: Bench, p: MeasurementParams, options: { readonly experiment: string; readonly counters: boolean }): Promise<BenchmarkCalls[]> {
  const groups: BenchmarkCalls[] = [];
  const total = p.functions.length * p.inputs.length;
  for (const fn of p.functions) {
    // The variable replaces the function's environment: none of the functions folder sets one.
    const name = await bench.deploy(fn, { as: `${fn}-${options.experiment}`, environment: { [MEASURE_VARIABLE]: options.counters ? 'counters' : 'true' } });
    await measuredCall(bench, name, fn, p.inputs[0]!, 'warmup');
    for (const input of p.inputs) {
      if (bench.signal.aborted) return groups;
      const calls: MeasuredCall[] = [];
      for (let c = 0; c < p.calls && !bench.signal.aborted; c++) calls.push(await measuredCall(bench, name, fn, input, input));
      groups.push({ fn, input, calls });
      bench.progress(groups.length, total, `${fn} ${input}`);
    }
  }
  return groups;
}

async function measuredCall(bench: Bench, name: string, fn: string, input: string, tag: string): Promise<MeasuredCall> {
  const { record, response } = await bench.invoke(name, { input }, { tag });
  const measurement = takeMeasurement(record.requestId);
  const missing = measurement ? null : record.status !== 'ok' ? `call failed: ${failureOf(record.errorClass, response)}` : `provider ${bench.providerName} reports no in-function measurements (the local platform does)`;
  // FunctionMeasurement is JSON by construction: numbers, fixed words and arrays of numbers.
  await bench.record(MEASUREMENT_RECORD, { seq: record.seq, requestId: record.requestId, fn, input, tag, status: record.status, measurement: measurement as unknown as JsonValue, missing });
  return { seq: record.seq, measurement, missing };
}

function failureOf(errorClass: string | null, response: unknown): string {
  const message = (response as { errorMessage?: unknown } | null)?.errorMessage;
  return [errorClass ?? 'no answer', typeof message === 'string' ? message : null].filter(Boolean).join(': ');
}

/** The measured calls' median of one figure; null when no call has it. */
export function medianOf(group: BenchmarkCalls, figure: (m: FunctionMeasurement) => number | null | undefined): number | null {
  const values = group.calls.flatMap((c) => (c.measurement ? [figure(c.measurement)] : [])).filter((v): v is number => typeof v === 'number');
  return median(values);
}

/** `fn input`: the x of every chart, one category per benchmark and input. */
export function benchmarkLabel(group: BenchmarkCalls): string {
  return `${group.fn} ${group.input}`;
}

export function mb(bytes: number | null): number | null {
  return bytes === null ? null : Math.round((bytes / MB) * 10) / 10;
}

export function measuredCount(group: BenchmarkCalls): number {
  return group.calls.filter((c) => c.measurement !== null).length;
}

/** Why calls of the group have no measurement, each reason once; null when every call has one. */
export function missingOf(group: BenchmarkCalls): string | null {
  const reasons = [...new Set(group.calls.flatMap((c) => (c.missing ? [c.missing] : [])))];
  return reasons.length ? reasons.join('; ') : null;
}

/** The sources the group's measurements came from, each once (`proc-stat`, `cgroup-v1-memory`...). */
export function sourcesOf(group: BenchmarkCalls, source: (m: FunctionMeasurement) => string | null): string | null {
  const found = [...new Set(group.calls.flatMap((c) => (c.measurement ? [source(c.measurement)] : [])).filter((s): s is string => s !== null))];
  return found.length ? found.join(', ') : null;
}

/** What each source counts: the notes of every result that shows one. */
export const SOURCE_MEANINGS: Readonly<Record<string, string>> = {
  'proc-stat': "CPU time from /proc/<pid>/stat of the instance's processes, in 10 ms ticks (on cgroup v1 the platform makes no cpuacct group: moving a process into one more hierarchy costs the kernel 10-25 ms on every cold start)",
  'cgroup-v2-cpu': "CPU time from the instance's cgroup v2 cpu.stat, every process of the instance, in µs",
  'cgroup-v1-memory': "memory as the instance's memory cgroup charges it: resident pages, page cache and tmpfs files (a file in /tmp counts); peak from memory.max_usage_in_bytes, restarted per call",
  'cgroup-v2-memory': "memory as the instance's cgroup v2 charges it (memory.current); peak from the 10 ms samples",
  'proc-status': "memory as the summed VmRSS of the instance's processes; peak from VmHWM, restarted per call",
  'proc-io': "bytes through read and write calls (rchar, wchar of /proc/<pid>/io): files, tmpfs, pipes and sockets, the Runtime API's exchange of the event and answer included",
  'proc-io-storage': 'bytes the function made a block device read, or dirtied in its page cache (read_bytes, write_bytes): zero for tmpfs',
  'cgroup-v2-io': "block-device bytes of the instance's cgroup (io.stat): only what reached a disk",
};
