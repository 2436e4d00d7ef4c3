/**
 * `faasbench compare <runA> <runB>`: what changed from run A to run B. Per function in both runs
 * (and the runs as a whole): calls, median and p99 latency, cold-start and failure rates, each as
 * A → B with the change, its confidence interval and a verdict. Two experiment runs compare their
 * stored result tables instead (compare-text.ts says how they read).
 */
import type { Command } from 'commander';
import { compareRuns } from '../analysis/index.ts';
import { FaasbenchError } from '../core/errors.ts';
import { STORE_HELP, statsOptions, withExistingStore, type StatsOptions } from './analyze.ts';
import { comparisonText } from './compare-text.ts';

interface CompareOptions extends StatsOptions {
  readonly calls?: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare <runA> <runB>')
    .description('what changed from run A to run B: each figure as A → B with the change, its CI and a verdict; two experiment runs compare their result tables')
    .option('--store <target>', STORE_HELP)
    .option('--seed <n>', 'bootstrap seed: the same seed gives the same intervals', '42')
    .option('--resamples <n>', 'bootstrap resamples', '2000')
    .option('--calls', "two experiment runs: also compare their pooled calls (which mix every case of the experiment)")
    .option('--json', 'print the comparison as JSON (`results` holds the result tables compared, null unless both runs stored one)')
    .action(async (runA: string, runB: string, opts: CompareOptions) => {
      const options = statsOptions(opts);
      const comparison = await withExistingStore(opts.store, (store) => compareRuns(store, runA, runB, options));
      // Experiment runs are compared by their answers; calls are what other runs have to compare.
      if (!comparison.results) {
        for (const [id, side] of [[runA, 'a'], [runB, 'b']] as const) {
          const total = comparison.functions[0]![side];
          if (total.calls === 0) throw new FaasbenchError('InvalidParameterValue', `run ${id} holds no measured invocations: nothing to compare`);
        }
      }
      console.log(opts.json ? JSON.stringify(comparison, null, 2) : comparisonText(comparison, { calls: opts.calls === true }));
    });
}
