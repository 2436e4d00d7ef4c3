/**
 * One constant-rate load run through the real path (`runLoad`: a provider, SQLite store,
 * summary) against a server the bench started: what the invoker benches measure.
 */
import { runLoad, type LoadRunResult } from '../src/cli/load-run.ts';
import type { ProviderOptions } from '../src/providers/index.ts';

/** Which provider sends the calls, and to where. */
export interface RunTarget {
  readonly provider: 'http' | 'grpc';
  readonly options: ProviderOptions;
}

/** The http provider POSTing `{}` to `url`, over `connections` keep-alive connections. */
export function httpTarget(url: string, connections: number): RunTarget {
  return { provider: 'http', options: { url, method: 'POST', connections } };
}

/** The grpc provider calling helloworld.Greeter/SayHello (its default) at `address` (host:port). */
export function grpcTarget(address: string): RunTarget {
  return { provider: 'grpc', options: { endpoint: address } };
}

export interface ConstantRun {
  /** Default: the http provider to `url`. */
  readonly target?: RunTarget;
  readonly url?: string;
  readonly rate: number;
  readonly seconds: number;
  readonly store: string;
  readonly connections: number;
  readonly showProgress?: boolean;
}

export function constantRun(r: ConstantRun): Promise<LoadRunResult> {
  const target = r.target ?? httpTarget(r.url ?? '', r.connections);
  return runLoad({
    fn: 'noop',
    pkg: null,
    deployOverrides: {},
    provider: target.provider,
    providerOptions: target.options,
    pattern: { name: 'constant', options: { rate: String(r.rate), duration: `${r.seconds}s` } },
    payload: { event: {} },
    seed: 1,
    store: r.store,
    storageUrl: undefined,
    shard: undefined,
    runId: undefined,
    startAtMs: undefined,
    maxInFlight: 1000,
    showProgress: r.showProgress ?? false,
  });
}
