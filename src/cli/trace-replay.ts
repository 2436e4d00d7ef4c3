/**
 * `faasbench trace replay <traceDir> | --plan plan.fbplan`: sends a trace replay through a
 * provider, generating calls on the fly (no plan file needed) or streaming a written plan. Each
 * trace function is deployed under its own name from its proxy's package (synthetic when it has
 * none); every call is stored, tagged with the trace function's hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import type { FunctionPackage } from '../core/function-package.ts';
import { shardOf } from '../core/load-plan.ts';
import type { Provider } from '../core/provider.ts';
import { createProvider } from '../providers/index.ts';
import { parseProxyId, SYNTHETIC } from '../trace/mapping.ts';
import { openPlanFile, planHeader, writePlanFile } from '../trace/plan-file.ts';
import { atSpeed, batchesToPlan, speedProblem, unitBatches, type CallBatch, type Schedule } from '../trace/schedule.ts';
import { sizeSynthetic } from '../trace/synthetic-sizing.ts';
import { resolveInput } from '../workload/function-inputs.ts';
import { endLine, failuresOf, printEndLine, summaryCounts } from './failure-line.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { bodiesByFunction, transferable } from '../invoker-threads/shard-payloads.ts';
import type { PlanSource } from '../invoker-threads/shard-plan.ts';
import type { ShardThreads } from '../invoker-threads/shard-threads.ts';
import type { WorkerCount } from '../invoker-threads/worker-count.ts';
import { collectRepeated, heartbeatIntervalMs, parseProviderOptions, parseShard, positiveInt } from './option-parsers.ts';
import { deployBeforeRun } from './provider-deploys.ts';
import { chooseWorkers, parseWorkers, sayWorkers, workerThreads, WORKERS_HELP } from './run-workers.ts';
import { executePlan, type PlanRunResult } from './plan-execution.ts';
import { startPlatformProcess } from './platform-process.ts';
import { labelOption } from './run-label-option.ts';
import { loadRunStore } from './store-path.ts';
import { addSpanOptions, collectorsOf, platformSpanArgs, type SpanFlags } from './span-options.ts';
import { thresholdJson } from './summary-out.ts';
import { summaryTable } from './summary-table.ts';
import { addThresholdOptions, checkOutputs, checkThresholdFunctions, concludeRun, type ThresholdOptions } from './threshold-options.ts';
import { addScheduleOptions, scheduleTrace, type ScheduleOptions } from './trace-schedule-options.ts';
import { providerNames } from '../providers/registry.ts';

interface ReplayOptions extends ScheduleOptions, ThresholdOptions, SpanFlags {
  plan?: string;
  provider: string;
  providerOpt: string[];
  dir: string;
  /** --deploy, --no-deploy, or neither (undefined: deploy unless the provider deploys nothing). */
  deploy?: boolean;
  store?: string;
  label?: string;
  storageUrl?: string;
  shard?: string;
  runId?: string;
  startAt?: string;
  maxInFlight: string;
  speed: string;
  workers?: string;
  json?: boolean;
}

export function registerTraceReplay(trace: Command): void {
  const command = addScheduleOptions(
    trace
      .command('replay [traceDir]')
      .description('send a trace replay (from a trace folder, generated on the fly, or from --plan) through a provider; every call is stored')
      .option('--plan <file>', 'replay this plan file (from trace plan or trace import) instead of a trace folder'),
  )
    .option('--provider <name>', `one of ${providerNames().join(', ')}`, 'local')
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable), e.g. url=http://127.0.0.1:9000', collectRepeated, [])
    .option('--dir <dir>', 'folder of function folders (the proxies)', FUNCTIONS_DIR)
    .option('--deploy', 'deploy each function from its proxy\'s folder first (the default, except with providers that deploy nothing: http, grpc)')
    .option('--no-deploy', 'call what is already deployed (e.g. endpoints of an imported load.json)')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--storage-url <url>', 'bucket root for generated inputs when the provider is not local')
    .option('--shard <i/n>', 'send only shard i of n of the plan (0-based); shards share --run-id and --start-at')
    .option('--run-id <id>', 'the run to create (shard 0) or join (other shards)')
    .option('--start-at <epoch-ms>', 'when offset 0 of the plan falls, for shards on several hosts')
    .option('--max-in-flight <n>', 'calls in flight at once; beyond it calls are recorded as dropped', '1000')
    .option('--speed <factor>', "replay this many times faster: each call's offset divided by it, its duration and memory as the trace says", '1')
    .option('--workers <n>', WORKERS_HELP)
    .addOption(labelOption())
    .option('--json', 'print the run and its summary as JSON');
  addSpanOptions(addThresholdOptions(command)).action(async (traceDir: string | undefined, opts: ReplayOptions) => {
    const source = await replaySource(traceDir, opts);
    checkThresholdFunctions(command, opts.threshold, source.schedule.functions.map((f) => f.name));
    checkOutputs(opts);
    const result = await replay(source, opts);
    const failures = failuresOf(summaryCounts(result.summary));
    const thresholds = result.thresholds === null ? {} : { thresholds: result.thresholds.map(thresholdJson) };
    if (opts.json) console.log(JSON.stringify({ runId: result.runId, status: result.status, functions: source.schedule.functions.length, summary: result.summary, failures, ...thresholds }, null, 2));
    else console.log(summaryTable(result.summary));
    if (!opts.json || failures.failed > 0) printEndLine(endLine(result.runId, result.status, failures), opts.json === true);
    process.exitCode = concludeRun({ command: 'trace replay', runId: result.runId, status: result.status, summary: result.summary, failures, thresholds: result.thresholds }, opts);
  });
}

interface ReplaySource {
  readonly name: string;
  readonly schedule: Schedule;
  readonly batches: () => Iterable<CallBatch>;
}

async function replaySource(traceDir: string | undefined, opts: ReplayOptions): Promise<ReplaySource> {
  if ((traceDir === undefined) === (opts.plan === undefined)) throw new FaasbenchError('InvalidParameterValue', 'give a trace folder or --plan <file>, one of the two', { reason: 'usage' });
  if (opts.plan !== undefined) {
    const file = openPlanFile(opts.plan);
    return { name: path.basename(opts.plan), schedule: file.header, batches: () => file.batches() };
  }
  const { trace, inputs, schedule } = await scheduleTrace(traceDir!, opts);
  if (opts.json !== true) for (const note of trace.notes) console.error(`note: ${note}`);
  return { name: path.basename(path.resolve(traceDir!)), schedule, batches: () => unitBatches(inputs, schedule) };
}

/** The options that are numbers or shapes, parsed before anything is started or created. */
interface ReplaySettings {
  readonly shard: { readonly index: number; readonly total: number } | undefined;
  readonly startAtMs: number | undefined;
  readonly maxInFlight: number;
  readonly heartbeatMs: number;
  readonly deploy: boolean;
  readonly speed: number;
}

function parseSpeed(text: string): number {
  const speed = Number(text);
  const problem = text.trim() === '' ? `expected a number above 0, got "${text}"` : speedProblem(speed);
  if (problem) throw new FaasbenchError('InvalidParameterValue', `--speed: ${problem}`, { reason: 'usage' });
  return speed;
}

function replaySettings(opts: ReplayOptions): ReplaySettings {
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  if (shard !== undefined && shard.index > 0 && !opts.runId) throw new FaasbenchError('InvalidParameterValue', '--shard i/n with i > 0 joins a run: give the same --run-id as shard 0', { reason: 'usage' });
  return {
    shard,
    startAtMs: opts.startAt === undefined ? undefined : positiveInt(opts.startAt, '--start-at'),
    maxInFlight: positiveInt(opts.maxInFlight, '--max-in-flight'),
    heartbeatMs: heartbeatIntervalMs(),
    deploy: deployBeforeRun(opts.provider, opts.deploy, (message) => console.error(`faasbench: ${message}`)),
    speed: parseSpeed(opts.speed),
  };
}

async function replay(source: ReplaySource, opts: ReplayOptions): Promise<PlanRunResult> {
  // Every input is checked before anything is started or created: a refused command leaves no store file behind.
  const providerOptions = parseProviderOptions(opts.providerOpt);
  const { deploy, speed, ...settings } = replaySettings(opts);
  const spans = collectorsOf(opts);
  const whole = batchesToPlan(source.schedule, source.batches, speed);
  // Each shard sends its own calls (seq i mod n), as invoke's shards do.
  const plan = settings.shard === undefined ? whole : shardOf(whole, settings.shard.index, settings.shard.total);
  const workers = chooseWorkers({ requested: parseWorkers(opts.workers), provider: opts.provider, providerOptions, plan, spans: spans !== undefined, maxInFlight: settings.maxInFlight });
  const platform = opts.provider === 'local' && providerOptions.url === undefined ? await startPlatformProcess(platformSpanArgs(spans)) : null;
  const owned: Array<{ close(): Promise<void> }> = [];
  try {
    const options = platform ? { ...providerOptions, url: platform.url } : providerOptions;
    const provider = await createProvider(opts.provider, options);
    owned.push(provider);
    const store = loadRunStore(opts.store, opts.label);
    owned.push(store);
    const storageUrl = platform?.storageUrl ?? opts.storageUrl ?? process.env.FAASBENCH_STORAGE_URL ?? '';
    const bodies = await deployAll(source, provider, { ...opts, deploy }, storageUrl);
    sayWorkers(workers, plan, opts.json !== true);
    const threads = await replayThreads(workers, source, opts, { provider: { name: opts.provider, options }, bodies, shard: settings.shard, maxInFlight: settings.maxInFlight, speed }, owned);
    return await executePlan({
      provider,
      store,
      plan,
      payloadOf: bodiesByFunction(bodies),
      run: { kind: 'trace-replay', name: source.name, provider: opts.provider, params: replayParams(opts, source), seed: source.schedule.seed },
      ...settings,
      runId: opts.runId,
      showProgress: opts.json !== true,
      thresholds: opts.threshold,
      spans,
      ...(threads ? { runPlan: threads.run } : {}),
    });
  } finally {
    for (const resource of owned.reverse()) await resource.close();
    await platform?.stop();
  }
}

interface ReplayThreadsSetup {
  readonly provider: { readonly name: string; readonly options: Readonly<Record<string, unknown>> };
  readonly bodies: ReadonlyMap<string, Buffer>;
  readonly shard: { readonly index: number; readonly total: number } | undefined;
  readonly maxInFlight: number;
  readonly speed: number;
}

/**
 * The worker threads, ready, when more than one sends the replay. Each reads the calls from a plan
 * file: the one given, else one written here from the schedule (once, not once per worker; also
 * for a given plan at another speed, since the threads send a file's offsets as they are),
 * removed when the run ends.
 */
async function replayThreads(workers: WorkerCount, source: ReplaySource, opts: ReplayOptions, setup: ReplayThreadsSetup, owned: Array<{ close(): Promise<void> }>): Promise<ShardThreads | null> {
  if (workers.count === 1) return null;
  let planSource: PlanSource;
  if (opts.plan !== undefined && setup.speed === 1) planSource = { kind: 'plan-file', file: path.resolve(opts.plan) };
  else {
    const dir = mkdtempSync(path.join(tmpdir(), 'faasbench-replay-'));
    owned.push({ close: async () => rmSync(dir, { recursive: true, force: true }) });
    const file = path.join(dir, 'replay.fbplan');
    writePlanFile(file, planHeader(source.schedule, []), atSpeed(source.batches(), setup.speed));
    planSource = { kind: 'plan-file', file };
  }
  const threads = await workerThreads(workers, {
    source: planSource,
    processShard: setup.shard,
    provider: setup.provider,
    payloads: { kind: 'by-function', bodies: [...setup.bodies].map(([fn, body]) => [fn, transferable(body)] as const) },
    maxInFlight: setup.maxInFlight,
  });
  if (threads) owned.push(threads);
  return threads;
}

/** Paths absolute, so `report` and `serve` find the mapping from any folder; functions counted for the runs list. */
function replayParams(opts: ReplayOptions, source: ReplaySource): Record<string, unknown> {
  const { plan, mapping, minutes, unit, arrivals, shift, seed, sampling, maxInFlight, shard, speed } = opts;
  const absolute = (file: string | undefined): string | null => (file === undefined ? null : path.resolve(file));
  return { plan: absolute(plan), mapping: absolute(mapping), functions: source.schedule.functions.length, minutes: minutes ?? null, unit: unit ?? null, arrivals, shift: shift === true, seed, sampling, maxInFlight, shard: shard ?? null, speed: Number(speed) };
}

/**
 * Deploys each function of the schedule from its proxy's package and resolves the bodies of
 * calls with a named input, once, before the run: inputs are never built while calls go out.
 */
async function deployAll(source: ReplaySource, provider: Provider, opts: ReplayOptions, storageUrl: string): Promise<Map<string, Buffer>> {
  const bodies = new Map<string, Buffer>();
  const synthetic = sizeSynthetic(source.schedule.functions, source.batches(), findPackage(SYNTHETIC, opts.dir).manifest.timeoutS);
  if (opts.json !== true) for (const note of synthetic.notes) console.error(`note: ${note}`);
  for (const fn of source.schedule.functions) {
    if (fn.payload.kind === 'event') {
      bodies.set(fn.name, Buffer.from(JSON.stringify(fn.payload.event)));
      continue;
    }
    const pkg = renamed(findPackage(fn.payload.kind === 'synthetic' ? SYNTHETIC : parseProxyId(fn.proxy).fn, opts.dir), fn.name);
    // synthetic reproduces durations the trace measured: a CPU quota sized for its memory would stretch them.
    const size = synthetic.sizes.get(fn.name);
    if (opts.deploy) await provider.deploy(pkg, size ? { memoryMb: size.memoryMb, timeoutS: size.timeoutS, cpuModel: 'none' } : {});
    if (fn.payload.kind === 'input') bodies.set(fn.name, Buffer.from(JSON.stringify(await inputOf(pkg, fn.payload.input, source.schedule.seed, storageUrl))));
  }
  return bodies;
}

/** A generated input may upload to storage: without a bucket that is the user's to fix, so say how. */
async function inputOf(pkg: FunctionPackage, input: string, seed: number, storageUrl: string): Promise<unknown> {
  try {
    return await resolveInput(pkg, input, { seed, storageUrl });
  } catch (err) {
    if (err instanceof FaasbenchError) throw err;
    const hint = storageUrl === '' ? ' (no storage: give --storage-url, the bucket root the functions read; `platform start --json` prints the local one)' : '';
    throw new FaasbenchError('InvalidParameterValue', `input "${input}" of ${pkg.manifest.name}: ${(err as Error).message}${hint}`);
  }
}

function renamed(pkg: FunctionPackage, name: string): FunctionPackage {
  return { ...pkg, manifest: { ...pkg.manifest, name } };
}
