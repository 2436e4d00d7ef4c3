/**
 * One constant-rate load run through the real path (`runLoad`: http provider, SQLite store,
 * summary) against a server the bench started: what the invoker benches measure.
 */
import { runLoad, type LoadRunResult } from '../src/cli/load-run.ts';

export interface ConstantRun {
  readonly url: string;
  readonly rate: number;
  readonly seconds: number;
  readonly store: string;
  readonly connections: number;
  readonly showProgress?: boolean;
}

export function constantRun(r: ConstantRun): Promise<LoadRunResult> {
  return runLoad({
    fn: 'noop',
    pkg: null,
    deployOverrides: {},
    provider: 'http',
    providerOptions: { url: r.url, method: 'POST', connections: r.connections },
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
