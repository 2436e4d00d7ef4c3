import { describe, expect, it } from 'vitest';
import { decadeDomain, logTicks } from './log-axis.ts';

describe('logTicks', () => {
  it('gives 1, 2 and 5 of each decade inside the range, printed as written', () => {
    expect(logTicks(0.1, 100)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(3, 60)).toEqual([5, 10, 20, 50]);
    expect(logTicks(10 ** 0.75, 10 ** 1.25)).toEqual([10]);
  });

  it('keeps only the decades when the range spans more than six', () => {
    expect(logTicks(0.01, 1e6)).toEqual([0.01, 0.1, 1, 10, 100, 1000, 1e4, 1e5, 1e6]);
  });

  it('refuses ranges a log axis cannot show', () => {
    expect(() => logTicks(0, 10)).toThrow('need 0 < from <= to, finite; got 0, 10');
    expect(() => logTicks(10, 1)).toThrow();
  });
});

describe('decadeDomain', () => {
  it('widens to whole decades, keeps exact ones, and never collapses to a point', () => {
    expect(decadeDomain(3, 450)).toEqual([1, 1000]);
    expect(decadeDomain(0.1, 1000)).toEqual([0.1, 1000]);
    expect(decadeDomain(1000, 1000)).toEqual([1000, 10000]);
    expect(decadeDomain(0.05, 0.07)).toEqual([0.01, 0.1]);
  });
});
