/**
 * memory: memory inside a function over each benchmark's inputs (after SeBS's local `memory`
 * experiment). Every call's in-function measurement comes from the local platform: the peak of
 * the call (the kernel's own, restarted per call where it can be) and a series sampled every
 * 10 ms, as the instance's memory cgroup charges it (resident pages, page cache and files in
 * /tmp), else as its processes' resident sets. Per benchmark and input: the calls' median and
 * highest peak, where the call started and ended, and the last measured call's series.
 */
import { z } from 'zod';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { benchmarkLabel, mb, measureBenchmarks, measuredCount, measurementParams, medianOf, missingOf, SOURCE_MEANINGS, sourcesOf, type BenchmarkCalls, type MeasurementParams } from '../function-measurements.ts';

const params = z.object(measurementParams);

export default defineExperiment({
  name: 'memory',
  description: "Memory inside a function per benchmark and input (SeBS's memory): each call's peak and a 10 ms series, from the instance's memory cgroup.",
  params,
  async run(bench, p) {
    return resultOf(await measureBenchmarks(bench, p, { experiment: 'memory', counters: false }), p);
  },
});

export function resultOf(groups: readonly BenchmarkCalls[], p: MeasurementParams): ExperimentResult {
  const peaks = (g: BenchmarkCalls): number[] => g.calls.flatMap((c) => (c.measurement ? [c.measurement.memory.peakBytes] : []));
  const sources = [...new Set(groups.map((g) => sourcesOf(g, (m) => m.memory.source)).filter((s): s is string => s !== null))];
  return {
    columns: ['benchmark', 'function', 'input', 'calls measured', 'peak MB p50', 'peak MB max', 'start MB p50', 'end MB p50', 'source', 'missing'],
    rows: groups.map((g) => [
      benchmarkLabel(g),
      g.fn,
      g.input,
      measuredCount(g),
      mb(medianOf(g, (m) => m.memory.peakBytes)),
      peaks(g).length ? mb(Math.max(...peaks(g))) : null,
      mb(medianOf(g, (m) => m.memory.startBytes)),
      mb(medianOf(g, (m) => m.memory.endBytes)),
      sourcesOf(g, (m) => m.memory.source),
      missingOf(g),
    ]),
    tables: [{ name: 'series', title: 'memory over the last measured call of each benchmark and input', columns: ['benchmark', 'ms', 'MB'], rows: groups.flatMap(seriesRows) }],
    notes: [
      `${p.calls} measured call(s) per benchmark and input after one warm-up call; every call's measurement is stored as a function-measurement record under its seq`,
      ...sources.map((s) => `${s}: ${SOURCE_MEANINGS[s] ?? 'see docs/experiments.md'}`),
    ],
    summary: { groups: groups.map((g) => ({ fn: g.fn, input: g.input, peakBytes: peaks(g) })) },
    charts: [
      { title: 'peak memory per benchmark and input', mark: 'bar', x: { column: 'benchmark', type: 'nominal' }, y: { column: 'peak MB p50' } },
      { title: 'memory over a call', table: 'series', mark: 'line', x: { column: 'ms' }, y: { column: 'MB' }, series: 'benchmark' },
    ],
  };
}

/** The last measured call's samples as (benchmark, ms from the call's start, MB) rows. */
function seriesRows(g: BenchmarkCalls): Array<[string, number, number | null]> {
  const last = [...g.calls].reverse().find((c) => c.measurement !== null)?.measurement;
  if (!last) return [];
  return last.memory.samples.map((bytes, i) => [benchmarkLabel(g), i * last.memory.intervalMs, mb(bytes)]);
}
