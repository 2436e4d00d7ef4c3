/**
 * `faasbench traces get <run>` and `traces analyze <run>`: the Serverless Benchmarker's get_traces
 * and analyze_traces. `get` fetches the X-Ray traces of a run's window (AWS X-Ray, or the local
 * platform's X-Ray API) into the store, one `xray-trace` record per trace; `analyze` breaks each
 * request's time into queueing, initialisation, handler, nested calls and overhead.
 */
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { plural } from '../core/plural.ts';
import { runBreakdown, storedTrace, XRAY_TRACE_KIND } from '../analysis/trace-breakdown-run.ts';
import type { Store } from '../store/store.ts';
import { EXIT } from './exit-codes.ts';
import { positiveInt } from './option-parsers.ts';
import { STORE_HELP, withExistingStore } from './store-path.ts';
import { fetchTraces, isRunTrace, xrayClient } from './traces-fetch.ts';
import { traceWindow, xraySourceOf, type XraySource } from './traces-source.ts';
import { breakdownText } from './traces-text.ts';

interface GetOptions {
  store?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  token?: string;
  marginS: string;
  json?: boolean;
}

interface AnalyzeOptions {
  store?: string;
  requests?: boolean;
  json?: boolean;
}

export function registerTraces(program: Command): void {
  const traces = program
    .command('traces')
    .description("a run's X-Ray traces: `traces get` fetches them (AWS X-Ray or the local platform), `traces analyze` breaks each request into queueing, init, handler, nested calls and overhead");
  traces
    .command('get <run>')
    .description("fetch the X-Ray traces of the run's time window (from AWS X-Ray, or the local platform the run called) into the store")
    .option('--store <target>', STORE_HELP)
    .option('--endpoint <url>', "an X-Ray API to fetch from (the local platform's URL); default: where the run's calls went (its -o url=... or aws-lambda endpoint), else AWS X-Ray")
    .option('--region <region>', 'AWS region (default: the run\'s, else the SDK chain: AWS_REGION, ~/.aws/config)')
    .option('--profile <name>', 'a profile from ~/.aws for the credentials')
    .option('--token <token>', "the local platform's token, when it was started with one")
    .option('--margin-s <s>', 'seconds added before the first planned call and after the last answer', '5')
    .option('--json', 'print what was fetched and stored as JSON')
    .action(async (runId: string, opts: GetOptions) => {
      const marginS = positiveInt(opts.marginS, '--margin-s', 0);
      const outcome = await withExistingStore(opts.store, (store) => getTraces(store, runId, opts, marginS));
      if (!outcome) return;
      console.log(opts.json ? JSON.stringify(outcome, null, 2) : getText(outcome));
    });
  traces
    .command('analyze <run>')
    .description("where each request's time went (queueing, initialisation, handler, nested calls, platform overhead): per function with percentiles, and per request")
    .option('--store <target>', STORE_HELP)
    .option('--requests', 'list every request, not only the per-function table')
    .option('--json', 'print every request and the per-function figures as JSON')
    .action(async (runId: string, opts: AnalyzeOptions) => {
      const breakdown = await withExistingStore(opts.store, async (store) => {
        await existingRun(store, runId);
        return runBreakdown(store, runId);
      });
      if (breakdown.traces === 0) throw new FaasbenchError('ResourceNotFound', `run ${runId} has no stored traces: fetch them first with faasbench traces get ${runId}`);
      console.log(opts.json ? JSON.stringify(breakdown, null, 2) : breakdownText(breakdown, opts.requests === true));
    });
}

interface GetOutcome {
  readonly runId: string;
  readonly source: { readonly endpoint: string | null; readonly region: string | null };
  readonly window: { readonly start: string; readonly end: string; readonly marginS: number; readonly calls: number };
  /** Traces that started in the window. */
  readonly inWindow: number;
  /** Of those, the run's own calls'. */
  readonly runTraces: number;
  readonly otherTraces: number;
  readonly stored: number;
  readonly alreadyStored: number;
  /** Ids X-Ray listed but did not return (AWS processes traces for a while after a call). */
  readonly unprocessed: string[];
}

async function existingRun(store: Store, runId: string): Promise<void> {
  if (!(await store.getRun(runId))) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
}

/** Null when X-Ray failed: said on stderr, exit 1. */
async function getTraces(store: Store, runId: string, opts: GetOptions, marginS: number): Promise<GetOutcome | null> {
  const run = await store.getRun(runId);
  if (!run) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
  const source = xraySourceOf(run, opts);
  const window = await traceWindow(store, runId, marginS);
  const client = await xrayClient(source);
  let fetched;
  try {
    fetched = await fetchTraces(client, window);
  } catch (err) {
    console.error(`faasbench: traces get: X-Ray at ${where(source)}: ${(err as Error).name}: ${(err as Error).message}`);
    process.exitCode = EXIT.failed;
    return null;
  } finally {
    client.destroy();
  }
  const mine = fetched.traces.filter((t) => isRunTrace(t, window.requestIds));
  const have = await storedTraceIds(store, runId);
  const fresh = mine.filter((t) => !have.has(t.traceId));
  for (const t of fresh) await store.addRecord(runId, XRAY_TRACE_KIND, { traceId: t.traceId, segments: t.segments });
  return {
    runId,
    source: { endpoint: source.endpoint ?? null, region: source.region ?? null },
    window: { start: new Date(window.startUs / 1000).toISOString(), end: new Date(window.endUs / 1000).toISOString(), marginS, calls: window.calls },
    inWindow: fetched.inWindow,
    runTraces: mine.length,
    otherTraces: fetched.traces.length - mine.length,
    stored: fresh.length,
    alreadyStored: mine.length - fresh.length,
    unprocessed: fetched.unprocessed,
  };
}

async function storedTraceIds(store: Store, runId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const { row } of store.experimentRows(runId, { kind: XRAY_TRACE_KIND })) {
    const trace = storedTrace(row);
    if (trace) ids.add(trace.traceId);
  }
  return ids;
}

const where = (source: XraySource): string => source.endpoint ?? `AWS (${source.region ?? "the SDK chain's region"})`;

function getText(o: GetOutcome): string {
  const lines = [
    `run ${o.runId}: ${plural(o.window.calls, 'call')}, window ${o.window.start} to ${o.window.end} (${o.window.marginS} s margin each side)`,
    `X-Ray at ${o.source.endpoint ?? `AWS${o.source.region ? ` ${o.source.region}` : ''}`}: ${plural(o.inWindow, 'trace')} in the window, ${o.runTraces} of the run's calls, ${o.otherTraces} of other callers left out`,
    `stored ${plural(o.stored, 'trace')}${o.alreadyStored ? ` (${o.alreadyStored} already stored)` : ''}; see faasbench traces analyze ${o.runId}`,
  ];
  if (o.unprocessed.length) lines.push(`${plural(o.unprocessed.length, 'trace')} listed but not returned yet (X-Ray still processing): run traces get again later`);
  return lines.join('\n');
}
