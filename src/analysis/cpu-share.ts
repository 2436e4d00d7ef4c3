/**
 * The share of a CPU an instance got, from measure's `cpuu`: the distinct integer ms timestamps
 * a busy loop saw. While the loop runs it sees every ms; while a quota holds it off, none. So
 * timestamps fall into runs of consecutive ms separated by gaps, and the share is run time over
 * wall time.
 *
 * Unbiased at ms resolution: a run seen from ms s to ms e ran about e - s ms (it entered s and
 * left e at uniformly random points), and the gap after it lasted about the difference of the
 * next run's first ms and e. Under a quota the loop runs in bursts, one per period; counting from
 * the first burst to the end of the last one would count one burst too many (the window ends
 * without its gap), and the first burst is short (the loop starts part way into a period's
 * quota). So the window is whole cycles, from the 2nd run's start to the last run's start, when
 * there are 3 runs or more and those cycles cover at least half the span; otherwise (an
 * unthrottled loop with a stray gap or two) it is the whole span.
 */
import { median } from './percentile.ts';

export interface CpuShare {
  /** Run time over window time, 0 to 1; null with fewer than 2 timestamps. */
  readonly share: number | null;
  /** Runs of consecutive ms (1: never held off). */
  readonly runs: number;
  /** Last timestamp - first, ms. */
  readonly spanMs: number;
  /** The wall time the share is over, ms. */
  readonly windowMs: number;
  /** ms the loop ran in the window. */
  readonly busyMs: number;
  /** The median gap between runs, ms: a quota's period minus its quota; null without gaps. */
  readonly medianGapMs: number | null;
}

export function cpuShareOf(timestamps: readonly number[]): CpuShare {
  const ts = [...timestamps].sort((a, b) => a - b);
  const runs: Array<{ start: number; end: number }> = [];
  for (const t of ts) {
    const last = runs.at(-1);
    if (last && t === last.end) continue;
    if (last && t === last.end + 1) last.end = t;
    else runs.push({ start: t, end: t });
  }
  const spanMs = ts.length ? ts.at(-1)! - ts[0]! : 0;
  const medianGapMs = median(runs.slice(1).map((r, i) => r.start - runs[i]!.end));
  if (spanMs === 0) return { share: null, runs: runs.length, spanMs, windowMs: 0, busyMs: 0, medianGapMs };
  const cycles = runs.length >= 3 ? runs.slice(1, -1) : [];
  const cyclesMs = cycles.length ? runs.at(-1)!.start - runs[1]!.start : 0;
  const counted = cyclesMs * 2 >= spanMs ? cycles : runs;
  const windowMs = counted === cycles ? cyclesMs : spanMs;
  const busyMs = counted.reduce((s, r) => s + (r.end - r.start), 0);
  return { share: busyMs / windowMs, runs: runs.length, spanMs, windowMs, busyMs, medianGapMs };
}
