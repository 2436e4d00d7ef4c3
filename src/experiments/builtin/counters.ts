/**
 * counters: performance counters inside a function per benchmark and input (after SeBS's `papi`
 * experiment). The benchmarks are deployed asking the local platform for counters, which it reads
 * with `perf stat` attached to the instance around each call: hardware events (cycles,
 * instructions, cache misses) where the CPU exposes them, else software ones (task-clock, context
 * switches, page faults), and each row says which and why (the reason kinds are fixed words:
 * hardware-unsupported, perf-not-found, perf-not-permitted, perf-failed). CPU time (user, system)
 * comes with every measurement. Attaching perf costs about 60 ms before each call is delivered:
 * it shows in latency, not in the call's duration.
 */
import { z } from 'zod';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { benchmarkLabel, measureBenchmarks, measuredCount, measurementParams, medianOf, missingOf, SOURCE_MEANINGS, sourcesOf, type BenchmarkCalls, type MeasurementParams } from '../function-measurements.ts';

const params = z.object(measurementParams);

const EVENTS = [
  ['task-clock ms p50', 'task-clock'],
  ['context switches p50', 'context-switches'],
  ['page faults p50', 'page-faults'],
  ['cycles p50', 'cycles'],
  ['instructions p50', 'instructions'],
  ['cache misses p50', 'cache-misses'],
] as const;

export default defineExperiment({
  name: 'counters',
  description: "Performance counters inside a function per benchmark and input (SeBS's papi) through perf: hardware ones where the CPU exposes them, else software ones, saying which and why; with CPU user and system time.",
  params,
  async run(bench, p) {
    return resultOf(await measureBenchmarks(bench, p, { experiment: 'counters', counters: true }), p);
  },
});

export function resultOf(groups: readonly BenchmarkCalls[], p: MeasurementParams): ExperimentResult {
  const cpuSources = [...new Set(groups.map((g) => sourcesOf(g, (m) => m.cpu.source)).filter((s): s is string => s !== null))];
  return {
    columns: ['benchmark', 'function', 'input', 'calls measured', 'counters', 'reason', 'cpu user ms p50', 'cpu system ms p50', ...EVENTS.map(([column]) => column), 'missing'],
    rows: groups.map((g) => [
      benchmarkLabel(g),
      g.fn,
      g.input,
      measuredCount(g),
      sourcesOf(g, (m) => m.counters.kind),
      sourcesOf(g, (m) => m.counters.reason),
      medianOf(g, (m) => m.cpu.userMs),
      medianOf(g, (m) => m.cpu.systemMs),
      ...EVENTS.map(([, event]) => medianOf(g, (m) => m.counters.values[event])),
      missingOf(g),
    ]),
    notes: [
      `${p.calls} measured call(s) per benchmark and input after one warm-up call; every call's measurement is stored as a function-measurement record under its seq`,
      'counters: hardware (cycles, instructions, cache misses read), software (the CPU exposes no hardware events here: task-clock, context switches, page faults) or none with the reason; perf stat attached to the instance for the call',
      ...cpuSources.map((s) => `cpu: ${SOURCE_MEANINGS[s] ?? s}`),
    ],
    summary: { groups: groups.map((g) => ({ fn: g.fn, input: g.input, counters: g.calls.map((c) => c.measurement?.counters ?? null) })) },
    charts: [
      { title: 'task-clock per benchmark and input', mark: 'bar', x: { column: 'benchmark', type: 'nominal' }, y: { column: 'task-clock ms p50' } },
      { title: 'CPU user time per benchmark and input', mark: 'bar', x: { column: 'benchmark', type: 'nominal' }, y: { column: 'cpu user ms p50' } },
    ],
  };
}
