/**
 * CallTally: the counts and timings every view of a set of calls shares, fed one record at a time.
 * The end-of-run summary (run-summary.ts), analyze (run-analysis.ts) and the report's data all
 * tally calls here, so they agree by construction:
 * - warm-up calls are counted in `warmupCalls` and in nothing else;
 * - `calls` are the measured calls, by status and by error class;
 * - latency is over answered (`ok`) calls only; every other status (function-error, throttled,
 *   rejected, transport-error, dropped, unknown: sent but never answered) is counted, not timed;
 * - lateness is sent - planned of measured calls that were sent (sent early counts as 0).
 */
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import { LatencyAccumulator, type AccumulatorOptions, type Percentiles } from './latency-accumulator.ts';

/** What a tally reads of a record. */
export type TalliedRecord = Pick<InvocationRecord, 'phase' | 'status' | 'errorClass' | 'latencyMs' | 'plannedUs' | 'sentUs'>;

export interface CallCounts {
  /** Measured calls (warm-up calls left out). */
  readonly calls: number;
  readonly warmupCalls: number;
  /** Measured calls by status. */
  readonly byStatus: Partial<Record<InvocationStatus, number>>;
  /** Measured calls by error class. */
  readonly errorClasses: Record<string, number>;
  /** Measured calls answered ok: the calls latency figures are over. */
  readonly ok: number;
  /** Measured calls not ok (`calls - ok`), by status in byStatus. */
  readonly failed: number;
}

/** A measured call answered ok with a latency: the calls every latency figure is over. */
export function isTimed<R extends Pick<InvocationRecord, 'phase' | 'status' | 'latencyMs'>>(r: R): r is R & { latencyMs: number } {
  return r.phase === 'measure' && r.status === 'ok' && r.latencyMs !== null;
}

export interface TallyOptions extends AccumulatorOptions {
  /**
   * Keep the exact values of these figures (default both). A reader that takes a figure elsewhere
   * leaves it out: the report bins lateness in a LogHistogram, and the dashboard reads latency
   * from the analysis of the same pass; each kept figure is 8 bytes a call (less when `counted`).
   */
  readonly keep?: { readonly latency?: boolean; readonly lateness?: boolean };
}

export class CallTally {
  calls = 0;
  warmupCalls = 0;
  readonly byStatus: Partial<Record<InvocationStatus, number>> = {};
  readonly errorClasses: Record<string, number> = {};
  readonly #latency: LatencyAccumulator | null;
  readonly #lateness: LatencyAccumulator | null;

  constructor(options: TallyOptions = {}) {
    this.#latency = options.keep?.latency === false ? null : new LatencyAccumulator(options);
    this.#lateness = options.keep?.lateness === false ? null : new LatencyAccumulator(options);
  }

  /** ms, ok measured calls. Throws when the tally was told not to keep it: absent is not "no calls". */
  get latency(): LatencyAccumulator {
    if (!this.#latency) throw new Error('CallTally.latency: not kept (keep.latency: false)');
    return this.#latency;
  }

  /** ms, measured calls that were sent. Throws when the tally was told not to keep it. */
  get lateness(): LatencyAccumulator {
    if (!this.#lateness) throw new Error('CallTally.lateness: not kept (keep.lateness: false)');
    return this.#lateness;
  }

  /**
   * Counts the record; true when it is a measured call (callers tally more of those), false for a
   * warm-up call. With `timed` false only counts are kept (a total whose timings are merged later).
   */
  add(r: TalliedRecord, timed = true): boolean {
    if (r.phase !== 'measure') {
      this.warmupCalls += 1;
      return false;
    }
    this.calls += 1;
    this.byStatus[r.status] = (this.byStatus[r.status] ?? 0) + 1;
    if (r.errorClass !== null) this.errorClasses[r.errorClass] = (this.errorClasses[r.errorClass] ?? 0) + 1;
    if (timed && r.sentUs !== null) this.#lateness?.add(Math.max(0, r.sentUs - r.plannedUs) / 1000);
    if (timed && isTimed(r)) this.#latency?.add(r.latencyMs);
    return true;
  }

  counts(): CallCounts {
    const ok = this.byStatus.ok ?? 0;
    return { calls: this.calls, warmupCalls: this.warmupCalls, byStatus: { ...this.byStatus }, errorClasses: { ...this.errorClasses }, ok, failed: this.calls - ok };
  }

  latencyMs(): Percentiles | null {
    return this.latency.percentiles();
  }

  latenessMs(): Percentiles | null {
    return this.lateness.percentiles();
  }
}

/**
 * The tally of a finite set of records: what an experiment tabulates a group of its calls with (a
 * burst, a spike, one size), so its tables carry the figures analyze gives for the same calls.
 */
export function tallyCalls(records: Iterable<TalliedRecord>): CallTally {
  const tally = new CallTally();
  for (const r of records) tally.add(r);
  return tally;
}
