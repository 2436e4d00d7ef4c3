/**
 * `--summary-out file.json`: what a CI step reads of a run without parsing the console: the run id
 * and status, the summary the run printed, the failed calls by class, and each threshold with its
 * actual value and result.
 */
import { writeFileSync } from 'node:fs';
import type { ThresholdResult } from '../analysis/thresholds.ts';
import type { RunOutcome } from './threshold-options.ts';

/** One threshold as the file carries it. */
export function thresholdJson(r: ThresholdResult): Record<string, unknown> {
  const t = r.threshold;
  return { expression: t.expression, function: t.fn, metric: t.metric, op: t.op, value: t.value, unit: t.unit, actual: r.actual, pass: r.pass, note: r.note };
}

export function summaryOutJson(outcome: RunOutcome): Record<string, unknown> {
  return {
    runId: outcome.runId,
    command: outcome.command,
    status: outcome.status,
    summary: outcome.summary,
    failures: outcome.failures,
    thresholds: outcome.thresholds === null ? [] : outcome.thresholds.map(thresholdJson),
    // Null when no threshold was given: nothing was judged.
    pass: outcome.thresholds === null ? null : outcome.thresholds.every((r) => r.pass),
  };
}

/** One run: its object; several (an experiment on several providers): `{ runs: [...], pass }`. */
export function writeSummaryOut(file: string, outcomes: readonly RunOutcome[]): void {
  const runs = outcomes.map(summaryOutJson);
  const passes = runs.map((r) => r.pass);
  const json = runs.length === 1 ? runs[0] : { runs, pass: passes.includes(null) ? null : passes.every(Boolean) };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}
