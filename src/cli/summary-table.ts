/** The latency, lateness and status summary a load run prints (invoke, trace replay). */
import Table from 'cli-table3';
import type { RunSummary } from '../analysis/run-summary.ts';
import { plural } from '../core/plural.ts';

export function summaryTable(s: RunSummary): string {
  const table = new Table({ head: ['', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], style: { head: [], border: [] } });
  // No value is no figure: "-", never 0.
  const line = (label: string, p: RunSummary['latencyMs']): string[] => [label, String(p?.count ?? 0), ...(p ? [p.p50, p.p90, p.p99, p.p999, p.max].map((v) => v.toFixed(2)) : ['-', '-', '-', '-', '-'])];
  table.push(line('latency ms', s.latencyMs), line('lateness ms', s.latenessMs));
  const statuses = Object.entries(s.byStatus).map(([k, v]) => `${k} ${v}`).join(', ');
  const classes = Object.entries(s.errorClasses).map(([k, v]) => `${k} ${v}`).join(', ');
  const warmup = s.warmupCalls > 0 ? ` (${plural(s.warmupCalls, 'warm-up call')} not counted)` : '';
  return [
    table.toString(),
    `${plural(s.total, 'call')}${warmup}: ${statuses || 'none'}${classes ? ` (${classes})` : ''}; cold ${s.cold}, warm ${s.warm}, instances ${s.instances}`,
    `latency over ok calls only; ${precisionNote(s)}`,
  ].join('\n');
}

function precisionNote(s: RunSummary): string {
  const histogram = [s.latencyMs, s.latenessMs].some((p) => p !== null && p.precision !== 'exact');
  if (!histogram) return 'percentiles are nearest rank of exact values';
  // Past SUMMARY_EXACT_UP_TO values kept one by one (16.8 s or more): analyze reads the stored values and gives the exact figures.
  return 'percentiles are nearest rank from an HDR histogram (3 significant digits: at most 0.1% above the exact value; min, max and mean exact); `faasbench analyze` gives the exact figures';
}
