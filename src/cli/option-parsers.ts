/** Parsers for option values several commands share; each error names the option. */
import { FaasbenchError } from '../core/errors.ts';
import type { ProviderOptions } from '../providers/index.ts';
// run-status.ts, not store/index.ts: that would load the store's drivers (kysely, better-sqlite3) for
// every command that parses an option, trace plan included.
import { HEARTBEAT_INTERVAL_MS } from '../store/run-status.ts';

export function positiveInt(text: string, flag: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new FaasbenchError('InvalidParameterValue', `${flag}: expected an integer >= ${min}, got "${text}"`);
  return n;
}

/**
 * Commander's collector for an option given once per value (`-o a=1 -o b=2`). A variadic option
 * (`<key=value...>`) would take every word after it as another value, a command's pattern or
 * function names included.
 */
export function collectRepeated(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/** `key=value` pairs; a value that parses as JSON (numbers, booleans, objects) is taken as such. */
export function parseProviderOptions(pairs: readonly string[]): ProviderOptions {
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FaasbenchError('InvalidParameterValue', `--provider-opt: expected key=value, got "${pair}"`, { reason: 'usage' });
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

/**
 * The heartbeat interval a run's writer promises (run-status.ts): HEARTBEAT_INTERVAL_MS, or
 * FAASBENCH_HEARTBEAT_MS for a test that kills a writer and cannot wait seconds for it to count
 * as abandoned. Readers need not agree: the interval is stored with each beat.
 */
export function heartbeatIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.FAASBENCH_HEARTBEAT_MS;
  return text === undefined || text === '' ? HEARTBEAT_INTERVAL_MS : positiveInt(text, 'FAASBENCH_HEARTBEAT_MS', 50);
}
