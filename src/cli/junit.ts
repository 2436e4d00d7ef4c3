/**
 * `--junit file.xml`: the run's verdict as JUnit XML, which every CI system shows as tests: one
 * testsuite per run, one testcase per threshold with a failure element when it failed. A run given
 * no threshold is one testcase that fails as the exit code does: "no failed calls" for a load run,
 * "run completed" for an experiment run (its failed calls do not fail it).
 */
import { writeFileSync } from 'node:fs';
import { formatActual, type ThresholdResult } from '../analysis/thresholds.ts';
import { failureLine } from './failure-line.ts';
import type { RunOutcome } from './threshold-options.ts';

interface Case {
  readonly name: string;
  /** The failure message; null for a pass. */
  readonly failure: string | null;
  readonly type: 'threshold' | 'calls' | 'run';
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`);
}

function thresholdCase(r: ThresholdResult): Case {
  const t = r.threshold;
  const wanted = `${t.op} ${t.value}${t.unit === 'ms' ? ' ms' : t.unit === 'count' ? '' : t.unit}`;
  return { name: t.expression, failure: r.pass ? null : `${t.metric} ${formatActual(r)}; expected ${wanted}`, type: 'threshold' };
}

function casesOf(outcome: RunOutcome): Case[] {
  if (outcome.thresholds !== null) return outcome.thresholds.map(thresholdCase);
  if (outcome.callsFail === false) return [{ name: 'run completed', failure: outcome.status === 'completed' ? null : `run ${outcome.runId} ${outcome.status}`, type: 'run' }];
  const failed = outcome.failures === null ? null : failureLine(outcome.failures);
  return [{ name: 'no failed calls', failure: failed, type: 'calls' }];
}

function suiteXml(outcome: RunOutcome): { xml: string[]; tests: number; failures: number } {
  const cases = casesOf(outcome);
  const failures = cases.filter((c) => c.failure !== null).length;
  const classname = escapeXml(`faasbench.${outcome.command.replace(/\s+/g, '-')}`);
  const xml = [
    `  <testsuite name="${escapeXml(`faasbench ${outcome.command} ${outcome.runId}`)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    `    <properties><property name="runId" value="${escapeXml(outcome.runId)}"/><property name="status" value="${escapeXml(outcome.status)}"/></properties>`,
    ...cases.map((c) =>
      c.failure === null
        ? `    <testcase classname="${classname}" name="${escapeXml(c.name)}"/>`
        : `    <testcase classname="${classname}" name="${escapeXml(c.name)}"><failure type="${c.type}" message="${escapeXml(c.failure)}">${escapeXml(c.failure)}</failure></testcase>`,
    ),
    '  </testsuite>',
  ];
  return { xml, tests: cases.length, failures };
}

export function junitXml(outcomes: readonly RunOutcome[]): string {
  const suites = outcomes.map(suiteXml);
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="faasbench" tests="${tests}" failures="${failures}" errors="0">`, ...suites.flatMap((s) => s.xml), '</testsuites>'];
  return `${lines.join('\n')}\n`;
}

export function writeJunit(file: string, outcomes: readonly RunOutcome[]): void {
  writeFileSync(file, junitXml(outcomes));
}
