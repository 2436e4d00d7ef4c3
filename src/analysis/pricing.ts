/**
 * What a platform charges: one price table per priced provider and architecture, the rule that
 * turns a measured duration into billed time, and which table a provider's calls are priced at.
 * Pure data and arithmetic: memory-sweep and the report both read it, so it knows nothing of runs.
 *
 * AWS Lambda prices: https://aws.amazon.com/lambda/pricing/ (US East, N. Virginia; the first
 * monthly tier: x86 $0.0000166667 per GB-s for the first 6 billion GB-s, Arm $0.0000133334 per GB-s
 * for the first 7.5 billion, $0.20 per 1M requests on both; duration billed per 1 ms, rounded up,
 * since December 2020). Lambda's GB is 1,024 MB: its own examples price 128 MB as 0.125 GB.
 * Free tier and volume tiers are left out on purpose: they depend on an account's whole month,
 * not on the function being measured.
 */

export type Architecture = 'x86_64' | 'arm64';

export interface PriceTable {
  /** `aws-lambda/x86_64`: what `priceAs` names. */
  readonly id: string;
  readonly label: string;
  readonly usdPerGbSecond: number;
  readonly usdPerMillionRequests: number;
  /** Billed duration is the measured one rounded up to a multiple of this... */
  readonly billingIncrementMs: number;
  /** ...and never less than this. */
  readonly minimumBilledMs: number;
  readonly mbPerGb: number;
  readonly source: string;
}

const AWS_SOURCE = 'https://aws.amazon.com/lambda/pricing/';

export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = {
  'aws-lambda/x86_64': {
    id: 'aws-lambda/x86_64',
    label: 'AWS Lambda x86_64 (us-east-1, first monthly tier)',
    usdPerGbSecond: 0.0000166667,
    usdPerMillionRequests: 0.2,
    billingIncrementMs: 1,
    minimumBilledMs: 1,
    mbPerGb: 1024,
    source: AWS_SOURCE,
  },
  'aws-lambda/arm64': {
    id: 'aws-lambda/arm64',
    label: 'AWS Lambda arm64 (us-east-1, first monthly tier)',
    usdPerGbSecond: 0.0000133334,
    usdPerMillionRequests: 0.2,
    billingIncrementMs: 1,
    minimumBilledMs: 1,
    mbPerGb: 1024,
    source: AWS_SOURCE,
  },
  /**
   * Cloud Functions 2nd gen (Cloud Run functions) bills as Cloud Run, request-based billing: Tier 1
   * regions (us-central1...), $0.000024 per vCPU-s, $0.0000025 per GiB-s, $0.40 per 1M requests,
   * each instance's time rounded up to 100 ms (https://cloud.google.com/run/pricing, read
   * 2026-12-06; free tier left out, as for AWS). The table has one per-GB price, so the CPU is
   * folded in at the CPU Cloud Functions gives by default per memory, 1/6 vCPU per 256 MiB up to
   * 512 MiB (2/3 vCPU per GiB): $0.0000025 + 2/3 x $0.000024 = $0.0000185 per GiB-s. Exact at 128 to
   * 512 MiB; above, the default CPU grows slower than memory and this overstates the bill: by 12% at
   * 1 GiB (0.583 vCPU), 28% at 2 and 4 GiB (1 and 2 vCPU).
   */
  'gcp-functions/tier1': {
    id: 'gcp-functions/tier1',
    label: 'Google Cloud Functions 2nd gen (Tier 1 region, CPU at the default per memory)',
    usdPerGbSecond: 0.0000185,
    usdPerMillionRequests: 0.4,
    billingIncrementMs: 100,
    minimumBilledMs: 100,
    mbPerGb: 1024,
    source: 'https://cloud.google.com/run/pricing',
  },
  /**
   * Azure Functions (https://azure.microsoft.com/en-us/pricing/details/functions/ and
   * https://learn.microsoft.com/azure/azure-functions/functions-consumption-costs, read 2026-12-06;
   * East US, pay as you go; free grants left out, as for AWS). Consumption: $0.000016 per GB-s and
   * $0.20 per 1M executions, each execution billed for at least 100 ms, rounded up to 1 ms, on its
   * memory rounded up to 128 MB (Azure measures the memory; here it is the configured memory, as
   * for Lambda). Flex Consumption on demand: $0.000026 per GB-s of the instance memory and $0.40
   * per 1M executions, at least 1,000 ms per execution.
   */
  'azure-functions/consumption': {
    id: 'azure-functions/consumption',
    label: 'Azure Functions Consumption (East US)',
    usdPerGbSecond: 0.000016,
    usdPerMillionRequests: 0.2,
    billingIncrementMs: 1,
    minimumBilledMs: 100,
    mbPerGb: 1024,
    source: 'https://azure.microsoft.com/en-us/pricing/details/functions/',
  },
  'azure-functions/flex': {
    id: 'azure-functions/flex',
    label: 'Azure Functions Flex Consumption, on demand (East US)',
    usdPerGbSecond: 0.000026,
    usdPerMillionRequests: 0.4,
    billingIncrementMs: 1,
    minimumBilledMs: 1000,
    mbPerGb: 1024,
    source: 'https://azure.microsoft.com/en-us/pricing/details/functions/',
  },
};

/** Platforms whose bill is a cluster's, not a per-call price: their calls have no cost here. */
const UNPRICED: Readonly<Record<string, string>> = {
  openfaas: 'self-hosted: the bill is the cluster it runs on',
  knative: 'self-hosted: the bill is the cluster it runs on',
  http: 'an arbitrary endpoint: no known price',
};

export interface Pricing {
  /** Null: calls on this provider have no price, and their cost is null. */
  readonly table: PriceTable | null;
  /** One line for a result's notes: what the calls were priced at and why. */
  readonly note: string;
}

export interface PricingOptions {
  /** The Lambda architecture, where the provider is Lambda or priced as Lambda (default x86_64). */
  readonly architecture?: Architecture;
  /** A table id (`aws-lambda/arm64`) to price at whatever the provider, or `none` for no price. */
  readonly priceAs?: string;
}

/**
 * The table a provider's calls are priced at. The local platform mimics Lambda, so it is priced
 * as Lambda (x86_64 unless told otherwise), and the note says so.
 */
export function pricingFor(provider: string, options: PricingOptions = {}): Pricing {
  if (options.priceAs !== undefined) {
    if (options.priceAs === 'none') return { table: null, note: `${provider} not priced (priceAs none): cost not computed` };
    const table = PRICE_TABLES[options.priceAs];
    if (!table) throw new RangeError(`price table "${options.priceAs}": expected one of ${[...Object.keys(PRICE_TABLES), 'none'].join(', ')}`);
    return { table, note: `${provider} priced as ${table.label} (priceAs), ${describePrices(table)}` };
  }
  const lambda = PRICE_TABLES[`aws-lambda/${options.architecture ?? 'x86_64'}`]!;
  if (provider === 'aws-lambda') return { table: lambda, note: `priced as ${lambda.label}, ${describePrices(lambda)}` };
  if (provider === 'local') return { table: lambda, note: `local platform priced as ${lambda.label}, ${describePrices(lambda)}` };
  const azure = PRICE_TABLES['azure-functions/consumption']!;
  if (provider === 'azure-functions') return { table: azure, note: `priced as ${azure.label} (a Flex Consumption app: priceAs azure-functions/flex), ${describePrices(azure)}` };
  const gcp = PRICE_TABLES['gcp-functions/tier1']!;
  if (provider === 'gcp-functions') return { table: gcp, note: `priced as ${gcp.label}, ${describePrices(gcp)}` };
  const why = UNPRICED[provider] ?? 'no price table for this provider';
  return { table: null, note: `${provider}: no price (${why}): cost not computed` };
}

export function describePrices(table: PriceTable): string {
  return `$${table.usdPerGbSecond} per GB-s and $${table.usdPerMillionRequests} per 1M requests, billed per ${table.billingIncrementMs} ms; ${table.source}`;
}

/** A measured duration as the table bills it: rounded up to the increment, at least the minimum. */
export function billedMsOf(durationMs: number, table: PriceTable): number {
  if (!(durationMs >= 0)) throw new RangeError(`duration ${durationMs} ms: expected a duration >= 0`);
  return Math.max(table.minimumBilledMs, Math.ceil(durationMs / table.billingIncrementMs) * table.billingIncrementMs);
}
