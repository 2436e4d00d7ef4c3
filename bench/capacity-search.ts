/**
 * The open-loop capacity search the invoker benches share: constant-rate trials through the real
 * path of a load run (invoker-runs.ts), up by a quarter while a trial holds, then the gap between
 * the last rate held and the first missed halved twice.
 */
import { progress } from './bench-cli.ts';
import { constantRun, type RunTarget } from './invoker-runs.ts';

export interface Trial {
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly dropped: number;
  readonly ok: number;
  /** Every call sent and answered ok: nothing dropped, no error. */
  readonly holds: boolean;
}

export async function trial(target: RunTarget, rate: number, seconds: number, store: string): Promise<Trial> {
  const result = await constantRun({ target, rate, seconds, store, connections: 64 });
  const s = result.summary;
  const dropped = s.byStatus.dropped ?? 0;
  const ok = s.byStatus.ok ?? 0;
  // No call sent: no lateness figure (null), and the trial does not hold.
  const lateness = s.latenessMs ?? { p50: Infinity, p99: Infinity, max: Infinity };
  return { rate, p50Ms: lateness.p50, p99Ms: lateness.p99, maxMs: lateness.max, dropped, ok, holds: dropped === 0 && ok === s.total };
}

/** The bar: nothing dropped, every call ok, and p99 lateness at most 1 ms. */
export const onTime = (t: Trial): boolean => t.holds && t.p99Ms <= 1;
/** Throughput alone: every call sent and answered, however late. */
export const complete = (t: Trial): boolean => t.holds;

export interface Search {
  readonly best: Trial | undefined;
  readonly trials: Trial[];
}

/**
 * From `from`, up by a quarter while `holds` (down by halves if `from` itself misses), then halve
 * the gap between the last held and the first failed rate, twice.
 */
export async function capacity(target: RunTarget, store: string, from: number, trialS: number, holds: (t: Trial) => boolean): Promise<Search> {
  const trials: Trial[] = [];
  let held: Trial | undefined;
  let failed: number | undefined;
  const attempt = async (rate: number): Promise<void> => {
    const t = await trial(target, rate, trialS, store);
    trials.push(t);
    progress(`  ${rate}/s: p99 lateness ${t.p99Ms.toFixed(2)} ms, dropped ${t.dropped}, ok ${t.ok} -> ${holds(t) ? 'holds' : 'does not hold'}`);
    if (holds(t)) held = t;
    else failed = rate;
  };
  for (let rate = from; failed === undefined && rate <= 100_000; rate = Math.round(rate * 1.25)) await attempt(rate);
  // The first rate already missed: down by halves, three times at most, so the search still finds a rate.
  for (let rate = from / 2, i = 0; !held && i < 3; rate /= 2, i++) await attempt(Math.round(rate));
  for (let i = 0; i < 2 && held && failed !== undefined; i++) await attempt(Math.round((held.rate + failed) / 2));
  return { best: held, trials };
}
