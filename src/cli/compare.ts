/**
 * `faasbench compare <runA> <runB>`: per function in both runs (and the runs as a whole), the
 * change from A to B in median and p99 latency and in cold-start and failure rates, each with a
 * confidence interval and flagged significant when the interval excludes 0.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { compareRuns, type DifferenceCi, type FunctionComparison, type ProportionDifference, type RunComparison } from '../analysis/index.ts';
import { fmt, STORE_HELP, statsOptions, withExistingStore, type StatsOptions } from './analyze.ts';
import { FaasbenchError } from '../core/errors.ts';

export function registerCompare(program: Command): void {
  program
    .command('compare <runA> <runB>')
    .description('what changed from run A to run B: median and p99 latency, cold-start and failure rates, each difference with a CI and flagged significant or not')
    .option('--store <target>', STORE_HELP)
    .option('--seed <n>', 'bootstrap seed: the same seed gives the same intervals', '1')
    .option('--resamples <n>', 'bootstrap resamples', '2000')
    .option('--json', 'print the comparison as JSON')
    .action(async (runA: string, runB: string, opts: StatsOptions) => {
      const options = statsOptions(opts);
      const comparison = await withExistingStore(opts.store, (store) => compareRuns(store, runA, runB, options));
      for (const [id, side] of [[runA, 'a'], [runB, 'b']] as const) {
        const total = comparison.functions[0]![side];
        if (total.calls === 0) throw new FaasbenchError('InvalidParameterValue', `run ${id} holds no measured invocations: nothing to compare`);
      }
      console.log(opts.json ? JSON.stringify(comparison, null, 2) : comparisonText(comparison));
    });
}

const mark = (significant: boolean): string => (significant ? 'yes' : 'no');
const latencyCell = (d: DifferenceCi | null): string[] => (d ? [`${d.estimate >= 0 ? '+' : ''}${fmt(d.estimate)} [${fmt(d.lo)}, ${fmt(d.hi)}]`, mark(d.significant)] : ['-', 'too few calls']);
const points = (v: number): string => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;
const rateCell = (d: ProportionDifference | null): string[] => (d ? [`${(d.a * 100).toFixed(1)}% > ${(d.b * 100).toFixed(1)}%`, `${points(d.estimate)} [${points(d.lo)}, ${points(d.hi)}]`, mark(d.significant)] : ['-', '-', '-']);

export function comparisonText(c: RunComparison): string {
  const level = `${Math.round(c.level * 100)}% CI`;
  // One shared function and nothing else: the run-wide row would repeat it.
  const rows: readonly FunctionComparison[] = c.functions.length === 2 && c.onlyInA.length === 0 && c.onlyInB.length === 0 ? c.functions.slice(1) : c.functions;
  const table = new Table({
    head: ['function', 'p50 ms A > B', `Δ p50 ms [${level}]`, 'sig.', 'p99 ms A > B', `Δ p99 ms [${level}]`, 'sig.', 'cold rate A > B', `Δ points [${level}]`, 'sig.', 'failed A > B', `Δ points`, 'sig.'],
    style: { head: [], border: [] },
  });
  for (const f of rows) {
    table.push([
      f.fn,
      `${fmt(f.a.p50)} > ${fmt(f.b.p50)}`,
      ...latencyCell(f.median),
      `${fmt(f.a.p99)} > ${fmt(f.b.p99)}`,
      ...latencyCell(f.p99),
      ...rateCell(f.coldRate),
      ...rateCell(f.failureRate),
    ]);
  }
  const lines = [
    `A: run ${c.a.id} (${c.a.kind} ${c.a.name} on ${c.a.provider}, ${c.a.status})`,
    `B: run ${c.b.id} (${c.b.kind} ${c.b.name} on ${c.b.provider}, ${c.b.status})`,
    `differences are B - A; latency CIs: bootstrap of the difference (${c.resamples} resamples, seed ${c.seed}); rates: Newcombe's score interval; significant when the CI excludes 0`,
    table.toString(),
  ];
  if (c.onlyInA.length) lines.push(`only in A: ${c.onlyInA.join(', ')}`);
  if (c.onlyInB.length) lines.push(`only in B: ${c.onlyInB.join(', ')}`);
  return lines.join('\n');
}
