/**
 * Where `traces get` fetches a run's traces from and over which time: the X-Ray API of the local
 * platform the run called (its `url` option), of the endpoint an aws-lambda run called, or AWS
 * X-Ray itself (region and credentials from the SDK's chain); the window from the run's first
 * planned call to its last answer, widened by a margin.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { Run, Store } from '../store/store.ts';
import { storedOptionsOf } from './stored-provider-options.ts';

export interface XraySource {
  /** Undefined for AWS X-Ray itself. */
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  /** The local platform's token (its --token), sent as the access key id as the aws-lambda provider does. */
  readonly token: string | undefined;
  /** How it was found, for the output. */
  readonly from: 'option' | 'run';
}

export interface SourceOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly token?: string;
}

/** An explicit --endpoint wins; else the run's own provider options say where its calls went. */
export function xraySourceOf(run: Run, options: SourceOptions): XraySource {
  const { token, profile } = options;
  if (options.endpoint !== undefined) return { endpoint: checkedUrl(options.endpoint), region: options.region, profile, token, from: 'option' };
  const stored = storedOptionsOf(run.params);
  const str = (key: string): string | undefined => (typeof stored[key] === 'string' ? (stored[key] as string) : undefined);
  if (run.provider === 'local') {
    const url = str('url');
    // Only experiment runs keep their provider options (stored-provider-options.ts).
    if (url === undefined && run.kind !== 'experiment') {
      throw new FaasbenchError('InvalidParameterValue', `run ${run.id} does not record the platform its calls went to: give --endpoint <its URL> if it still runs (a platform the run started itself stopped with it, and took its traces along)`);
    }
    if (url === undefined) {
      throw new FaasbenchError(
        'InvalidParameterValue',
        `run ${run.id} ran on a local platform it started and stopped, and its traces went with it: start one with \`faasbench platform start\`, run against it with -o url=<its URL>, or give --endpoint if the run's platform still runs`,
      );
    }
    return { endpoint: url, region: options.region, profile, token, from: 'run' };
  }
  if (run.provider === 'aws-lambda') return { endpoint: str('endpoint'), region: options.region ?? str('region'), profile: profile ?? str('profile'), token, from: 'run' };
  throw new FaasbenchError('InvalidParameterValue', `run ${run.id} ran on provider ${run.provider}, which keeps no X-Ray traces: give --endpoint <url> of an X-Ray API (the local platform's URL) to fetch from one`);
}

function checkedUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text.replace(/\/+$/, '');
  } catch {
    /* said below */
  }
  throw new FaasbenchError('InvalidParameterValue', `--endpoint ${text}: expected an http:// or https:// URL, e.g. http://127.0.0.1:9000`, { reason: 'usage' });
}

export interface TraceWindow {
  readonly startUs: number;
  readonly endUs: number;
  /** The run's request ids the platform reported: the traces kept are theirs (none: every trace in the window). */
  readonly requestIds: ReadonlySet<string>;
  readonly calls: number;
}

/** From the first planned call to the last answer (or send, for a call never answered), widened by marginS each side. */
export async function traceWindow(store: Store, runId: string, marginS: number): Promise<TraceWindow> {
  let first = Infinity;
  let last = -Infinity;
  let calls = 0;
  const requestIds = new Set<string>();
  for await (const page of store.recordPages(runId, ['plannedUs', 'sentUs', 'receivedUs', 'requestId'])) {
    for (const r of page) {
      calls += 1;
      first = Math.min(first, r.plannedUs);
      last = Math.max(last, r.receivedUs ?? r.sentUs ?? r.plannedUs);
      if (r.requestId !== null) requestIds.add(r.requestId);
    }
  }
  if (calls === 0) throw new FaasbenchError('InvalidParameterValue', `run ${runId} holds no invocations: it has no time window to fetch traces of`);
  const marginUs = marginS * 1e6;
  return { startUs: first - marginUs, endUs: last + marginUs, requestIds, calls };
}
