/**
 * The cost model: what calls cost at a price table (GB-seconds of billed duration plus a price per
 * request), summed over stored invocations, and lambda-power-tuning's choice of a memory size by
 * `cost`, `speed` or `balanced` (alexcasalboni/aws-lambda-power-tuning, lambda/analyzer.js and
 * lambda/utils.js), so a sweep here recommends what that tool would on the same numbers.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';
import { billedMsOf, pricingFor, type PriceTable, type Pricing, type PricingOptions } from './pricing.ts';

export interface Cost {
  readonly usd: number;
  readonly computeUsd: number;
  readonly requestUsd: number;
  readonly gbSeconds: number;
  /** The price table's id. */
  readonly pricedAs: string;
}

export interface Usage {
  readonly memoryMb: number;
  /** Billed milliseconds summed over the requests (already rounded by the platform's rule). */
  readonly billedMs: number;
  readonly requests: number;
}

export function costWith(table: PriceTable, usage: Usage): Cost {
  const { memoryMb, billedMs, requests } = usage;
  if (!(memoryMb > 0) || !(billedMs >= 0) || !(requests >= 0)) throw new RangeError(`usage ${JSON.stringify(usage)}: expected memoryMb > 0, billedMs >= 0 and requests >= 0`);
  const gbSeconds = (billedMs / 1000) * (memoryMb / table.mbPerGb);
  const computeUsd = gbSeconds * table.usdPerGbSecond;
  const requestUsd = (requests * table.usdPerMillionRequests) / 1_000_000;
  return { usd: computeUsd + requestUsd, computeUsd, requestUsd, gbSeconds, pricedAs: table.id };
}

/** The cost of `requests` calls billed `billedMs` in all at `memoryMb` on a provider; null where it has no price. */
export function costOf(query: Usage & { readonly provider: string } & PricingOptions): Cost | null {
  const { table } = pricingFor(query.provider, query);
  return table ? costWith(table, query) : null;
}

export interface RecordsCost {
  /** Null when the provider has no price. */
  readonly cost: Cost | null;
  readonly requests: number;
  readonly billedMs: number;
  /** Calls left out: not answered by the function, or without a memory size. */
  readonly unpriced: number;
}

/**
 * The cost of stored calls. A call that reached the function is billed (errors and timeouts
 * too, as on Lambda); one refused, dropped or lost in transport never ran and costs nothing.
 * The platform's billed duration is used when it reported one, else the duration billed by
 * the table's rule; memory comes from the record, else `memoryMb`.
 */
export function costOfRecords(records: Iterable<InvocationRecord>, pricing: Pricing, memoryMb: number | null = null): RecordsCost {
  let requests = 0;
  let unpriced = 0;
  let billedMs = 0;
  let gbMs = 0;
  for (const r of records) {
    const mb = r.memoryMb ?? memoryMb;
    const ran = r.status === 'ok' || r.status === 'function-error';
    const billed = r.billedMs ?? (pricing.table && r.durationMs !== null ? billedMsOf(r.durationMs, pricing.table) : null);
    if (!ran || mb === null || billed === null) {
      unpriced++;
      continue;
    }
    requests++;
    billedMs += billed;
    gbMs += billed * mb;
  }
  if (!pricing.table) return { cost: null, requests, billedMs, unpriced };
  // Memory may differ between calls: price the MB-ms sum, as 1 MB over its whole billed time.
  const byMb = costWith(pricing.table, { memoryMb: 1, billedMs: gbMs, requests });
  return { cost: byMb, requests, billedMs, unpriced };
}

// ---- lambda-power-tuning ----

export type Strategy = 'cost' | 'speed' | 'balanced';
export const STRATEGIES: readonly Strategy[] = ['cost', 'speed', 'balanced'];
/** lambda-power-tuning's defaults. */
export const DEFAULT_DISCARD_TOP_BOTTOM = 0.2;
export const DEFAULT_BALANCED_WEIGHT = 0.5;

/**
 * lambda-power-tuning's average duration: drop floor(n x discard) of the lowest and as many of
 * the highest values (the cold and the unlucky), average the rest. With 5 values and 0.2, one of
 * each end goes.
 */
export function trimmedMean(values: readonly number[], discardTopBottom = DEFAULT_DISCARD_TOP_BOTTOM): number | null {
  if (!(discardTopBottom >= 0 && discardTopBottom <= 0.4)) throw new RangeError(`discardTopBottom ${discardTopBottom}: expected 0 to 0.4`);
  if (values.length === 0) return null;
  const drop = Math.floor(values.length * discardTopBottom);
  const kept = [...values].sort((a, b) => a - b).slice(drop, values.length - drop);
  return kept.reduce((s, v) => s + v, 0) / kept.length;
}

export interface PowerStat {
  readonly memoryMb: number;
  /** The trimmed mean of the billed durations, ms. */
  readonly durationMs: number;
  /** One call's cost at that duration; null where the provider has no price. */
  readonly costUsd: number | null;
}

/**
 * One average call: lambda-power-tuning's averagePrice (the average billed duration rounded up
 * to a whole ms, times the memory's price per ms) plus the price of the request, which that tool
 * leaves out. A constant across sizes, it changes no `cost` or `speed` choice; under `balanced`
 * it makes costs differ by less relative to the largest.
 */
export function averageCallCost(table: PriceTable | null, memoryMb: number, averageBilledMs: number): Cost | null {
  return table ? costWith(table, { memoryMb, billedMs: Math.ceil(averageBilledMs), requests: 1 }) : null;
}

/** lambda-power-tuning's balanced value, minimised: weight x cost / max cost + (1 - weight) x duration / max duration. */
export function balancedScore(stat: PowerStat, stats: readonly PowerStat[], weight = DEFAULT_BALANCED_WEIGHT): number | null {
  if (stat.costUsd === null) return null;
  const maxCost = Math.max(...stats.map((s) => s.costUsd ?? 0));
  const maxDuration = Math.max(...stats.map((s) => s.durationMs));
  return (weight * stat.costUsd) / maxCost + ((1 - weight) * stat.durationMs) / maxDuration;
}

/**
 * The size lambda-power-tuning would pick: `cost` the cheapest (ties: the faster), `speed` the
 * fastest (ties: the cheaper), `balanced` the lowest balanced score (ties: the earlier in
 * `stats`, as its stable sort keeps them). Null without stats, or for `cost` and `balanced`
 * when the sizes have no price.
 */
export function recommend(stats: readonly PowerStat[], strategy: Strategy, balancedWeight = DEFAULT_BALANCED_WEIGHT): PowerStat | null {
  if (!(balancedWeight >= 0 && balancedWeight <= 1)) throw new RangeError(`balancedWeight ${balancedWeight}: expected 0 to 1`);
  if (stats.length === 0) return null;
  const priced = stats.every((s) => s.costUsd !== null);
  if (strategy === 'speed') return [...stats].sort((a, b) => a.durationMs - b.durationMs || (priced ? a.costUsd! - b.costUsd! : 0))[0]!;
  if (!priced) return null;
  if (strategy === 'cost') return [...stats].sort((a, b) => a.costUsd! - b.costUsd! || a.durationMs - b.durationMs)[0]!;
  return [...stats].sort((a, b) => balancedScore(a, stats, balancedWeight)! - balancedScore(b, stats, balancedWeight)!)[0]!;
}
