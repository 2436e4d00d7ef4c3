/** `traces analyze` as text: per function each part's mean, share and p50/p99, then each request when asked. */
import Table from 'cli-table3';
import { plural } from '../core/plural.ts';
import type { RunBreakdown } from '../analysis/trace-breakdown-run.ts';
import { BREAKDOWN_PARTS, type BreakdownPart } from '../analysis/trace-breakdown.ts';
import type { FunctionBreakdown } from '../analysis/trace-breakdown-stats.ts';

export const PART_LABELS: Readonly<Record<BreakdownPart, string>> = { queueMs: 'queueing', initMs: 'initialisation', handlerMs: 'handler', nestedMs: 'nested calls', overheadMs: 'platform overhead' };

const ms = (v: number): string => v.toFixed(2);
const share = (part: number, total: number): string => (total > 0 ? `${((part / total) * 100).toFixed(1)}%` : '-');

export function breakdownText(b: RunBreakdown, withRequests: boolean): string {
  const lines = [`run ${b.runId}: ${plural(b.requests.length, 'request')} in ${plural(b.traces, 'stored trace')}; the parts of each request add up to its end-to-end time`, ''];
  for (const f of b.functions) lines.push(functionTable(f), '');
  if (withRequests) lines.push(requestTable(b));
  else lines.push(`--requests lists each request; --json gives them all`);
  return lines.join('\n');
}

function functionTable(f: FunctionBreakdown): string {
  const total = f.parts.totalMs;
  const table = new Table({ head: [`${f.fn}: ${plural(f.requests, 'request')}, ${f.cold} cold, ${plural(f.nestedCalls, 'nested call')}`, 'mean ms', 'share', 'p50 ms', 'p99 ms', 'max ms'], style: { head: [], border: [] } });
  for (const part of BREAKDOWN_PARTS) {
    const s = f.parts[part];
    table.push([PART_LABELS[part], ms(s.mean), share(s.mean, total.mean), ms(s.p50), ms(s.p99), ms(s.max)]);
  }
  table.push(['end to end', ms(total.mean), '100%', ms(total.p50), ms(total.p99), ms(total.max)]);
  return table.toString();
}

function requestTable(b: RunBreakdown): string {
  const table = new Table({ head: ['start (UTC)', 'function', 'request id', 'cold', 'total ms', ...BREAKDOWN_PARTS.map((p) => PART_LABELS[p])], style: { head: [], border: [] } });
  for (const r of b.requests) {
    table.push([new Date(r.startMs).toISOString().slice(11, 23), r.fn, r.requestId ?? '-', r.cold ? 'yes' : 'no', ms(r.totalMs), ...BREAKDOWN_PARTS.map((p) => ms(r[p]))]);
  }
  return table.toString();
}
