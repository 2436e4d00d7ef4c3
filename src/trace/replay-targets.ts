/**
 * Which deployed function stands in for each trace function. Every trace function gets its own
 * deployment (named after its hash), even when several share a proxy: separate functions have
 * separate instances and cold starts, and a replay must keep that. Without a mapping every
 * function is replayed by `synthetic` with its own percentiles.
 */
import { FaasbenchError } from '../core/errors.ts';
import { parseProxyId, SYNTHETIC, type Mapping } from './mapping.ts';
import type { ScheduleInput } from './schedule.ts';
import { keyString, type TraceFunction } from './trace-function.ts';

const NAME_PREFIX = 'trace-';
const SHORTEST_HASH = 12;

export function replayTargets(functions: readonly TraceFunction[], mapping: Mapping | null): ScheduleInput[] {
  const proxies = mapping ? new Map(mapping.entries.map((e) => [keyString(e.key), e.proxy])) : null;
  const names = deploymentNames(functions);
  return functions.map((fn, i) => {
    const proxy = proxies ? proxies.get(keyString(fn.key)) : SYNTHETIC;
    if (proxy === undefined) {
      throw new FaasbenchError('InvalidParameterValue', `the mapping has no entry for function HashFunction=${fn.key.fn} (invocations.csv line ${fn.line}): map this trace (faasbench trace map) or replay without --mapping`);
    }
    if (proxy === SYNTHETIC) return { fn, target: { name: names[i]!, key: fn.key, proxy, payload: { kind: 'synthetic' } } };
    const { input } = parseProxyId(proxy);
    if (input === null) throw new FaasbenchError('InvalidParameterValue', `mapping: proxy "${proxy}" of function HashFunction=${fn.key.fn}: expected name:input or synthetic`);
    return { fn, target: { name: names[i]!, key: fn.key, proxy, payload: { kind: 'input', input } } };
  });
}

/** `trace-<hash prefix>`, as short as keeps every name distinct and within Lambda's 64 characters. */
function deploymentNames(functions: readonly TraceFunction[]): string[] {
  for (let length = SHORTEST_HASH; length <= 64 - NAME_PREFIX.length; length += 4) {
    const names = functions.map((fn) => `${NAME_PREFIX}${fn.key.fn.slice(0, length).replace(/[^A-Za-z0-9_-]/g, '_')}`);
    if (new Set(names).size === names.length) return names;
  }
  return functions.map((_, i) => `${NAME_PREFIX}${i}`);
}
