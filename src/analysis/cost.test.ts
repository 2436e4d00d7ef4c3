import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { averageCallCost, balancedScore, costOf, costOfRecords, costWith, recommend, trimmedMean, type PowerStat } from './cost.ts';
import { PRICE_TABLES, pricingFor } from './pricing.ts';

const x86 = PRICE_TABLES['aws-lambda/x86_64']!;
/** Equal to about 1e-16 $: the sums below are exact to far better than a millionth of a cent. */
const near = (actual: number | undefined, expected: number): void => expect(Math.abs((actual ?? NaN) - expected)).toBeLessThan(1e-16);

describe('costWith and costOf', () => {
  it('1 GB for 1 s plus one request on x86: 0.0000166667 + 0.0000002 $', () => {
    const cost = costOf({ provider: 'aws-lambda', memoryMb: 1024, billedMs: 1000, requests: 1 });
    expect(cost).toMatchObject({ gbSeconds: 1, pricedAs: 'aws-lambda/x86_64' });
    near(cost?.computeUsd, 0.0000166667);
    near(cost?.requestUsd, 0.0000002);
    near(cost?.usd, 0.0000168667);
  });

  it('128 MB for 100 ms: 0.0125 GB-s, 2.08333750e-7 $ of compute', () => {
    const cost = costWith(x86, { memoryMb: 128, billedMs: 100, requests: 1 });
    expect(cost.gbSeconds).toBe(0.0125);
    near(cost.computeUsd, 0.00000020833375);
    near(cost.usd, 0.00000040833375);
  });

  it('arm64, 10 requests billed 2,000 ms in all at 512 MB: 1 GB-s at 0.0000133334 plus 10 requests', () => {
    const cost = costOf({ provider: 'aws-lambda', architecture: 'arm64', memoryMb: 512, billedMs: 2000, requests: 10 });
    near(cost?.usd, 0.0000133334 + 0.000002);
  });

  it('local costs what Lambda x86 does; openfaas has no cost', () => {
    expect(costOf({ provider: 'local', memoryMb: 1769, billedMs: 37, requests: 1 })).toEqual(costOf({ provider: 'aws-lambda', memoryMb: 1769, billedMs: 37, requests: 1 }));
    // 0.037 s x 1769/1024 GB = 0.0639189453125 GB-s
    near(costOf({ provider: 'local', memoryMb: 1769, billedMs: 37, requests: 0 })?.usd, 0.0639189453125 * 0.0000166667);
    expect(costOf({ provider: 'openfaas', memoryMb: 1769, billedMs: 37, requests: 1 })).toBeNull();
  });

  it('refuses nonsense usage', () => {
    expect(() => costWith(x86, { memoryMb: 0, billedMs: 1, requests: 1 })).toThrow('expected memoryMb > 0');
    expect(() => costWith(x86, { memoryMb: 128, billedMs: -1, requests: 1 })).toThrow('billedMs >= 0');
  });
});

describe('costOfRecords', () => {
  const base: InvocationRecord = {
    runId: 'r', seq: 0, fn: 'f', phase: 'measure', tag: null, plannedUs: 0, sentUs: 0, receivedUs: 1, latencyMs: 1, status: 'ok', httpStatus: 200, errorClass: null,
    requestId: null, instanceId: null, cold: false, initMs: null, durationMs: 9.5, billedMs: 10, memoryMb: 128, maxMemoryMb: 50,
  };

  it('sums billed MB-ms of the calls that ran; throttled and dropped calls cost nothing', () => {
    const records: InvocationRecord[] = [
      base,
      { ...base, memoryMb: 1024, billedMs: 20 },
      { ...base, status: 'function-error', billedMs: 5 },
      // No billed figure from the platform: the duration billed by the table's rule, 3.2 -> 4 ms.
      { ...base, billedMs: null, durationMs: 3.2 },
      { ...base, status: 'throttled', billedMs: null, durationMs: null },
      { ...base, status: 'dropped', billedMs: null, durationMs: null },
    ];
    const out = costOfRecords(records, pricingFor('local'));
    expect([out.requests, out.billedMs, out.unpriced]).toEqual([4, 39, 2]);
    // (10 x 128 + 20 x 1024 + 5 x 128 + 4 x 128) MB-ms = 22,912 MB-ms = 22.912 / 1024 GB-s
    near(out.cost?.gbSeconds, 22.912 / 1024);
    near(out.cost?.usd, (22.912 / 1024) * 0.0000166667 + 4 * 0.0000002);
  });

  it('counts without a price on openfaas, and takes the memory given where records lack it', () => {
    const out = costOfRecords([{ ...base, memoryMb: null }], pricingFor('openfaas'), 256);
    expect(out).toEqual({ cost: null, requests: 1, billedMs: 10, unpriced: 0 });
  });
});

describe("lambda-power-tuning's average and choice", () => {
  it('drops floor(n x 0.2) from each end before averaging', () => {
    expect(trimmedMean([5, 1, 3, 2, 100])).toBe(10 / 3);
    expect(trimmedMean([5, 1, 3, 2, 100], 0)).toBe(22.2);
    // floor(4 x 0.2) = 0: nothing dropped.
    expect(trimmedMean([1, 2, 3, 10])).toBe(4);
    expect(trimmedMean([9, 1, 2, 3, 4, 5, 6, 7, 8, 10], 0.2)).toBe(5.5);
    expect(trimmedMean([])).toBeNull();
    expect(() => trimmedMean([1], 0.5)).toThrow('discardTopBottom 0.5: expected 0 to 0.4');
  });

  it('prices an average call at the average rounded up to a whole ms, plus the request', () => {
    // ceil(36.4) = 37 ms at 1769 MB.
    near(averageCallCost(x86, 1769, 36.4)?.usd, 0.0639189453125 * 0.0000166667 + 0.0000002);
    expect(averageCallCost(null, 1769, 36.4)).toBeNull();
  });

  const a: PowerStat = { memoryMb: 128, durationMs: 100, costUsd: 1 };
  const b: PowerStat = { memoryMb: 256, durationMs: 50, costUsd: 1.5 };
  const c: PowerStat = { memoryMb: 512, durationMs: 20, costUsd: 3 };

  it('cost: the cheapest; speed: the fastest', () => {
    expect(recommend([a, b, c], 'cost')).toBe(a);
    expect(recommend([a, b, c], 'speed')).toBe(c);
  });

  it('balanced: weight x cost/max cost + (1 - weight) x duration/max duration, lowest wins', () => {
    // a: 0.5/3 + 0.5 = 0.667; b: 0.25 + 0.25 = 0.5; c: 0.5 + 0.1 = 0.6
    expect([a, b, c].map((s) => balancedScore(s, [a, b, c])!.toFixed(4))).toEqual(['0.6667', '0.5000', '0.6000']);
    expect(recommend([a, b, c], 'balanced')).toBe(b);
    expect(recommend([a, b, c], 'balanced', 1)).toBe(a);
    expect(recommend([a, b, c], 'balanced', 0)).toBe(c);
    expect(() => recommend([a], 'balanced', 1.5)).toThrow('balancedWeight 1.5: expected 0 to 1');
  });

  it('ties: cost picks the faster, speed the cheaper, balanced the earlier', () => {
    const cheapSlow: PowerStat = { memoryMb: 128, durationMs: 80, costUsd: 2 };
    const cheapFast: PowerStat = { memoryMb: 256, durationMs: 40, costUsd: 2 };
    expect(recommend([cheapSlow, cheapFast], 'cost')).toBe(cheapFast);
    const fastDear: PowerStat = { memoryMb: 1024, durationMs: 10, costUsd: 5 };
    const fastCheap: PowerStat = { memoryMb: 512, durationMs: 10, costUsd: 4 };
    expect(recommend([fastDear, fastCheap], 'speed')).toBe(fastCheap);
    // Both score 0.5 x 1 + 0.5 x 1 = 1... and 0.5 x 1 + 0.5 x 1: equal, the first stays.
    const p: PowerStat = { memoryMb: 128, durationMs: 10, costUsd: 1 };
    const q: PowerStat = { memoryMb: 256, durationMs: 10, costUsd: 1 };
    expect(recommend([p, q], 'balanced')).toBe(p);
  });

  it('without prices only speed can choose', () => {
    const unpriced = [{ ...a, costUsd: null }, { ...c, costUsd: null }];
    expect(recommend(unpriced, 'speed')?.memoryMb).toBe(512);
    expect(recommend(unpriced, 'cost')).toBeNull();
    expect(recommend(unpriced, 'balanced')).toBeNull();
    expect(recommend([], 'speed')).toBeNull();
  });
});
