/**
 * Request breakdowns (trace-breakdown.ts) per entry function and for all requests: each part's
 * mean (means add up, so a stacked chart of them is the mean request) and its percentiles by the
 * one definition (percentile.ts; percentiles of parts do not add up, and are not drawn stacked).
 */
import { percentile, REPORTED_PERCENTILES } from './percentile.ts';
import { BREAKDOWN_PARTS, type BreakdownPart, type RequestBreakdown } from './trace-breakdown.ts';

export type BreakdownFigure = BreakdownPart | 'totalMs';
export const BREAKDOWN_FIGURES: readonly BreakdownFigure[] = ['totalMs', ...BREAKDOWN_PARTS];

export interface PartStats {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface FunctionBreakdown {
  /** The entry function; `all` for every request together. */
  readonly fn: string;
  readonly requests: number;
  readonly cold: number;
  readonly nestedCalls: number;
  readonly parts: Readonly<Record<BreakdownFigure, PartStats>>;
}

/** One row per entry function (by name), then `all` when there is more than one function. */
export function breakdownByFunction(requests: readonly RequestBreakdown[]): FunctionBreakdown[] {
  const byFn = new Map<string, RequestBreakdown[]>();
  for (const r of requests) byFn.set(r.fn, [...(byFn.get(r.fn) ?? []), r]);
  const rows = [...byFn.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([fn, rs]) => functionBreakdown(fn, rs));
  return rows.length > 1 ? [...rows, functionBreakdown('all', requests)] : rows;
}

export function functionBreakdown(fn: string, requests: readonly RequestBreakdown[]): FunctionBreakdown {
  const parts = Object.fromEntries(BREAKDOWN_FIGURES.map((figure) => [figure, statsOf(requests.map((r) => r[figure]))])) as Record<BreakdownFigure, PartStats>;
  return { fn, requests: requests.length, cold: requests.filter((r) => r.cold).length, nestedCalls: requests.reduce((n, r) => n + r.nestedCalls, 0), parts };
}

function statsOf(values: readonly number[]): PartStats {
  const [p50, p90, p99, p999] = REPORTED_PERCENTILES.map((p) => percentile(values, p) ?? 0) as [number, number, number, number];
  const mean = values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, p50, p90, p99, p999, max: values.reduce((a, b) => Math.max(a, b), 0) };
}
