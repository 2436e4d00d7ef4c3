/** How an experiment run's end is printed, shared by `experiment run`, the lifecycle's steps and `suite`. */
import type { ExperimentResult } from '../experiments/define.ts';
import type { ExperimentRunResult } from '../experiments/runner.ts';
import { EXIT } from './exit-codes.ts';
import { endLine, failuresOf } from './failure-line.ts';
import { resultText } from './result-print.ts';

/** The run's end line when it failed or had failed calls, else null (its status line said all). */
export function experimentEndLine(outcome: ExperimentRunResult): string | null {
  const failures = outcome.calls ? failuresOf(outcome.calls) : null;
  if (outcome.status === 'completed' && (failures === null || failures.failed === 0)) return null;
  const line = endLine(outcome.runId, outcome.status, failures);
  return outcome.error ? `${line} (${outcome.error.message})` : line;
}

/** Main table, further tables and notes, as `faasbench results` re-prints them (result-print.ts). */
export function resultTable(result: ExperimentResult): string {
  return resultText(result);
}

/** The command's exit code from its runs' statuses: an interruption first, then a failure. */
export function exitCodeOf(statuses: readonly ExperimentRunResult['status'][]): number {
  return statuses.includes('interrupted') ? EXIT.interrupted : statuses.includes('failed') ? EXIT.failed : EXIT.ok;
}
