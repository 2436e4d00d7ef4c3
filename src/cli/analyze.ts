/**
 * `faasbench analyze <run>`: a stored run's statistics per function (latency percentiles with
 * bootstrap CIs, errors, throttles, cold starts, instances, lateness, billed GB-s), how well
 * client-side cold-start inference agrees with the platform's ground truth, and call trees.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { plural } from '../core/plural.ts';
import { analyzeRun, type FunctionStats, type Interval, type MethodOutcome, type Percentiles, type RunAnalysis } from '../analysis/index.ts';
import { positiveInt } from './option-parsers.ts';
import { STORE_HELP, withExistingStore } from './store-path.ts';

// Where the readers' store opening lives now; still exported here for the commands that import it from here.
export { STORE_HELP, withExistingStore };

export interface StatsOptions {
  store?: string;
  json?: boolean;
  seed: string;
  resamples: string;
}

export function statsOptions(opts: StatsOptions): { seed: number; resamples: number } {
  return { seed: positiveInt(opts.seed, '--seed', 0), resamples: positiveInt(opts.resamples, '--resamples') };
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze <run>')
    .description("a run's statistics per function: latency percentiles with bootstrap CIs, errors, cold starts (and how well client-side inference matches the platform), instances, lateness")
    .option('--store <target>', STORE_HELP)
    .option('--seed <n>', 'bootstrap seed: the same seed gives the same intervals', '42')
    .option('--resamples <n>', 'bootstrap resamples', '2000')
    .option('--json', 'print the whole analysis as JSON')
    .action(async (runId: string, opts: StatsOptions) => {
      const options = statsOptions(opts);
      const analysis = await withExistingStore(opts.store, (store) => analyzeRun(store, runId, options));
      if (analysis.total.calls + analysis.total.warmupCalls === 0) throw new FaasbenchError('InvalidParameterValue', `run ${runId} holds no invocations: nothing to analyze`);
      console.log(opts.json ? JSON.stringify(analysis, null, 2) : analysisText(analysis));
    });
}

export const fmt = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
const withCi = (v: number | undefined, ci: Interval | null | undefined): string => (v === undefined ? '-' : ci ? `${fmt(v)} [${fmt(ci.lo)}, ${fmt(ci.hi)}]` : fmt(v));
const at = (p: Percentiles | null, key: 'p50' | 'p99'): string => fmt(p?.[key]);

function latencyTable(rows: readonly FunctionStats[], level: number): string {
  const ci = `${Math.round(level * 100)}% CI`;
  // Sent, never answered (the invoker died): shown when a run has any.
  const unknown = rows.some((f) => f.unknown > 0);
  const table = new Table({ head: ['function', 'calls', 'ok', 'errors', 'throttled', 'dropped', ...(unknown ? ['unknown'] : []), `p50 ms [${ci}]`, 'p90', `p99 ms [${ci}]`, 'p99.9', 'max'], style: { head: [], border: [] } });
  for (const f of rows) {
    const l = f.latencyMs;
    table.push([f.fn, f.calls, f.ok, f.errors, f.throttles, f.dropped, ...(unknown ? [f.unknown] : []), withCi(l?.p50, f.latencyCi?.p50), fmt(l?.p90), withCi(l?.p99, f.latencyCi?.p99), fmt(l?.p999), fmt(l?.max)]);
  }
  return table.toString();
}

function coldTable(rows: readonly FunctionStats[]): string {
  const table = new Table({ head: ['function', 'cold from', 'cold', 'warm', 'cold rate', 'cold p50 ms', 'warm p50 ms', 'warm p99 ms', 'init p50 ms', 'instances', 'peak live', 'lateness p99 ms'], style: { head: [], border: [] } });
  for (const f of rows) {
    const c = f.coldStart;
    table.push([f.fn, c.source, c.cold, c.warm, pct(c.rate), at(c.coldLatencyMs, 'p50'), at(c.warmLatencyMs, 'p50'), at(c.warmLatencyMs, 'p99'), at(c.initMs, 'p50'), f.instances.count, f.instances.peak, at(f.latenessMs, 'p99')]);
  }
  return table.toString();
}

const agreement = (o: MethodOutcome): string => (o.compared === 0 ? `no ground truth to check against (${o.classified} calls classified, ${o.inferredCold} cold)` : `${o.agree}/${o.compared} calls agree (${pct(o.accuracy)})`);

function inferenceText(a: RunAnalysis): string[] {
  const thresholds = a.inference.functions
    .filter((f) => f.latency.classified > 0)
    .map((f) => `${f.fn} ${f.latency.thresholdMs === null ? 'no split' : `${fmt(f.latency.thresholdMs)} ms (${f.latency.split})`}`)
    .join(', ');
  return [
    "client-side cold-start inference against the platform's ground truth:",
    `  by instance id: ${agreement(a.inference.instanceId)}`,
    `  by latency alone: ${agreement(a.inference.latency)}${thresholds ? `; threshold ${thresholds}` : ''}`,
  ];
}

export function analysisText(a: RunAnalysis): string {
  const r = a.run;
  const level = a.functions.find((f) => f.latencyCi)?.latencyCi?.level ?? 0.95;
  const rows = a.functions.length > 1 ? [...a.functions, a.total] : a.functions;
  const lines = [
    `run ${r.id}: ${r.kind} ${r.name} on ${r.provider}, ${r.status}, started ${r.startedAt}`,
    `${plural(a.total.calls, 'call')}${a.total.warmupCalls ? ` (${plural(a.total.warmupCalls, 'warm-up call')} not counted)` : ''}; latency of ok calls only (failed calls counted, not timed), nearest-rank percentiles of exact values, bootstrap CIs`,
    latencyTable(rows, level),
    coldTable(rows),
  ];
  const classes = Object.entries(a.total.errorClasses).sort((x, y) => y[1] - x[1]);
  if (classes.length) lines.push(`errors by class: ${classes.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (a.total.billing.calls) {
    const cost = a.total.billing.costUsd === null ? 'no price' : `$${a.total.billing.costUsd.toFixed(6)}`;
    lines.push(`billed: ${fmt(a.total.billing.gbSeconds, 4)} GB-s over ${a.total.billing.calls} calls (${a.total.billing.billedMs} ms): ${cost}; ${a.pricing}`);
  }
  lines.push(...inferenceText(a));
  if (a.callTrees.length) {
    const table = new Table({ head: ['tree', 'nodes', 'failed', 'cold', 'root ms', 'critical path (ms added per level)'], style: { head: [], border: [] } });
    a.callTrees.slice(0, 20).forEach((t, i) => table.push([i, t.nodes, t.failed, t.coldNodes, fmt(t.rootMs, 1), t.criticalPath.map((s) => `${s.function ?? '?'}${s.cold ? '*' : ''} ${fmt(s.exclusiveMs, 1)}`).join(' > ')]));
    lines.push(`call trees: ${a.callTrees.length}${a.callTrees.length > 20 ? ' (first 20)' : ''}; * = cold`, table.toString());
  }
  return lines.join('\n');
}
