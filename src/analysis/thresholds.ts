/**
 * Thresholds: pass/fail criteria on a run's figures, e.g. `p99<300ms`, `errors<1%`,
 * `hello:p95<=200ms` (one function of the run), checked against the end-of-run summary
 * (run-summary.ts): the figure a threshold compares is the figure the summary prints, by the same
 * percentile definition. A figure that does not exist (a p99 with no ok call) fails its threshold:
 * what cannot be checked did not pass.
 *
 * Grammar: `[function:]metric operator value[unit]`, spaces allowed around the operator.
 */
import type { InvocationRecord } from '../core/invocation-record.ts';
import { SummaryBuilder, type RunSummary } from './run-summary.ts';

/** What a metric measures decides the units its value may carry. */
type MetricKind = 'latency' | 'share' | 'rate';

const METRICS = {
  p50: { kind: 'latency', about: 'latency p50' },
  p90: { kind: 'latency', about: 'latency p90' },
  p95: { kind: 'latency', about: 'latency p95' },
  p99: { kind: 'latency', about: 'latency p99' },
  p999: { kind: 'latency', about: 'latency p99.9 (also written p99.9)' },
  min: { kind: 'latency', about: 'fastest ok call' },
  max: { kind: 'latency', about: 'slowest ok call' },
  mean: { kind: 'latency', about: 'mean latency of ok calls' },
  errors: { kind: 'share', about: 'failed calls (any status but ok)' },
  throttles: { kind: 'share', about: 'throttled calls (429, TooManyRequestsException)' },
  cold: { kind: 'share', about: 'cold starts, of the calls the platform said were cold or warm' },
  rate: { kind: 'rate', about: 'ok calls per second, from the first send to the last answer' },
} as const satisfies Record<string, { kind: MetricKind; about: string }>;

export type ThresholdMetric = keyof typeof METRICS;
export type ThresholdOp = '<' | '<=' | '>' | '>=';
/** `ms` for latencies (a value in s is converted), `%` of calls, `count` of calls, `/s` for rate. */
export type ThresholdUnit = 'ms' | '%' | 'count' | '/s';

export interface Threshold {
  /** As given, trimmed: what lists and reports show. */
  readonly expression: string;
  /** The function the threshold is about; null for the whole run. */
  readonly fn: string | null;
  readonly metric: ThresholdMetric;
  readonly op: ThresholdOp;
  /** In `unit`. */
  readonly value: number;
  readonly unit: ThresholdUnit;
}

/** The metrics and what each measures, for help texts and docs. */
export const THRESHOLD_METRICS: ReadonlyArray<{ readonly name: ThresholdMetric; readonly about: string }> = Object.entries(METRICS).map(([name, m]) => ({ name: name as ThresholdMetric, about: m.about }));

/** A malformed expression; the message names it and what was expected. */
export class ThresholdSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdSyntaxError';
  }
}

const SHAPE = /^(?:([^\s:<>=]+)\s*:\s*)?([A-Za-z][A-Za-z0-9.]*)\s*(<=|>=|<|>)\s*(.*)$/;
const VALUE = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|%|\/s)?$/;
const EXAMPLES = 'e.g. p99<300ms, errors<1% or hello:p95<=200ms';

export function parseThreshold(text: string): Threshold {
  const expression = text.trim();
  const fail = (what: string): never => {
    throw new ThresholdSyntaxError(`threshold "${expression}": ${what}`);
  };
  const shape = SHAPE.exec(expression);
  if (!shape) return fail(`expected [function:]metric operator value (${EXAMPLES}); operators: <, <=, >, >=`);
  const [, fn, metricText, op, valueText] = shape as unknown as [string, string | undefined, string, ThresholdOp, string];
  const metric = (metricText === 'p99.9' ? 'p999' : metricText) as ThresholdMetric;
  if (!Object.hasOwn(METRICS, metric)) return fail(`unknown metric "${metricText}" (known: ${Object.keys(METRICS).join(', ')})`);
  const value = VALUE.exec(valueText.trim());
  if (!value) return fail(`expected a number after "${op}" (${unitsOf(metric)}), got "${valueText.trim()}"`);
  const [, numberText, unitText] = value as unknown as [string, string, string | undefined];
  const checked = withUnit(metric, numberText, unitText);
  if (typeof checked === 'string') return fail(checked);
  return { expression, fn: fn ?? null, metric, op, ...checked };
}

function unitsOf(metric: ThresholdMetric): string {
  const kind: MetricKind = METRICS[metric].kind;
  if (kind === 'latency') return 'a latency in ms or s, e.g. 300ms or 0.3s';
  if (kind === 'share') return 'a percentage of calls, e.g. 1%, or a count of calls, e.g. 5';
  return 'calls per second, e.g. 95 or 95/s';
}

/** The value in the metric's unit, or what is wrong with it. */
function withUnit(metric: ThresholdMetric, numberText: string, unit: string | undefined): { value: number; unit: ThresholdUnit } | string {
  const kind: MetricKind = METRICS[metric].kind;
  const wrong = `${metric} takes ${unitsOf(metric)}; got ${unit === undefined ? 'no unit' : `"${unit}"`}`;
  if (kind === 'latency') {
    // `0.3e3` is parsed as the decimal it names: 0.3 * 1000 would carry a binary rounding error.
    if (unit === 'ms') return { value: Number(numberText), unit: 'ms' };
    if (unit === 's') return { value: Number(`${numberText}e3`), unit: 'ms' };
    return wrong;
  }
  if (kind === 'share') {
    if (unit === '%') return Number(numberText) <= 100 ? { value: Number(numberText), unit: '%' } : `a percentage is at most 100, got ${numberText}%`;
    if (unit === undefined) return { value: Number(numberText), unit: 'count' };
    return wrong;
  }
  if (unit === undefined || unit === '/s') return { value: Number(numberText), unit: '/s' };
  return wrong;
}

/** The figures thresholds are checked against: one run's, or one function's of it. */
export interface ThresholdSubject {
  readonly summary: RunSummary;
  /** A latency percentile of the same ok calls by the summary's own definition (for p95, which the summary does not carry). */
  readonly latencyPercentileMs: (p: number) => number | null;
  /** From the first measured send to the last measured answer; null when no measured call was answered. */
  readonly spanS: number | null;
}

/**
 * Builds a subject from records as they stream past: the end-of-run summary (the one the run
 * prints and stores) plus the span the rate needs.
 */
export class SubjectBuilder {
  readonly #summary: SummaryBuilder;
  #firstSentUs = Infinity;
  #lastReceivedUs = -Infinity;

  constructor() {
    this.#summary = new SummaryBuilder();
  }

  add(r: InvocationRecord): void {
    this.#summary.add(r);
    if (r.phase !== 'measure') return;
    if (r.sentUs !== null && r.sentUs < this.#firstSentUs) this.#firstSentUs = r.sentUs;
    if (r.receivedUs !== null && r.receivedUs > this.#lastReceivedUs) this.#lastReceivedUs = r.receivedUs;
  }

  subject(): ThresholdSubject {
    const spanUs = this.#lastReceivedUs - this.#firstSentUs;
    return {
      summary: this.#summary.summary(),
      latencyPercentileMs: (p) => this.#summary.latencyPercentileMs(p),
      spanS: Number.isFinite(spanUs) && spanUs > 0 ? spanUs / 1e6 : null,
    };
  }
}

/**
 * The run's subject, and one per function when a threshold names one (only for functions asked
 * about: each counts its calls' latencies and lateness again).
 */
export class RunSubjects {
  readonly all: SubjectBuilder;
  readonly #byFn = new Map<string, SubjectBuilder>();

  constructor(thresholds: readonly Threshold[]) {
    this.all = new SubjectBuilder();
    for (const t of thresholds) if (t.fn !== null && !this.#byFn.has(t.fn)) this.#byFn.set(t.fn, new SubjectBuilder());
  }

  add(r: InvocationRecord): void {
    this.all.add(r);
    this.#byFn.get(r.fn)?.add(r);
  }

  subjects(): { all: ThresholdSubject; byFn: ReadonlyMap<string, ThresholdSubject> } {
    // A function with no record has no subject: its thresholds say so.
    const byFn = new Map<string, ThresholdSubject>();
    for (const [fn, builder] of this.#byFn) {
      const subject = builder.subject();
      if (subject.summary.total + subject.summary.warmupCalls > 0) byFn.set(fn, subject);
    }
    return { all: this.all.subject(), byFn };
  }
}

export interface ThresholdResult {
  readonly threshold: Threshold;
  /** The figure compared, in the threshold's unit; null when there is none (then `note` says why). */
  readonly actual: number | null;
  readonly pass: boolean;
  readonly note: string | null;
}

export function evaluateThresholds(thresholds: readonly Threshold[], subjects: { readonly all: ThresholdSubject; readonly byFn: ReadonlyMap<string, ThresholdSubject> }): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const subject = threshold.fn === null ? subjects.all : subjects.byFn.get(threshold.fn);
    const figure = subject === undefined ? { actual: null, note: `no calls of function ${threshold.fn} in this run` } : actualOf(threshold, subject);
    const pass = figure.actual !== null && holds(figure.actual, threshold.op, threshold.value);
    return { threshold, actual: figure.actual, pass, note: figure.actual === null ? figure.note : null };
  });
}

function holds(actual: number, op: ThresholdOp, value: number): boolean {
  if (op === '<') return actual < value;
  if (op === '<=') return actual <= value;
  if (op === '>') return actual > value;
  return actual >= value;
}

type Figure = { actual: number; note: null } | { actual: null; note: string };
const none = (note: string): Figure => ({ actual: null, note });
const is = (actual: number): Figure => ({ actual, note: null });

function actualOf(t: Threshold, subject: ThresholdSubject): Figure {
  const s = subject.summary;
  switch (t.metric) {
    case 'errors':
      return share(t.unit, s.failed, s.total, 'no measured calls');
    case 'throttles':
      return share(t.unit, s.byStatus.throttled ?? 0, s.total, 'no measured calls');
    case 'cold':
      // A provider that does not say cold or warm gives no figure, not a count of 0.
      if (s.cold + s.warm === 0) return none('no call said whether it was cold (the provider does not report it)');
      return share(t.unit, s.cold, s.cold + s.warm, '');
    case 'rate':
      return subject.spanS === null ? none('no measured call was answered') : is(s.ok / subject.spanS);
    case 'p95': {
      const p95 = subject.latencyPercentileMs(95);
      return p95 === null ? none('no ok calls to time') : is(p95);
    }
    default:
      return s.latencyMs === null ? none('no ok calls to time') : is(s.latencyMs[t.metric]);
  }
}

function share(unit: ThresholdUnit, part: number, of: number, noneNote: string): Figure {
  if (unit === 'count') return is(part);
  return of === 0 ? none(noneNote) : is((100 * part) / of);
}

/** `4.12 ms`, `1.50%`, `3 calls`, `98.20/s`: an actual figure in its threshold's unit. */
export function formatActual(result: ThresholdResult): string {
  if (result.actual === null) return `no value: ${result.note}`;
  const { unit } = result.threshold;
  if (unit === 'count') return `${result.actual} call${result.actual === 1 ? '' : 's'}`;
  return `${result.actual.toFixed(2)}${unit === 'ms' ? ' ms' : unit}`;
}
