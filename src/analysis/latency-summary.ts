/**
 * A streaming summary of invocation records: counts by status and error class, latency and
 * lateness percentiles from HDR histograms (constant memory, 3 significant digits), cold starts.
 * analysis/ reads records; it never sends, stores or renders anything.
 */
import * as hdr from 'hdr-histogram-js';
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export interface RunSummary {
  readonly total: number;
  readonly byStatus: Partial<Record<InvocationStatus, number>>;
  readonly errorClasses: Record<string, number>;
  readonly cold: number;
  readonly warm: number;
  /** ms, over answered calls. */
  readonly latencyMs: Percentiles;
  /** sent - planned, ms, over sent calls. */
  readonly latenessMs: Percentiles;
  readonly instances: number;
}

/** Values are recorded in µs so sub-millisecond latencies keep their digits. */
function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function percentiles(h: hdr.Histogram): Percentiles {
  const ms = (us: number): number => us / 1000;
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

export class SummaryBuilder {
  private total = 0;
  private readonly byStatus: Partial<Record<InvocationStatus, number>> = {};
  private readonly errorClasses: Record<string, number> = {};
  private cold = 0;
  private warm = 0;
  private readonly latency = histogram();
  private readonly lateness = histogram();
  // Instance ids are few next to calls (one per instance, not per call).
  private readonly instanceIds = new Set<string>();

  add(r: InvocationRecord): void {
    this.total += 1;
    this.byStatus[r.status] = (this.byStatus[r.status] ?? 0) + 1;
    if (r.errorClass) this.errorClasses[r.errorClass] = (this.errorClasses[r.errorClass] ?? 0) + 1;
    if (r.cold === true) this.cold += 1;
    if (r.cold === false) this.warm += 1;
    if (r.instanceId) this.instanceIds.add(r.instanceId);
    if (r.latencyMs !== null) this.latency.recordValue(Math.max(1, Math.round(r.latencyMs * 1000)));
    if (r.sentUs !== null) this.lateness.recordValue(Math.max(1, Math.round(r.sentUs - r.plannedUs)));
  }

  summary(): RunSummary {
    return {
      total: this.total,
      byStatus: { ...this.byStatus },
      errorClasses: { ...this.errorClasses },
      cold: this.cold,
      warm: this.warm,
      latencyMs: percentiles(this.latency),
      latenessMs: percentiles(this.lateness),
      instances: this.instanceIds.size,
    };
  }
}
