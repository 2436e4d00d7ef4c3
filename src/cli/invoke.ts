/**
 * `faasbench invoke <fn> [pattern] [pattern options]`: deploy a function and invoke it under a
 * load pattern (default: `sequential`, `--times` calls), through any provider, storing every call.
 * Pattern options (`--rate`, `--duration`, `--arrivals`...) pass through to the pattern, so
 * `faasbench invoke hello constant --rate 100 --duration 10s` reads as it runs.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import type { FunctionPackage } from '../core/function-package.ts';
import type { Store } from '../store/store.ts';
import { splitPatternArgs } from '../workload/registry.ts';
import { endLine, failuresOf, printEndLine, summaryCounts } from './failure-line.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { runLoad, type LoadRunResult } from './load-run.ts';
import { withExistingStore } from './store-path.ts';
import { EXPORT_HELP, exportInvoke } from './invoke-export.ts';
import { labelOption } from './run-label-option.ts';
import { collectRepeated, parseProviderOptions, parseShard, positiveInt } from './option-parsers.ts';
import { deployBeforeRun } from './provider-deploys.ts';
import { UPDATE_HELP, withUpdate } from './update-option.ts';
import { parseWorkers, WORKERS_HELP } from './run-workers.ts';
import { patternHelp } from './pattern-help.ts';
import { addSpanOptions, collectorsOf, type SpanFlags } from './span-options.ts';
import { thresholdJson } from './summary-out.ts';
import { summaryTable } from './summary-table.ts';
import { addThresholdOptions, checkOutputs, checkThresholdFunctions, concludeRun, type ThresholdOptions } from './threshold-options.ts';
import { providerNames } from '../providers/registry.ts';

interface InvokeOptions extends ThresholdOptions, SpanFlags {
  provider: string;
  providerOpt: string[];
  input?: string;
  payload?: string;
  seed: string;
  times: string;
  memory?: string;
  dir: string;
  /** --deploy, --no-deploy, or neither (undefined: deploy unless the provider deploys nothing). */
  deploy?: boolean;
  /** Upload the package even when unchanged (update-option.ts). */
  update?: boolean;
  store?: string;
  label?: string;
  storageUrl?: string;
  shard?: string;
  runId?: string;
  startAt?: string;
  maxInFlight: string;
  workers?: string;
  json?: boolean;
  /** `--export k6 script.js`: write a k6 script instead of running. */
  export?: string[];
}

/** Runs up to this size get a row per call in the output. */
const ROWS_SHOWN = 100;

export function registerInvoke(program: Command): void {
  const command = program
    .command('invoke <function>')
    .argument('[pattern...]', 'a load pattern and its options, e.g. constant --rate 100 --duration 10s, or a count (10) or a rates file (rates.csv) (default: sequential --times)')
    .description('deploy a function and invoke it under a load pattern; every call is stored')
    .option('--provider <name>', `one of ${providerNames().join(', ')}`, 'local')
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable), e.g. url=http://127.0.0.1:9000', collectRepeated, [])
    .option('--input <name>', 'a named input of the function (test, small, large...)')
    .option('--payload <json>', 'the event as JSON (instead of --input)')
    .option('--seed <n>', 'seed for generated inputs and random arrivals', '42')
    .option('--times <n>', 'calls, one after another, when no pattern is given', '1')
    .option('--memory <mb>', 'memory size for this deployment')
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--deploy', 'deploy the function\'s folder first (the default, except with providers that deploy nothing: http, grpc)')
    .option('--no-deploy', 'invoke what is already deployed')
    .option('--update', UPDATE_HELP)
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--storage-url <url>', 'bucket root for generated inputs when the provider is not local')
    .option('--shard <i/n>', 'send only shard i of n of the plan (0-based); shards share --run-id and --start-at')
    .option('--run-id <id>', 'the run to create (shard 0) or join (other shards)')
    .option('--start-at <epoch-ms>', 'when offset 0 of the plan falls, for shards on several hosts')
    .option('--max-in-flight <n>', 'calls in flight at once; beyond it calls are recorded as dropped', '1000')
    .option('--workers <n>', WORKERS_HELP)
    .option('--export <format-and-file...>', EXPORT_HELP)
    .addOption(labelOption())
    .option('--json', 'print the run, its summary and (for short runs) every call as JSON');
  addSpanOptions(addThresholdOptions(command))
    .addHelpText('after', patternHelp)
    .allowUnknownOption()
    .action(async (name: string, patternArgs: string[], opts: InvokeOptions) => {
      if (opts.export !== undefined) return exportInvoke({ name, pattern: () => patternOfWords(patternArgs, opts.times), payload: payloadOf(opts), opts: { ...opts, export: opts.export } });
      const deploy = deployBeforeRun(opts.provider, opts.deploy, (message) => console.error(`faasbench: ${message}`));
      // The folder gives the deployment and the named inputs: --no-deploy --input small still reads it.
      const pkg = deploy || opts.input !== undefined ? findPackage(name, opts.dir) : null;
      const fn = pkg?.manifest.name ?? name;
      const pattern = patternOfWords(patternArgs, opts.times);
      checkThresholdFunctions(command, opts.threshold, [fn]);
      checkOutputs(opts);
      const result = await runLoad({
        fn,
        pkg,
        deploy,
        deployOverrides: opts.memory ? { memoryMb: positiveInt(opts.memory, '--memory') } : {},
        provider: opts.provider,
        providerOptions: withUpdate(opts.provider, parseProviderOptions(opts.providerOpt), deploy && opts.update, (m) => console.error(`faasbench: ${m}`)),
        pattern,
        payload: payloadOf(opts),
        seed: positiveInt(opts.seed, '--seed', 0),
        store: opts.store,
        label: opts.label,
        storageUrl: opts.storageUrl,
        shard: opts.shard === undefined ? undefined : parseShard(opts.shard),
        runId: opts.runId,
        startAtMs: opts.startAt === undefined ? undefined : positiveInt(opts.startAt, '--start-at'),
        maxInFlight: positiveInt(opts.maxInFlight, '--max-in-flight'),
        workers: parseWorkers(opts.workers),
        showProgress: opts.json !== true,
        thresholds: opts.threshold,
        spans: collectorsOf(opts),
      });
      await report(result, opts, pkg);
      process.exitCode = concludeRun({ command: 'invoke', runId: result.runId, status: result.status, summary: result.summary, failures: failuresOf(summaryCounts(result.summary)), thresholds: result.thresholds }, opts);
    });
}

/**
 * The load pattern the words after the function name give (shared with `experiment invoke`): a
 * pattern and its options (`constant --rate 100 --duration 10s`), or the Serverless Benchmarker's
 * shorthands, a count (`10`: sequential 10) or a rates file (`rates.csv`: rates --rates rates.csv);
 * no words: sequential --times.
 */
export function patternOfWords(words: readonly string[], times: string): { name: string; options: Record<string, string> } {
  const [first, ...rest] = words;
  if (first === undefined) return { name: 'sequential', options: { count: String(positiveInt(times, '--times')) } };
  if (/^\d+$/.test(first)) return splitPatternArgs(['sequential', first, ...rest]);
  if (/\.csv$/i.test(first)) return splitPatternArgs(['rates', '--rates', first, ...rest]);
  return splitPatternArgs(words);
}

function payloadOf(opts: InvokeOptions): { input: string } | { event: unknown } {
  if (opts.payload !== undefined && opts.input !== undefined) throw new FaasbenchError('InvalidParameterValue', 'give --input or --payload, not both', { reason: 'usage' });
  if (opts.input !== undefined) return { input: opts.input };
  if (opts.payload === undefined) return { event: {} };
  try {
    return { event: JSON.parse(opts.payload) as unknown };
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `--payload is not valid JSON: ${(err as Error).message}`);
  }
}

function parsed(payload: Buffer | null): unknown {
  if (payload === null) return null;
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

interface CallRow {
  seq: number;
  start: 'cold' | 'warm' | '-';
  status: string;
  latencyMs: number | null;
  initMs: number | null;
  durationMs: number | null;
  billedMs: number | null;
  maxMemoryMb: number | null;
  instanceId: string | null;
}

/** Reads the stored calls back: what is printed is what was kept. */
async function callRows(store: Store, runId: string): Promise<CallRow[]> {
  const rows: CallRow[] = [];
  for await (const r of store.records(runId)) {
    if (rows.length >= ROWS_SHOWN) break;
    rows.push({
      seq: r.seq,
      start: r.cold === null ? '-' : r.cold ? 'cold' : 'warm',
      status: r.status === 'ok' ? 'ok' : (r.errorClass ?? r.status),
      latencyMs: r.latencyMs,
      initMs: r.initMs,
      durationMs: r.durationMs,
      billedMs: r.billedMs,
      maxMemoryMb: r.maxMemoryMb,
      instanceId: r.instanceId,
    });
  }
  return rows;
}

async function report(result: LoadRunResult, opts: InvokeOptions, pkg: FunctionPackage | null): Promise<void> {
  // Only a run this short opens the store here: the drivers' memory is no load run's cost.
  const rows = result.summary.total <= ROWS_SHOWN ? await withExistingStore(opts.store, (store) => callRows(store, result.runId)) : [];
  const response = parsed(result.lastPayload);
  const failures = failuresOf(summaryCounts(result.summary));
  if (opts.json) {
    const thresholds = result.thresholds === null ? {} : { thresholds: result.thresholds.map(thresholdJson) };
    console.log(JSON.stringify({ runId: result.runId, status: result.status, function: pkg?.manifest.name, summary: result.summary, failures, ...thresholds, invocations: rows, response }, null, 2));
    if (failures.failed > 0) printEndLine(endLine(result.runId, result.status, failures), true);
    return;
  }
  const fmt = (n: number | null): string => (n === null ? '-' : n.toFixed(2));
  if (rows.length) {
    const table = new Table({ head: ['#', 'start', 'status', 'latency ms', 'init ms', 'duration ms', 'billed ms', 'max memory MB'], style: { head: [], border: [] } });
    for (const r of rows) table.push([r.seq, r.start, r.status, fmt(r.latencyMs), fmt(r.initMs), fmt(r.durationMs), r.billedMs ?? '-', r.maxMemoryMb ?? '-']);
    console.log(table.toString());
  }
  console.log(summaryTable(result.summary));
  if (result.summary.total === 1) console.log(JSON.stringify(response, null, 2));
  printEndLine(endLine(result.runId, result.status, failures), false);
}
