/**
 * Live counts of a running plan: what a progress line, a dashboard and the final summary read.
 * Lateness is kept over a sliding window of recent sends, so "current lateness" means now.
 */
import type { InvocationStatus } from '../core/invocation-record.ts';
import { percentileOfSorted } from '../analysis/percentile.ts';

const WINDOW = 1000;

export interface ProgressSnapshot {
  readonly planned: number | undefined;
  readonly sent: number;
  readonly done: number;
  readonly inFlight: number;
  readonly dropped: number;
  readonly errors: number;
  readonly byStatus: Readonly<Partial<Record<InvocationStatus, number>>>;
  /** p99 and max lateness (ms) over the last WINDOW sends. */
  /** Over the recent sends; null before the first. */
  readonly latenessP99Ms: number | null;
  readonly latenessMaxMs: number | null;
  /** Records not yet in the store (the store is failing or behind), when the caller's sink says. */
  readonly recordsWaiting?: number;
}

export class Progress {
  private sent = 0;
  private done = 0;
  private dropped = 0;
  private readonly byStatus: Partial<Record<InvocationStatus, number>> = {};
  private readonly lateness = new Float64Array(WINDOW);
  private latenessCount = 0;

  constructor(private readonly planned: number | undefined) {}

  markSent(latenessUs: number): void {
    this.sent += 1;
    this.lateness[this.latenessCount % WINDOW] = latenessUs / 1000;
    this.latenessCount += 1;
  }

  markDone(status: InvocationStatus): void {
    if (status === 'dropped') this.dropped += 1;
    else this.done += 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  snapshot(): ProgressSnapshot {
    const n = Math.min(this.latenessCount, WINDOW);
    const window = Float64Array.from(this.lateness.subarray(0, n)).sort();
    const errors = this.done - (this.byStatus.ok ?? 0);
    return {
      planned: this.planned,
      sent: this.sent,
      done: this.done,
      inFlight: this.sent - this.done,
      dropped: this.dropped,
      errors,
      byStatus: { ...this.byStatus },
      // The one definition (nearest rank), over the recent window; no sends yet is no figure.
      latenessP99Ms: n ? percentileOfSorted(window, 99) : null,
      latenessMaxMs: n ? window[n - 1]! : null,
    };
  }
}
