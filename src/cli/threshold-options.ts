/**
 * `--threshold`, `--summary-out` and `--junit` of the commands that run load (`invoke`,
 * `trace replay`, `experiment run`), and how such a run ends: the pass/fail list printed last,
 * the files for CI written, and the exit code (a failed threshold exits EXIT.thresholds; with
 * thresholds given they alone decide, so `errors<5%` lets a run with 1% failed calls pass).
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { formatActual, parseThreshold, THRESHOLD_METRICS, ThresholdSyntaxError, type Threshold, type ThresholdResult } from '../analysis/thresholds.ts';
import type { RunSummary } from '../analysis/run-summary.ts';
import { EXIT } from './exit-codes.ts';
import type { Failures } from './failure-line.ts';
import { writeJunit } from './junit.ts';
import { writeSummaryOut } from './summary-out.ts';

export interface ThresholdOptions {
  /** Absent when none was given (no default, so help shows none). */
  threshold?: Threshold[];
  summaryOut?: string;
  junit?: string;
}

/** Commander's parser for one `--threshold`: a malformed one is a usage error (exit 2) naming it. */
export function thresholdArg(value: string, previous: Threshold[] = []): Threshold[] {
  return [...previous, parseThresholdArg(value)];
}

function parseThresholdArg(value: string): Threshold {
  try {
    return parseThreshold(value);
  } catch (err) {
    if (err instanceof ThresholdSyntaxError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/** The three options, each on its own, for a command built as one chain (`.addOption(...)`). */
export const thresholdOptions = (thresholdNote = ''): Option[] => [
  new Option(
    '--threshold <expr>',
    `a pass/fail criterion (repeatable): [function:]metric op value, e.g. 'p99<300ms', 'errors<1%', 'hello:p95<=200ms'; metrics: ${THRESHOLD_METRICS.map((m) => m.name).join(', ')}; op <, <=, >, >=; a failed one exits ${EXIT.thresholds}${thresholdNote}`,
  ).argParser(thresholdArg),
  new Option('--summary-out <file.json>', 'write the run id, its summary and each threshold with its actual value and result as JSON'),
  new Option('--junit <file.xml>', 'write JUnit XML for CI: one testcase per threshold (without thresholds, one for the run)'),
];

export function addThresholdOptions(command: Command): Command {
  for (const option of thresholdOptions()) command.addOption(option);
  return command;
}

/** The parameter name an experiment run takes thresholds under, whatever the experiment declares. */
export const THRESHOLDS_PARAM = 'thresholds';

/**
 * Takes `-p thresholds=...` out of an experiment's parameters (a comma-separated list or a JSON
 * list of expressions) and adds the `--threshold`s: an experiment need not declare it.
 */
export function takeThresholdsParam(command: Command, values: Readonly<Record<string, string>>, given: readonly Threshold[] | undefined): { values: Record<string, string>; thresholds: Threshold[] } {
  const { [THRESHOLDS_PARAM]: text, ...rest } = values;
  if (text === undefined) return { values: rest, thresholds: [...(given ?? [])] };
  const usage = (what: string): never => command.error(`error: parameter ${THRESHOLDS_PARAM}: ${what}`, { exitCode: EXIT.usage });
  let list: unknown = text.split(',');
  if (text.trim().startsWith('[')) {
    try {
      list = JSON.parse(text) as unknown;
    } catch {
      list = null;
    }
  }
  if (!Array.isArray(list) || !list.every((t): t is string => typeof t === 'string')) return usage(`expected thresholds separated by commas or a JSON list of them, e.g. -p 'thresholds=p99<300ms,errors<1%', got ${text}`);
  try {
    return { values: rest, thresholds: [...(given ?? []), ...list.map((t) => parseThreshold(t))] };
  } catch (err) {
    if (err instanceof ThresholdSyntaxError) return usage(err.message);
    throw err;
  }
}

/** A threshold on a function the run does not call could never pass: a usage error before the run, naming the run's functions. */
export function checkThresholdFunctions(command: Command, thresholds: readonly Threshold[] | undefined, functions: readonly string[]): void {
  for (const t of thresholds ?? []) {
    if (t.fn !== null && !functions.includes(t.fn)) {
      const shown = functions.length > 8 ? `${functions.slice(0, 8).join(', ')}... (${functions.length})` : functions.join(', ');
      command.error(`error: threshold "${t.expression}": this run calls no function ${t.fn} (it calls: ${shown})`, { exitCode: EXIT.usage });
    }
  }
}

/** Checked before the run: a typo in an output path must not cost a whole run. */
export function checkOutputs(opts: Pick<ThresholdOptions, 'summaryOut' | 'junit'>): void {
  for (const [flag, file] of [['--summary-out', opts.summaryOut], ['--junit', opts.junit]] as const) {
    if (file === undefined) continue;
    const dir = path.dirname(path.resolve(file));
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
      accessSync(dir, constants.W_OK);
    } catch {
      throw new FaasbenchError('InvalidParameterValue', `${flag} ${file}: ${isDir ? `cannot write in ${dir}` : `no folder ${dir}`}`);
    }
    if (existsAsDir(file)) throw new FaasbenchError('InvalidParameterValue', `${flag} ${file}: is a folder; expected a file name`);
  }
}

function existsAsDir(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** How a run ended, all a conclusion needs. */
export interface RunOutcome {
  /** `invoke`, `trace replay`, `experiment run`: names the JUnit suite. */
  readonly command: string;
  readonly runId: string;
  readonly status: string;
  readonly summary: RunSummary | null;
  readonly failures: Failures | null;
  /** Null when no threshold was given. */
  readonly thresholds: readonly ThresholdResult[] | null;
  /** Whether failed calls fail the command when no threshold is given (they do not fail an experiment run). Default true. */
  readonly callsFail?: boolean;
}

/** `p99<1ms  FAIL  p99 4.12 ms`...: the list printed last, with a closing count. */
export function thresholdLines(results: readonly ThresholdResult[]): string[] {
  const width = Math.max(...results.map((r) => r.threshold.expression.length));
  const failed = results.filter((r) => !r.pass);
  return [
    'thresholds:',
    ...results.map((r) => `  ${r.pass ? 'pass' : 'FAIL'}  ${r.threshold.expression.padEnd(width)}  ${r.threshold.metric} ${formatActual(r)}`),
    failed.length === 0 ? `all ${results.length} threshold${results.length === 1 ? '' : 's'} passed` : `${failed.length} of ${results.length} threshold${results.length === 1 ? '' : 's'} failed: ${failed.map((r) => r.threshold.expression).join(', ')}`,
  ];
}

/**
 * The exit code: interrupted first, then the thresholds when given (they alone decide), else any
 * failed measured call. `failedStatus` is a status that fails the command whatever else (an
 * experiment that crashed).
 */
export function exitCodeOf(outcome: Pick<RunOutcome, 'status' | 'failures' | 'thresholds' | 'callsFail'>): number {
  if (outcome.status === 'interrupted') return EXIT.interrupted;
  if (outcome.status === 'failed') return EXIT.failed;
  if (outcome.thresholds !== null) return outcome.thresholds.every((r) => r.pass) ? EXIT.ok : EXIT.thresholds;
  return outcome.callsFail !== false && (outcome.failures?.failed ?? 0) > 0 ? EXIT.failed : EXIT.ok;
}

/** The code of several runs (an experiment on several providers): the first of interrupted, failed, thresholds failed, ok. */
export function worstExitCode(codes: readonly number[]): number {
  for (const code of [EXIT.interrupted, EXIT.failed, EXIT.thresholds]) if (codes.includes(code)) return code;
  return EXIT.ok;
}

/**
 * Prints each run's threshold list (to stderr when stdout carries --json), writes the files asked
 * for, and returns the exit code.
 */
export function concludeRuns(outcomes: readonly RunOutcome[], opts: Pick<ThresholdOptions, 'summaryOut' | 'junit'> & { json?: boolean }): number {
  for (const outcome of outcomes) {
    if (outcome.thresholds === null || outcome.thresholds.length === 0) continue;
    const lines = thresholdLines(outcome.thresholds);
    const text = (outcomes.length > 1 ? [`run ${outcome.runId} ${lines[0]}`, ...lines.slice(1)] : lines).join('\n');
    if (opts.json) console.error(text);
    else console.log(text);
  }
  if (opts.summaryOut !== undefined) writeSummaryOut(opts.summaryOut, outcomes);
  if (opts.junit !== undefined) writeJunit(opts.junit, outcomes);
  return worstExitCode(outcomes.map((o) => exitCodeOf(o)));
}

export const concludeRun = (outcome: RunOutcome, opts: Pick<ThresholdOptions, 'summaryOut' | 'junit'> & { json?: boolean }): number => concludeRuns([outcome], opts);
