// The words `experiment invoke` and `experiment test` take, read as faasbench invoke reads them
// (patternOfWords is its parser): sb's count and rates file, a workload type with its options.
import { describe, expect, it } from 'vitest';
import { patternOfWords } from './invoke.ts';

describe('patternOfWords', () => {
  it("reads sb's shorthands and any pattern of the registry", () => {
    expect(patternOfWords([], '1')).toEqual({ name: 'sequential', options: { count: '1' } });
    expect(patternOfWords(['10'], '1')).toEqual({ name: 'sequential', options: { count: '10' } });
    expect(patternOfWords(['10', '--gap', '1s'], '1')).toEqual({ name: 'sequential', options: { count: '10', gap: '1s' } });
    expect(patternOfWords(['rates.csv'], '1')).toEqual({ name: 'rates', options: { rates: 'rates.csv' } });
    expect(patternOfWords(['trace/Minutes.CSV', '--arrivals', 'poisson'], '1')).toEqual({ name: 'rates', options: { rates: 'trace/Minutes.CSV', arrivals: 'poisson' } });
    expect(patternOfWords(['bursty', '--rate', '5', '--duration=1m'], '1')).toEqual({ name: 'bursty', options: { rate: '5', duration: '1m' } });
  });

  it('refuses what the registry refuses, in its words', () => {
    expect(() => patternOfWords(['10', '12'], '1')).toThrow('sequential: the positional count (12) given twice');
    expect(() => patternOfWords(['--rate', '5'], '1')).toThrow('expected a load pattern name first (sequential, concurrent, constant, ramp, steady, bursty, spikes, jump, rates), got "--rate"');
  });
});
