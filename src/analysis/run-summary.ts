/**
 * SummaryBuilder: the end-of-run summary `invoke`, `trace replay` and an experiment's loads print
 * and store, built while the records stream past, from the same tally (call-tally.ts) and the same
 * exact percentiles as `analyze`: the printed figures of a run are analyze's figures of that run.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';
import { CallTally } from './call-tally.ts';
import type { Percentiles } from './latency-accumulator.ts';

export interface RunSummary {
  /** Measured calls: warm-up calls are left out (counted in `warmupCalls`). */
  readonly total: number;
  readonly warmupCalls: number;
  /** Measured calls by status and by error class. */
  readonly byStatus: Partial<Record<InvocationRecord['status'], number>>;
  readonly errorClasses: Record<string, number>;
  readonly ok: number;
  /** Measured calls not ok. */
  readonly failed: number;
  /** Measured calls the platform flagged cold and warm. */
  readonly cold: number;
  readonly warm: number;
  /** Distinct instances (an id under one function), warm-up calls included (they start instances too), as analyze counts them. */
  readonly instances: number;
  /** Over ok measured calls; null when there were none. */
  readonly latencyMs: Percentiles | null;
  /** sent - planned, ms, over sent measured calls (sent early counts as 0); null when none was sent. */
  readonly latenessMs: Percentiles | null;
}

/**
 * The summary counts values that are whole quarter µs (every latency and lateness the invoker
 * measures, micro-counts.ts; a value of 16.8 s or more is kept one by one), so its memory follows the distinct values, not the calls, and
 * its figures are analyze's exact figures for a run of any length. Values kept one by one (8 bytes
 * each) are bounded: past a million of them the figures come from a histogram, and say so in each
 * figure's `precision`.
 */
export const SUMMARY_EXACT_UP_TO = 1 << 20;

export class SummaryBuilder {
  readonly #tally: CallTally;
  #cold = 0;
  #warm = 0;
  // Instance ids are few next to calls (one per instance, not per call).
  readonly #instanceIds = new Set<string>();

  constructor() {
    this.#tally = new CallTally({ exactUpTo: SUMMARY_EXACT_UP_TO, counted: true });
  }

  add(r: InvocationRecord): void {
    if (r.instanceId !== null) this.#instanceIds.add(`${r.fn}\0${r.instanceId}`);
    if (!this.#tally.add(r)) return;
    if (r.cold === true) this.#cold += 1;
    if (r.cold === false) this.#warm += 1;
  }

  /** A latency percentile (ms) the summary does not carry (p95), of the same ok calls by the same definition; null for none. */
  latencyPercentileMs(p: number): number | null {
    return this.#tally.latency.percentile(p);
  }

  summary(): RunSummary {
    const c = this.#tally.counts();
    return {
      total: c.calls,
      warmupCalls: c.warmupCalls,
      byStatus: c.byStatus,
      errorClasses: c.errorClasses,
      ok: c.ok,
      failed: c.failed,
      cold: this.#cold,
      warm: this.#warm,
      instances: this.#instanceIds.size,
      latencyMs: this.#tally.latencyMs(),
      latenessMs: this.#tally.latenessMs(),
    };
  }
}
