/**
 * Thresholds of an experiment run: checked after the run against its stored calls, read back
 * through the same end-of-run summary a load run prints (an experiment's calls reach the store
 * from many loads and single calls, so the store is where they all are).
 */
import { evaluateThresholds, RunSubjects, type Threshold } from '../analysis/thresholds.ts';
import type { ExperimentRunResult } from '../experiments/runner.ts';
import { openStore } from '../store/index.ts';
import { failuresOf, type Failures } from './failure-line.ts';
import type { RunOutcome } from './threshold-options.ts';

/** Each run's outcome: its summary and thresholds when thresholds were given, its counts alone otherwise. */
export async function experimentOutcomes(storeTarget: string | undefined, runs: readonly ExperimentRunResult[], thresholds: readonly Threshold[]): Promise<RunOutcome[]> {
  const plain = (run: ExperimentRunResult): RunOutcome => ({ command: 'experiment run', runId: run.runId, status: run.status, summary: null, failures: failuresOfRun(run), thresholds: null, callsFail: false });
  if (thresholds.length === 0) return runs.map(plain);
  const store = await openStore(storeTarget);
  try {
    const outcomes: RunOutcome[] = [];
    for (const run of runs) {
      const subjects = new RunSubjects(thresholds);
      for await (const record of store.records(run.runId)) subjects.add(record);
      const taken = subjects.subjects();
      outcomes.push({ ...plain(run), summary: taken.all.summary, thresholds: evaluateThresholds(thresholds, taken) });
    }
    return outcomes;
  } finally {
    await store.close();
  }
}

function failuresOfRun(run: ExperimentRunResult): Failures | null {
  return run.calls ? failuresOf(run.calls) : null;
}
