// Thresholds: the exact parse of each form and each refusal, and the verdicts on fixed summaries
// built from records by the end-of-run summary itself (so the figure checked is the one printed).
import { describe, expect, it } from 'vitest';
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import { evaluateThresholds, formatActual, parseThreshold, RunSubjects, ThresholdSyntaxError } from './thresholds.ts';

describe('parseThreshold', () => {
  it('reads latency percentiles in ms or s, share metrics as % or a count, rate per second, and a function prefix', () => {
    expect(parseThreshold('p99<300ms')).toEqual({ expression: 'p99<300ms', fn: null, metric: 'p99', op: '<', value: 300, unit: 'ms' });
    expect(parseThreshold(' p95 <= 0.3s ')).toEqual({ expression: 'p95 <= 0.3s', fn: null, metric: 'p95', op: '<=', value: 300, unit: 'ms' });
    expect(parseThreshold('p99.9<1.5s')).toMatchObject({ metric: 'p999', value: 1500, unit: 'ms' });
    expect(parseThreshold('errors<1%')).toEqual({ expression: 'errors<1%', fn: null, metric: 'errors', op: '<', value: 1, unit: '%' });
    expect(parseThreshold('errors<=3')).toMatchObject({ metric: 'errors', op: '<=', value: 3, unit: 'count' });
    expect(parseThreshold('throttles<0.5%')).toMatchObject({ metric: 'throttles', value: 0.5, unit: '%' });
    expect(parseThreshold('cold<=10%')).toMatchObject({ metric: 'cold', value: 10, unit: '%' });
    expect(parseThreshold('rate>=95/s')).toMatchObject({ metric: 'rate', op: '>=', value: 95, unit: '/s' });
    expect(parseThreshold('rate>9.5')).toMatchObject({ metric: 'rate', op: '>', value: 9.5, unit: '/s' });
    expect(parseThreshold('hello:p95<=200ms')).toEqual({ expression: 'hello:p95<=200ms', fn: 'hello', metric: 'p95', op: '<=', value: 200, unit: 'ms' });
    expect(parseThreshold('110.dynamic-html:max<2s')).toMatchObject({ fn: '110.dynamic-html', metric: 'max', value: 2000 });
    expect(parseThreshold('mean>.5ms')).toMatchObject({ metric: 'mean', op: '>', value: 0.5 });
  });

  it('refuses a malformed expression, naming it and what was expected', () => {
    const refused = (text: string): string => {
      try {
        parseThreshold(text);
      } catch (err) {
        expect(err).toBeInstanceOf(ThresholdSyntaxError);
        return (err as Error).message;
      }
      throw new Error(`${text} parsed`);
    };
    expect(refused('p99=300ms')).toBe('threshold "p99=300ms": expected [function:]metric operator value (e.g. p99<300ms, errors<1% or hello:p95<=200ms); operators: <, <=, >, >=');
    expect(refused('p98<300ms')).toBe('threshold "p98<300ms": unknown metric "p98" (known: p50, p90, p95, p99, p999, min, max, mean, errors, throttles, cold, rate)');
    expect(refused('p99<300')).toBe('threshold "p99<300": p99 takes a latency in ms or s, e.g. 300ms or 0.3s; got no unit');
    expect(refused('p99<3%')).toBe('threshold "p99<3%": p99 takes a latency in ms or s, e.g. 300ms or 0.3s; got "%"');
    expect(refused('errors<3ms')).toBe('threshold "errors<3ms": errors takes a percentage of calls, e.g. 1%, or a count of calls, e.g. 5; got "ms"');
    expect(refused('errors<101%')).toBe('threshold "errors<101%": a percentage is at most 100, got 101%');
    expect(refused('rate>5ms')).toBe('threshold "rate>5ms": rate takes calls per second, e.g. 95 or 95/s; got "ms"');
    expect(refused('p99<fast')).toBe('threshold "p99<fast": expected a number after "<" (a latency in ms or s, e.g. 300ms or 0.3s), got "fast"');
    expect(refused('p99<-1ms')).toBe('threshold "p99<-1ms": expected a number after "<" (a latency in ms or s, e.g. 300ms or 0.3s), got "-1ms"');
    expect(refused('')).toBe('threshold "": expected [function:]metric operator value (e.g. p99<300ms, errors<1% or hello:p95<=200ms); operators: <, <=, >, >=');
  });
});

/** A measured call of `fn` sent at `sentMs` that took `latencyMs` (null: no answer). */
function call(seq: number, fn: string, status: InvocationStatus, latencyMs: number | null, opts: { cold?: boolean | null; sentMs?: number; phase?: 'warmup' | 'measure'; errorClass?: string } = {}): InvocationRecord {
  const sentUs = (opts.sentMs ?? seq * 100) * 1000;
  return {
    ...NO_FACTS,
    runId: 'r',
    seq,
    fn,
    phase: opts.phase ?? 'measure',
    tag: null,
    plannedUs: sentUs,
    sentUs,
    receivedUs: latencyMs === null ? null : sentUs + latencyMs * 1000,
    latencyMs,
    status,
    httpStatus: null,
    errorClass: opts.errorClass ?? null,
    cold: opts.cold ?? null,
  };
}

/**
 * 20 measured calls over 1.9 s + the last latency: hello answers ok in 1..16 ms (the first two
 * cold), world once throttled and once failed, plus a warm-up call left out of every figure.
 */
function fixture(): InvocationRecord[] {
  const records: InvocationRecord[] = [call(100, 'hello', 'ok', 999, { phase: 'warmup', sentMs: 0 })];
  for (let i = 0; i < 16; i++) records.push(call(i, 'hello', 'ok', i + 1, { cold: i < 2 }));
  records.push(call(16, 'world', 'ok', 20, { cold: false }), call(17, 'world', 'ok', 30, { cold: false }));
  records.push(call(18, 'world', 'throttled', 2, { errorClass: 'TooManyRequestsException' }), call(19, 'world', 'function-error', 5, { errorClass: 'Sandbox.Timedout' }));
  return records;
}

function verdicts(expressions: string[], records = fixture()): Array<[string, number | null, boolean, string | null]> {
  const thresholds = expressions.map((e) => parseThreshold(e));
  const subjects = new RunSubjects(thresholds);
  for (const r of records) subjects.add(r);
  return evaluateThresholds(thresholds, subjects.subjects()).map((r) => [r.threshold.expression, r.actual, r.pass, r.note]);
}

describe('evaluateThresholds', () => {
  it("checks the summary's own figures: percentiles of ok measured calls by nearest rank, failed and throttled shares, cold share, rate", () => {
    // ok latencies: 1..16 (hello), 20, 30 (world): 18 values. p50 = 9th = 9, p90 = 17th = 20, p95 = 18th = 30, p99 = 30.
    expect(
      verdicts(['p50<=9ms', 'p50<9ms', 'p90<0.02s', 'p95>=30ms', 'p99<30ms', 'p999<=30ms', 'min>1ms', 'max<31ms', 'mean<8.5ms', 'errors<10%', 'errors<=10%', 'errors<=2', 'throttles<1', 'throttles<=5%', 'cold<=10%', 'cold<3']),
    ).toEqual([
      ['p50<=9ms', 9, true, null],
      ['p50<9ms', 9, false, null],
      ['p90<0.02s', 20, false, null],
      ['p95>=30ms', 30, true, null],
      ['p99<30ms', 30, false, null],
      ['p999<=30ms', 30, true, null],
      ['min>1ms', 1, false, null],
      ['max<31ms', 30, true, null],
      // (136 + 50) / 18 = 10.33...
      ['mean<8.5ms', 186 / 18, false, null],
      // 2 of 20 measured calls failed (the warm-up call is not one of them): 10%.
      ['errors<10%', 10, false, null],
      ['errors<=10%', 10, true, null],
      ['errors<=2', 2, true, null],
      ['throttles<1', 1, false, null],
      ['throttles<=5%', 5, true, null],
      // 2 cold of the 18 calls that said cold or warm.
      ['cold<=10%', (100 * 2) / 18, false, null],
      ['cold<3', 2, true, null],
    ]);
  });

  it('rate: ok calls per second from the first measured send to the last measured answer', () => {
    // Sends at 0..1900 ms; the last answer is call 17's at 1700 + 30 = 1730 ms, call 19's at 1905 ms: span 1.905 s.
    expect(verdicts(['rate>=9/s', 'rate>9.5'])).toEqual([
      ['rate>=9/s', 18 / 1.905, true, null],
      ['rate>9.5', 18 / 1.905, false, null],
    ]);
  });

  it('checks a function alone when named; one the run did not call fails, saying so', () => {
    expect(verdicts(['hello:p99<=16ms', 'hello:errors<1', 'world:errors<50%', 'world:p50<=20ms', 'nobody:p99<1s'])).toEqual([
      ['hello:p99<=16ms', 16, true, null],
      ['hello:errors<1', 0, true, null],
      ['world:errors<50%', 50, false, null],
      ['world:p50<=20ms', 20, true, null],
      ['nobody:p99<1s', null, false, 'no calls of function nobody in this run'],
    ]);
  });

  it('fails a threshold whose figure does not exist: no ok call to time, no call at all, no cold flag', () => {
    const failedOnly = [call(0, 'f', 'function-error', 3), call(1, 'f', 'transport-error', null)];
    expect(verdicts(['p99<1s', 'errors<=100%', 'cold<50%', 'cold<5', 'rate>0'], failedOnly)).toEqual([
      ['p99<1s', null, false, 'no ok calls to time'],
      ['errors<=100%', 100, true, null],
      ['cold<50%', null, false, 'no call said whether it was cold (the provider does not report it)'],
      ['cold<5', null, false, 'no call said whether it was cold (the provider does not report it)'],
      ['rate>0', 0, false, null],
    ]);
    expect(verdicts(['errors<1%', 'errors<1'], [])).toEqual([
      ['errors<1%', null, false, 'no measured calls'],
      ['errors<1', 0, true, null],
    ]);
  });

  it('formats the actual figure in the unit of its threshold', () => {
    const shown = (expressions: string[]): string[] => {
      const thresholds = expressions.map((e) => parseThreshold(e));
      const subjects = new RunSubjects(thresholds);
      for (const r of fixture()) subjects.add(r);
      return evaluateThresholds(thresholds, subjects.subjects()).map(formatActual);
    };
    expect(shown(['p99<1s', 'errors<1%', 'errors<1', 'throttles<2', 'rate>1', 'nobody:max<1ms'])).toEqual([
      '30.00 ms',
      '10.00%',
      '2 calls',
      '1 call',
      '9.45/s',
      'no value: no calls of function nobody in this run',
    ]);
  });
});
