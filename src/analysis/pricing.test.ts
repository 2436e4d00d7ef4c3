import { describe, expect, it } from 'vitest';
import { billedMsOf, PRICE_TABLES, pricingFor } from './pricing.ts';

const x86 = PRICE_TABLES['aws-lambda/x86_64']!;
const arm = PRICE_TABLES['aws-lambda/arm64']!;

describe('price tables', () => {
  it("hold Lambda's us-east-1 first-tier prices, GB of 1,024 MB, 1 ms billing", () => {
    expect([x86.usdPerGbSecond, x86.usdPerMillionRequests, x86.billingIncrementMs, x86.minimumBilledMs, x86.mbPerGb]).toEqual([0.0000166667, 0.2, 1, 1, 1024]);
    expect([arm.usdPerGbSecond, arm.usdPerMillionRequests, arm.billingIncrementMs, arm.minimumBilledMs, arm.mbPerGb]).toEqual([0.0000133334, 0.2, 1, 1, 1024]);
  });

  it('bill a duration rounded up to the ms, 1 ms at least', () => {
    expect([0, 0.2, 1, 1.0001, 37.5, 99.9, 100].map((ms) => billedMsOf(ms, x86))).toEqual([1, 1, 1, 2, 38, 100, 100]);
    expect(() => billedMsOf(-1, x86)).toThrow('duration -1 ms: expected a duration >= 0');
    expect(() => billedMsOf(Number.NaN, x86)).toThrow('expected a duration >= 0');
  });
});

describe('pricingFor', () => {
  it('prices aws-lambda by architecture, x86_64 by default', () => {
    expect(pricingFor('aws-lambda').table).toBe(x86);
    expect(pricingFor('aws-lambda', { architecture: 'arm64' }).table).toBe(arm);
  });

  it('prices local as aws-lambda x86_64 and says so', () => {
    const local = pricingFor('local');
    expect(local.table).toBe(x86);
    expect(local.note).toBe(
      'local platform priced as AWS Lambda x86_64 (us-east-1, first monthly tier), $0.0000166667 per GB-s and $0.2 per 1M requests, billed per 1 ms; https://aws.amazon.com/lambda/pricing/',
    );
  });

  it('gives openfaas and http no price, with the reason', () => {
    expect(pricingFor('openfaas')).toEqual({ table: null, note: 'openfaas: no price (self-hosted: the bill is the cluster it runs on): cost not computed' });
    expect(pricingFor('http')).toEqual({ table: null, note: 'http: no price (an arbitrary endpoint: no known price): cost not computed' });
    expect(pricingFor('somewhere-else').table).toBeNull();
  });

  it('prices as asked with priceAs, or not at all with none; an unknown table is an error', () => {
    expect(pricingFor('openfaas', { priceAs: 'aws-lambda/arm64' }).table).toBe(arm);
    expect(pricingFor('local', { priceAs: 'none' })).toEqual({ table: null, note: 'local not priced (priceAs none): cost not computed' });
    expect(() => pricingFor('local', { priceAs: 'gcp' })).toThrow('price table "gcp": expected one of aws-lambda/x86_64, aws-lambda/arm64, gcp-functions/tier1, azure-functions/consumption, azure-functions/flex, none');
  });
});
