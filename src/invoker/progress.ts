/**
 * Live counts of a running plan: what a progress line, a dashboard and the final summary read.
 * Lateness is kept over a sliding window of recent sends, so "current lateness" means now.
 */
import type { InvocationStatus } from '../core/invocation-record.ts';

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
  readonly latenessP99Ms: number;
  readonly latenessMaxMs: number;
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
    const window = Array.from(this.lateness.subarray(0, n)).sort((a, b) => a - b);
    const errors = this.done - (this.byStatus.ok ?? 0);
    return {
      planned: this.planned,
      sent: this.sent,
      done: this.done,
      inFlight: this.sent - this.done,
      dropped: this.dropped,
      errors,
      byStatus: { ...this.byStatus },
      latenessP99Ms: n ? (window[Math.min(n - 1, Math.floor(n * 0.99))] as number) : 0,
      latenessMaxMs: n ? (window[n - 1] as number) : 0,
    };
  }
}
