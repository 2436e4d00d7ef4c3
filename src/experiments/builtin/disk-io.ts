/**
 * disk-io: bytes a function reads and writes per benchmark and input (after SeBS's local
 * `disk-io` experiment). From the local platform's in-function measurement of each call: bytes
 * through its read and write calls (/proc/<pid>/io rchar and wchar: files, the /tmp tmpfs, pipes
 * and sockets), what of them reached or was dirtied for a block device (read_bytes, write_bytes:
 * zero for tmpfs), and, where the instance has a cgroup v2 io group, the group's block-device
 * bytes. Block-device counts only see what reached a disk: a write to the page cache or a tmpfs
 * may not show there, which is why the table keeps the three apart.
 */
import { z } from 'zod';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { benchmarkLabel, mb, measureBenchmarks, measuredCount, measurementParams, medianOf, missingOf, SOURCE_MEANINGS, sourcesOf, type BenchmarkCalls, type MeasurementParams } from '../function-measurements.ts';

const params = z.object(measurementParams);

export default defineExperiment({
  name: 'disk-io',
  description: "Bytes read and written inside a function per benchmark and input (SeBS's disk-io): by its read/write calls, by the storage layer, and at the block device where the cgroup counts it.",
  params,
  async run(bench, p) {
    return resultOf(await measureBenchmarks(bench, p, { experiment: 'disk-io', counters: false }), p);
  },
});

export function resultOf(groups: readonly BenchmarkCalls[], p: MeasurementParams): ExperimentResult {
  const blockSources = [...new Set(groups.map((g) => sourcesOf(g, (m) => m.blockIo?.source ?? null)).filter((s): s is string => s !== null))];
  return {
    columns: ['benchmark', 'function', 'input', 'calls measured', 'written MB p50', 'read MB p50', 'storage written MB p50', 'storage read MB p50', 'block written MB p50', 'block read MB p50', 'missing'],
    rows: groups.map((g) => [
      benchmarkLabel(g),
      g.fn,
      g.input,
      measuredCount(g),
      mb(medianOf(g, (m) => m.io?.writtenBytes)),
      mb(medianOf(g, (m) => m.io?.readBytes)),
      mb(medianOf(g, (m) => m.io?.storageWrittenBytes)),
      mb(medianOf(g, (m) => m.io?.storageReadBytes)),
      mb(medianOf(g, (m) => m.blockIo?.writtenBytes)),
      mb(medianOf(g, (m) => m.blockIo?.readBytes)),
      missingOf(g),
    ]),
    notes: [
      `${p.calls} measured call(s) per benchmark and input after one warm-up call; every call's measurement is stored as a function-measurement record under its seq`,
      `written/read: ${SOURCE_MEANINGS['proc-io']}`,
      `storage: ${SOURCE_MEANINGS['proc-io-storage']}`,
      blockSources.length
        ? `block: ${blockSources.map((s) => SOURCE_MEANINGS[s] ?? s).join('; ')}`
        : 'block: not measured (on cgroup v1 the platform makes no blkio group for an instance: moving a process into one more hierarchy costs the kernel 10-25 ms on every cold start)',
    ],
    summary: { groups: groups.map((g) => ({ fn: g.fn, input: g.input, io: g.calls.map((c) => c.measurement?.io ?? null), blockIo: g.calls.map((c) => c.measurement?.blockIo ?? null) })) },
    charts: [
      { title: 'bytes written per benchmark and input', mark: 'bar', x: { column: 'benchmark', type: 'nominal' }, y: { column: 'written MB p50' } },
      { title: 'bytes read per benchmark and input', mark: 'bar', x: { column: 'benchmark', type: 'nominal' }, y: { column: 'read MB p50' } },
    ],
  };
}
