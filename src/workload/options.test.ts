import { describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { flagOf, parseDuration } from './options.ts';
import { PATTERNS, patternNamed, planPattern, splitPatternArgs } from './registry.ts';

const target = { fn: 'f', payload: { event: {} } } as const;

const errorOf = (run: () => unknown): Error => {
  try {
    run();
  } catch (err) {
    expect(isFaasbenchError(err, 'InvalidParameterValue')).toBe(true);
    return err as Error;
  }
  throw new Error('expected an InvalidParameterValue');
};

describe('parseDuration', () => {
  it('reads ms, s, m, h and sums of them, in µs', () => {
    expect(parseDuration('500ms')).toBe(500_000);
    expect(parseDuration('10s')).toBe(10_000_000);
    expect(parseDuration('2m')).toBe(120_000_000);
    expect(parseDuration('1h')).toBe(3_600_000_000);
    expect(parseDuration('1m30s')).toBe(90_000_000);
    expect(parseDuration('1.5s')).toBe(1_500_000);
    expect(parseDuration('0s')).toBe(0);
  });

  it('rejects numbers without a unit and unknown units', () => {
    for (const bad of ['10', 's', '10 s', '-1s', '1d', '1e3ms', '']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('pattern options', () => {
  it('fills defaults', () => {
    expect(PATTERNS.constant.parse({ rate: '100', duration: '10s' })).toEqual({ rate: 100, duration: 10_000_000, arrivals: 'uniform', seed: 42, warmup: 0, warmupCalls: 0 });
    expect(PATTERNS.spikes.parse({})).toMatchObject({ rate: 20, duration: 1_200_000_000 });
    expect(PATTERNS.sequential.parse({ count: 3 })).toEqual({ count: 3, gap: 0, warmupCalls: 0 });
  });

  it('names each bad option the way it is typed', () => {
    expect(errorOf(() => PATTERNS.constant.parse({ rate: '0', duration: '10' })).message).toBe(
      'constant: --rate must be a rate in calls/s greater than 0 (e.g. 100 or 0.5), got "0"; --duration must be a duration such as 500ms, 10s, 2m or 1h (more than 0), got "10"',
    );
    expect(errorOf(() => PATTERNS.ramp.parse({ to: 5, duration: '1s' })).message).toBe('ramp: --from is required');
    expect(errorOf(() => PATTERNS.sequential.parse({ count: '2.5' })).message).toBe('sequential: --count must be a whole number of at least 1, got "2.5"');
    expect(errorOf(() => PATTERNS.steady.parse({ arrivals: 'bursty' })).message).toBe('steady: --arrivals must be uniform or poisson, got "bursty"');
    expect(errorOf(() => PATTERNS.jump.parse({ warmupCalls: '-1' })).message).toBe('jump: --warmup-calls must be a whole number of 0 or more, got "-1"');
    expect(errorOf(() => PATTERNS.rates.parse({})).message).toBe('rates: --rates is required');
  });

  it('names unknown options and lists the known ones', () => {
    expect(errorOf(() => PATTERNS.concurrent.parse({ count: 2, rate: 5 })).message).toBe('concurrent: unknown option --rate (concurrent takes --count, --warmup-calls, --tag)');
    // a duration warm-up means nothing where offsets are all 0
    expect(errorOf(() => PATTERNS.sequential.parse({ count: 2, warmup: '1s' })).message).toContain('unknown option --warmup (sequential takes --count, --gap, --warmup-calls, --tag)');
  });

  it('accepts numbers from programs as well as strings from the CLI', () => {
    expect(PATTERNS.ramp.parse({ from: 0, to: 2.5, duration: '1m', seed: -7 })).toMatchObject({ from: 0, to: 2.5, duration: 60_000_000, seed: -7 });
  });

  it('spells camelCase keys as flags', () => {
    expect(flagOf('warmupCalls')).toBe('--warmup-calls');
    expect(flagOf('rate')).toBe('--rate');
  });
});

describe('registry', () => {
  it('lists every pattern under its own name', () => {
    expect(Object.keys(PATTERNS)).toEqual(['sequential', 'concurrent', 'constant', 'ramp', 'steady', 'bursty', 'spikes', 'jump', 'rates']);
    for (const [name, pattern] of Object.entries(PATTERNS)) expect(pattern.name).toBe(name);
  });

  it('rejects an unknown pattern, listing the known ones', () => {
    expect(errorOf(() => patternNamed('burst')).message).toBe('unknown load pattern "burst" (known: sequential, concurrent, constant, ramp, steady, bursty, spikes, jump, rates)');
    expect(errorOf(() => patternNamed('toString')).message).toContain('unknown load pattern "toString"');
  });

  it('splits CLI words into a pattern name and options', () => {
    expect(splitPatternArgs(['constant', '--rate', '100', '--duration=10s', '--warmup-calls', '3'])).toEqual({ name: 'constant', options: { rate: '100', duration: '10s', warmupCalls: '3' } });
    expect(splitPatternArgs(['sequential', '10'])).toEqual({ name: 'sequential', options: { count: '10' } });
    expect(errorOf(() => splitPatternArgs(['constant', '--rate'])).message).toBe('constant: --rate needs a value');
    expect(errorOf(() => splitPatternArgs(['constant', '--rate', '--duration', '1s'])).message).toBe('constant: --rate needs a value');
    expect(errorOf(() => splitPatternArgs(['constant', '--rate', '1', '--rate=2'])).message).toBe('constant: --rate given twice');
    expect(errorOf(() => splitPatternArgs(['sequential', '1', '2'])).message).toBe('sequential: the positional count (2) given twice');
    expect(errorOf(() => splitPatternArgs(['--rate', '1'])).message).toContain('expected a load pattern name first');
  });

  it('plans from CLI words end to end', () => {
    const { name, options } = splitPatternArgs('constant --rate 100 --duration 10s'.split(' '));
    const plan = planPattern(name, options, target);
    expect(plan.count).toBe(1000);
    expect(plan.durationUs).toBe(9_990_000);
  });
});
