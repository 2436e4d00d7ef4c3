/** The latency, lateness and status summary a load run prints (invoke, trace replay). */
import Table from 'cli-table3';
import type { RunSummary } from '../analysis/latency-summary.ts';

export function summaryTable(s: RunSummary): string {
  const table = new Table({ head: ['', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], style: { head: [], border: [] } });
  const line = (label: string, p: RunSummary['latencyMs']): string[] => [label, String(p.count), ...[p.p50, p.p90, p.p99, p.p999, p.max].map((v) => v.toFixed(2))];
  table.push(line('latency ms', s.latencyMs), line('lateness ms', s.latenessMs));
  const statuses = Object.entries(s.byStatus).map(([k, v]) => `${k} ${v}`).join(', ');
  const classes = Object.entries(s.errorClasses).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${table.toString()}\ncalls ${s.total}: ${statuses}${classes ? ` (${classes})` : ''}; cold ${s.cold}, warm ${s.warm}, instances ${s.instances}`;
}
