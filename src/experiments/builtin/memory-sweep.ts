/**
 * memory-sweep: the same calls at each memory size, their billed durations and what they cost,
 * and the size to choose by `cost`, `speed` or `balanced`, as AWS Lambda Power Tuning chooses
 * (alexcasalboni/aws-lambda-power-tuning): per size, the average of the billed durations with the
 * top and bottom 20% dropped; the average call's cost at that average rounded up to a whole ms;
 * then the cheapest, the fastest, or the lowest weight x cost / max cost + (1 - weight) x
 * duration / max duration. One departure, which changes no `cost` or `speed` choice: a call's
 * cost here includes the price of the request (analysis/cost.ts).
 *
 * The default function is CPU-bound (lab-node's matmul kernel), so where CPU follows memory the
 * durations fall as memory grows and the cost is a real trade-off. Each size starts with a warm-up
 * call that takes the cold start (and, on the local platform, shows the CPU limit applied); the
 * measured calls follow on the warm instance, in series.
 */
import { z } from 'zod';
import { averageCallCost, balancedScore, DEFAULT_BALANCED_WEIGHT, DEFAULT_DISCARD_TOP_BOTTOM, recommend, STRATEGIES, trimmedMean, type PowerStat, type Strategy } from '../../analysis/cost.ts';
import { PRICE_TABLES, pricingFor, type Pricing } from '../../analysis/pricing.ts';
import { median } from '../../analysis/percentile.ts';
import type { InvocationRecord } from '../../core/invocation-record.ts';
import type { Bench, Payload } from '../bench.ts';
import { cpuLimitCell, cpuLimitKind, cpuLimitNote, cpuLimitOf, type CpuLimit } from '../cpu-limit.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';

const params = z.object({
  fn: z.string().default('lab-node'),
  /** The event every call gets; about 35 ms of matrix product on one unthrottled core. */
  event: z.unknown().default({ run_function: 'matmul', args: { n: 200 }, seed: 42 }),
  /** A named input of the function (test, small, large) instead of `event`. */
  input: z.string().nullable().default(null),
  sizes: z.array(z.number().int().min(128).max(10_240)).min(1).default([128, 256, 512, 1024, 1769]),
  /** Measured calls per size, after one warm-up call. */
  calls: z.number().int().min(1).max(1000).default(5),
  strategy: z.enum(['cost', 'speed', 'balanced']).default('cost'),
  /** 0: the fastest, 1: the cheapest. */
  balancedWeight: z.number().min(0).max(1).default(DEFAULT_BALANCED_WEIGHT),
  /** Share of the lowest and of the highest billed durations left out of each average. */
  discardTopBottom: z.number().min(0).max(0.4).default(DEFAULT_DISCARD_TOP_BOTTOM),
  /** The Lambda architecture priced (local and aws-lambda). */
  architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
  /** A price table to use whatever the provider (`aws-lambda/arm64`), or `none`. */
  priceAs: z
    .string()
    .refine((v) => v === 'none' || Object.hasOwn(PRICE_TABLES, v), { message: `expected one of ${[...Object.keys(PRICE_TABLES), 'none'].join(', ')}` })
    .nullable()
    .default(null),
  timeoutS: z.number().positive().max(900).default(60),
});

type Params = z.output<typeof params>;

interface SizeRow {
  readonly memoryMb: number;
  readonly cpuLimit: CpuLimit;
  /** Billed ms of each measured call that ran, in call order. */
  readonly billedMs: readonly number[];
  readonly ok: number;
  readonly errors: string | null;
  readonly averageBilledMs: number | null;
  readonly medianDurationMs: number | null;
  /** One average call, USD; null without a price or without calls. */
  readonly costUsd: number | null;
}

export default defineExperiment({
  name: 'memory-sweep',
  description: 'Duration, billed duration and cost of the same calls at each memory size, and the size to choose by cost, speed or balanced (lambda-power-tuning).',
  params,
  async run(bench, p) {
    const pricing = pricingFor(bench.providerName, { architecture: p.architecture, ...(p.priceAs === null ? {} : { priceAs: p.priceAs }) });
    const payload: Payload = p.input === null ? { event: p.event ?? {} } : { input: p.input };
    const name = await bench.deploy(p.fn, { as: `${p.fn}-sweep`, memoryMb: p.sizes[0]!, timeoutS: p.timeoutS });
    const rows: SizeRow[] = [];
    for (const [i, memoryMb] of p.sizes.entries()) {
      if (bench.signal.aborted) break;
      if (i > 0) await bench.updateConfig(name, { memoryMb });
      const row = await sweepSize(bench, name, memoryMb, payload, p, pricing);
      rows.push(row);
      await bench.record('size', { ...row, billedMs: [...row.billedMs], cpuLimit: { ...row.cpuLimit } });
      bench.progress(i + 1, p.sizes.length, `${memoryMb} MB`);
    }
    return resultOf(rows, p, pricing, bench.providerName);
  },
});

async function sweepSize(bench: Bench, name: string, memoryMb: number, payload: Payload, p: Params, pricing: Pricing): Promise<SizeRow> {
  const warm = await bench.invoke(name, payload, { tag: `warmup-${memoryMb}` });
  const cpuLimit = cpuLimitOf(bench.providerName, warm.record.instanceId);
  const records: InvocationRecord[] = [];
  for (let c = 0; c < p.calls && !bench.signal.aborted; c++) records.push((await bench.invoke(name, payload, { tag: `mem-${memoryMb}` })).record);
  const ran = records.filter((r) => r.status === 'ok' && billedOf(r) !== null);
  const failed = records.filter((r) => !ran.includes(r));
  const classes = new Map<string, number>();
  for (const r of failed) classes.set(r.errorClass ?? r.status, (classes.get(r.errorClass ?? r.status) ?? 0) + 1);
  const billedMs = ran.map((r) => billedOf(r)!);
  const averageBilledMs = trimmedMean(billedMs, p.discardTopBottom);
  return {
    memoryMb,
    cpuLimit,
    billedMs,
    ok: ran.length,
    errors: classes.size ? [...classes].map(([c, n]) => `${n} x ${c}`).join('; ') : null,
    averageBilledMs,
    medianDurationMs: median(ran.map((r) => r.durationMs ?? billedOf(r)!)),
    costUsd: averageBilledMs === null ? null : (averageCallCost(pricing.table, memoryMb, averageBilledMs)?.usd ?? null),
  };
}

/** The platform's billed ms; where it reports only a duration, that duration rounded up to the ms, as Lambda bills. */
function billedOf(r: InvocationRecord): number | null {
  return r.billedMs ?? (r.durationMs === null ? null : Math.max(1, Math.ceil(r.durationMs)));
}

export function resultOf(rows: readonly SizeRow[], p: Params, pricing: Pricing, providerName: string): ExperimentResult {
  const stats: PowerStat[] = rows.flatMap((r) => (r.averageBilledMs === null ? [] : [{ memoryMb: r.memoryMb, durationMs: r.averageBilledMs, costUsd: r.costUsd }]));
  const byStrategy = Object.fromEntries(STRATEGIES.map((s) => [s, recommend(stats, s, p.balancedWeight)?.memoryMb ?? null])) as Record<Strategy, number | null>;
  const chosen = recommend(stats, p.strategy, p.balancedWeight);
  const perMillion = (usd: number | null): number | null => (usd === null ? null : round(usd * 1_000_000, 4));
  const score = (r: SizeRow): number | null => {
    const stat = stats.find((s) => s.memoryMb === r.memoryMb);
    return stat ? round(balancedScore(stat, stats, p.balancedWeight), 4) : null;
  };
  const headline = chosen
    ? `recommended by ${p.strategy}${p.strategy === 'balanced' ? ` (weight ${p.balancedWeight})` : ''}: ${chosen.memoryMb} MB, average billed ${round(chosen.durationMs, 1)} ms${chosen.costUsd === null ? '' : `, $${perMillion(chosen.costUsd)} per 1M calls`}`
    : stats.length
      ? `no recommendation by ${p.strategy}: ${providerName} calls have no price; by speed: ${byStrategy.speed} MB`
      : 'no recommendation: no size had a call that ran';
  return {
    columns: ['memory MB', 'vCPUs applied', 'ok calls', 'avg billed ms', 'min billed ms', 'max billed ms', 'p50 duration ms', 'USD per 1M calls', `balanced score (w ${p.balancedWeight})`, 'errors'],
    rows: rows.map((r) => [
      r.memoryMb,
      cpuLimitCell(r.cpuLimit),
      r.ok,
      round(r.averageBilledMs, 2),
      r.billedMs.length ? Math.min(...r.billedMs) : null,
      r.billedMs.length ? Math.max(...r.billedMs) : null,
      round(r.medianDurationMs, 2),
      perMillion(r.costUsd),
      score(r),
      r.errors,
    ]),
    notes: [
      headline,
      `by strategy: cost ${byStrategy.cost ?? '-'} MB, speed ${byStrategy.speed ?? '-'} MB, balanced (weight ${p.balancedWeight}) ${byStrategy.balanced ?? '-'} MB`,
      pricing.note,
      cpuLimitNote(rows.map((r) => r.cpuLimit), providerName),
      `avg billed ms: mean of each size's ${p.calls} billed durations without the lowest and highest ${Math.round(p.discardTopBottom * 100)}% (lambda-power-tuning's discardTopBottom); cost of a call: ceil(avg billed ms) x MB / 1024 x price per GB-s + price per request`,
    ],
    summary: {
      strategy: p.strategy,
      balancedWeight: p.balancedWeight,
      discardTopBottom: p.discardTopBottom,
      pricedAs: pricing.table?.id ?? null,
      cpuLimit: cpuLimitKind(rows.map((r) => r.cpuLimit)),
      recommendation: chosen ? { ...chosen } : null,
      byStrategy,
      sizes: rows.map((r) => ({ ...r, billedMs: [...r.billedMs], cpuLimit: { ...r.cpuLimit } })),
    },
    // lambda-power-tuning's curve, as two charts over the same sizes: what a call costs, how long it bills.
    charts: [
      { title: 'cost per memory size', mark: 'line', x: { column: 'memory MB', type: 'ordinal' }, y: { column: 'USD per 1M calls' } },
      { title: 'speed per memory size', mark: 'line', x: { column: 'memory MB', type: 'ordinal' }, y: { column: 'avg billed ms' } },
    ],
  };
}

function round(value: number | null, digits: number): number | null {
  return value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;
}
