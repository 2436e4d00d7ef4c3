/** Parsers for option values several commands share; each error names the option. */
import { FaasbenchError } from '../core/errors.ts';
import type { ProviderOptions } from '../providers/index.ts';

export function positiveInt(text: string, flag: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new FaasbenchError('InvalidParameterValue', `${flag}: expected an integer >= ${min}, got "${text}"`);
  return n;
}

/** `key=value` pairs; a value that parses as JSON (numbers, booleans, objects) is taken as such. */
export function parseProviderOptions(pairs: readonly string[]): ProviderOptions {
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FaasbenchError('InvalidParameterValue', `--provider-opt: expected key=value, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      /* a plain string */
    }
    options[pair.slice(0, eq)] = value;
  }
  return options;
}

export function parseShard(text: string): { index: number; total: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index >= total) throw new FaasbenchError('InvalidParameterValue', `--shard: expected i/n with 0 <= i < n, got "${text}"`);
  return { index, total };
}
