/**
 * cpu-share: how much of a CPU a function gets at each memory size (after faas_measure's CPU
 * utilisation test). Lambda gives CPU in proportion to memory, one vCPU at 1,769 MB; the local
 * platform does the same through the cpu cgroup's quota where it may write it.
 *
 * Two measures per size, both from the measure function:
 * - CPU share: its `cpuu` busy loop records every distinct ms it sees; consecutive ms are time
 *   it ran, gaps are time it was held off. Run time over wall time, over whole throttling cycles
 *   (analysis/cpu-share.ts). A single-threaded loop reads min(1, MB / 1,769) under Lambda's rule.
 * - cpu loop share: its `cpu` command (n! in big integers) takes t(S) at size S; t(reference) /
 *   t(S) is the speed at S relative to the reference size (1,769 MB by default).
 * The loop's length is set per size from a calibration call so that each call busies the CPU for
 * about `cpuuMs` ms whatever the share: enough throttling periods at 128 MB without making the
 * unthrottled sizes trivial.
 *
 * Each row also says the CPU limit the platform applied to that size's instance; where none was
 * applied (the cpu cgroup is not writable, or cgroups are off) the result says so, and the shares
 * are then about 1 at every size.
 */
import { z } from 'zod';
import { cpuShareOf, type CpuShare } from '../../analysis/cpu-share.ts';
import { median } from '../../analysis/percentile.ts';
import type { Bench } from '../bench.ts';
import { cpuLimitCell, cpuLimitKind, cpuLimitNote, cpuLimitOf, type CpuLimit } from '../cpu-limit.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';

/** Lambda's rule: one vCPU at 1,769 MB. */
const MB_PER_VCPU = 1769;
/** cpuu iterations of the calibration call: about 10 ms of CPU on a current core. */
const CALIBRATION_N = 100_000;
/** measure's bounds for cpuu's n. */
const MIN_CPUU_N = 1000;
const MAX_CPUU_N = 10_000_000;

const params = z.object({
  fn: z.string().default('measure-node'),
  sizes: z.array(z.number().int().min(128).max(10_240)).min(1).default([128, 256, 512, 1024, 1769]),
  /** The size the cpu loop's time is compared with. */
  referenceMb: z.number().int().min(128).max(10_240).default(MB_PER_VCPU),
  /** Measured calls per size, after a calibration call that also absorbs the cold start. */
  calls: z.number().int().min(1).max(100).default(3),
  /** CPU ms each call's cpuu loop should take: its wall time is this over the share (2.8 s at 128 MB for 200). */
  cpuuMs: z.number().int().min(10).max(5000).default(200),
  /** n of the cpu command (n!): 10000 is about 35 ms on one unthrottled core. */
  cpuN: z.number().int().min(1).max(200_000).default(10_000),
});

type Params = z.output<typeof params>;

interface SizeRow {
  readonly memoryMb: number;
  readonly cpuLimit: CpuLimit;
  readonly expectedShare: number;
  readonly share: number | null;
  readonly minShare: number | null;
  readonly maxShare: number | null;
  readonly medianGapMs: number | null;
  readonly cpuuN: number | null;
  readonly cpuMs: number | null;
  readonly ok: number;
  readonly errors: string | null;
}

export default defineExperiment({
  name: 'cpu-share',
  description: "The CPU share a function gets per memory size: measure's cpuu busy loop (run time over wall time) and cpu loop (n! time against the reference size).",
  params,
  async run(bench, p) {
    const name = await bench.deploy(p.fn, { as: `${p.fn}-cpu-share`, memoryMb: p.sizes[0]!, timeoutS: 300 });
    const rows: SizeRow[] = [];
    for (const [i, memoryMb] of p.sizes.entries()) {
      if (bench.signal.aborted) break;
      if (i > 0) await bench.updateConfig(name, { memoryMb });
      const row = await measureSize(bench, name, memoryMb, p);
      rows.push(row);
      await bench.record('size', { ...row, cpuLimit: { ...row.cpuLimit } });
      bench.progress(i + 1, p.sizes.length, `${memoryMb} MB`);
    }
    return resultOf(rows, p, bench.providerName);
  },
});

async function measureSize(bench: Bench, name: string, memoryMb: number, p: Params): Promise<SizeRow> {
  const expectedShare = Math.min(1, memoryMb / MB_PER_VCPU);
  const blank = { memoryMb, expectedShare, share: null, minShare: null, maxShare: null, medianGapMs: null, cpuuN: null, cpuMs: null, ok: 0 };
  const calibration = await bench.invoke(name, { event: { cmds: { cpuu: { n: CALIBRATION_N } } } }, { tag: `calibrate-${memoryMb}` });
  const cpuLimit = cpuLimitOf(bench.providerName, calibration.record.instanceId);
  const seen = timestampsIn(calibration.response);
  if (calibration.record.status !== 'ok' || seen === null) return { ...blank, cpuLimit, errors: `calibration: ${failureOf(calibration.record.errorClass, calibration.response)}` };
  // Iterations per ms of CPU, from the ms the loop was seen running.
  const perMs = CALIBRATION_N / Math.max(1, cpuShareOf(seen).busyMs);
  const cpuuN = Math.min(MAX_CPUU_N, Math.max(MIN_CPUU_N, Math.round(perMs * p.cpuuMs)));
  const shares: CpuShare[] = [];
  const cpuMs: number[] = [];
  const errors = new Map<string, number>();
  for (let c = 0; c < p.calls && !bench.signal.aborted; c++) {
    const { record, response } = await bench.invoke(name, { event: { cmds: { cpu: { n: p.cpuN }, cpuu: { n: cpuuN } } } }, { tag: `mem-${memoryMb}` });
    const ts = timestampsIn(response);
    const cpu = (response as { cpu?: unknown } | null)?.cpu;
    if (record.status !== 'ok' || ts === null || typeof cpu !== 'number') {
      const why = failureOf(record.errorClass, response);
      errors.set(why, (errors.get(why) ?? 0) + 1);
      continue;
    }
    const share = cpuShareOf(ts);
    shares.push(share);
    cpuMs.push(cpu);
    await bench.record('call', { memoryMb, instanceId: record.instanceId, cpuuN, ...share, cpuMs: cpu });
  }
  const measured = shares.flatMap((s) => (s.share === null ? [] : [s.share]));
  return {
    memoryMb,
    cpuLimit,
    expectedShare,
    share: median(measured),
    minShare: measured.length ? Math.min(...measured) : null,
    maxShare: measured.length ? Math.max(...measured) : null,
    medianGapMs: median(shares.flatMap((s) => (s.medianGapMs === null ? [] : [s.medianGapMs]))),
    cpuuN,
    cpuMs: median(cpuMs),
    ok: shares.length,
    errors: errors.size ? [...errors].map(([why, n]) => `${n} x ${why}`).join('; ') : null,
  };
}

export function resultOf(rows: readonly SizeRow[], p: Params, providerName: string): ExperimentResult {
  const reference = rows.find((r) => r.memoryMb === p.referenceMb)?.cpuMs ?? null;
  const loopShare = (r: SizeRow): number | null => (reference !== null && r.cpuMs !== null ? reference / r.cpuMs : null);
  const headline = rows
    .filter((r) => r.share !== null)
    .map((r) => `${r.memoryMb} MB ${round(r.share, 3)} (expected ${round(r.expectedShare, 3)})`)
    .join(', ');
  return {
    columns: ['memory MB', 'vCPUs applied', 'expected share', 'CPU share', 'min', 'max', 'gap ms', 'cpu loop ms', `cpu loop share vs ${p.referenceMb} MB`, 'ok calls', 'errors'],
    rows: rows.map((r) => [r.memoryMb, cpuLimitCell(r.cpuLimit), round(r.expectedShare, 4), round(r.share, 4), round(r.minShare, 4), round(r.maxShare, 4), r.medianGapMs, round(r.cpuMs, 1), round(loopShare(r), 4), r.ok, r.errors]),
    notes: [
      headline ? `CPU share by memory: ${headline}` : 'no size was measured',
      cpuLimitNote(rows.map((r) => r.cpuLimit), providerName),
      `CPU share: run time over wall time of measure's cpuu busy loop (consecutive ms timestamps are running, gaps held off; whole throttling cycles; median of ${p.calls} calls of about ${p.cpuuMs} ms of CPU each); expected: min(1, MB / 1769) for one thread`,
      `cpu loop share: the time of cpu (n! for n = ${p.cpuN}) at ${p.referenceMb} MB over its time at each size${reference === null ? ` (not computed: ${p.referenceMb} MB was not measured)` : ''}; gap ms: the median gap between the loop's runs`,
    ],
    summary: {
      cpuLimit: cpuLimitKind(rows.map((r) => r.cpuLimit)),
      referenceMb: p.referenceMb,
      sizes: rows.map((r) => ({ ...r, cpuLimit: { ...r.cpuLimit }, loopShare: loopShare(r) })),
    },
    tables: [
      {
        name: 'shares',
        title: 'measured against expected CPU share',
        columns: ['memory MB', 'share', 'measure'],
        rows: rows.flatMap((r) => [
          [r.memoryMb, round(r.expectedShare, 4), 'expected'],
          [r.memoryMb, round(r.share, 4), 'CPU share (cpuu)'],
          [r.memoryMb, round(loopShare(r), 4), `cpu loop vs ${p.referenceMb} MB`],
        ]),
      },
    ],
    charts: [{ title: 'CPU share per memory size: measured against expected', table: 'shares', mark: 'line', x: { column: 'memory MB' }, y: { column: 'share', title: 'share of one CPU' }, series: 'measure' }],
  };
}

function timestampsIn(response: unknown): number[] | null {
  const ts = (response as { cpuu?: unknown } | null)?.cpuu;
  return Array.isArray(ts) && ts.every((t) => typeof t === 'number') ? (ts as number[]) : null;
}

/** The function's own error message where it gave one, else the call's error class. */
function failureOf(errorClass: string | null, response: unknown): string {
  const message = (response as { errorMessage?: unknown } | null)?.errorMessage;
  return [errorClass ?? 'no answer', typeof message === 'string' ? message : null].filter(Boolean).join(': ');
}

function round(value: number | null, digits: number): number | null {
  return value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;
}
