/**
 * `faasbench experiment prepare | invoke | cleanup | test <module>`: the Serverless Benchmarker's
 * stepwise lifecycle, wiring only. Each step is its own run in the store; the lifecycle itself
 * (its id, what it deployed, the checks between steps) lives in src/experiments/lifecycle.ts.
 */
import type { Command } from 'commander';
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import type { Experiment, StepWorkload } from '../experiments/define.ts';
import { checkInvokeHook, checkStep, newLifecycleId, openLifecycle, runAllSteps, runCleanup, runInvoke, runPrepare, type LifecycleState, type LifecycleStep, type StepOutcome } from '../experiments/lifecycle.ts';
import { stepWorkload } from '../experiments/lifecycle-workload.ts';
import { parseParamPairs, resolveParams } from '../experiments/params.ts';
import { loadExperiment, whereInModule } from '../experiments/registry.ts';
import type { ExperimentRunSpec } from '../experiments/runner.ts';
import { providerNames, type ProviderOptions } from '../providers/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { exitCodeOf, experimentEndLine, resultTable } from './experiment-output.ts';
import { onProvider, TOOL_VERSION, type ExperimentProvider } from './experiment-provider.ts';
import { failuresOf, printEndLine } from './failure-line.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { hostFacts } from './host-facts.ts';
import { patternOfWords } from './invoke.ts';
import { collectRepeated, heartbeatIntervalMs, parseProviderOptions, positiveInt } from './option-parsers.ts';
import { labelOption } from './run-label-option.ts';
import { startStepProgress, type StepProgress } from './step-progress.ts';
import { openRunStore, READ_ONLY, STORE_HELP } from './store-path.ts';
import { storableOptions } from './stored-provider-options.ts';

interface StepOptions {
  provider?: string;
  providerOpt: string[];
  param: string[];
  seed: string;
  dir: string;
  store?: string;
  label?: string;
  storageUrl?: string;
  json?: boolean;
}

type StepCommand = LifecycleStep | 'test';

const WORKLOAD_HELP = 'sb\'s load: a count (10: ten sequential calls), a workload type and its options (bursty --rate 5 --duration 1m; steady, spikes, jump, or any pattern of faasbench invoke) or a rates file (rates.csv); default: one call';

export function registerLifecycle(experiment: Command): void {
  stepCommand(experiment, 'prepare', "run the module's prepare (deploy): opens a lifecycle the invoke and cleanup steps continue").action((module: string, opts: StepOptions) => runStepCommand('prepare', module, [], opts));
  stepCommand(experiment, 'invoke', "run the module's invoke hook with a load, in the lifecycle prepare opened (as often as wanted)")
    .argument('[workload...]', WORKLOAD_HELP)
    .allowUnknownOption()
    .action((module: string, words: string[], opts: StepOptions) => runStepCommand('invoke', module, words, opts));
  stepCommand(experiment, 'cleanup', "run the module's cleanup and remove what the lifecycle deployed: ends it").action((module: string, opts: StepOptions) => runStepCommand('cleanup', module, [], opts));
  stepCommand(experiment, 'test', 'prepare, invoke and cleanup in one command: three runs of one lifecycle')
    .argument('[workload...]', WORKLOAD_HELP)
    .allowUnknownOption()
    .action((module: string, words: string[], opts: StepOptions) => runStepCommand('test', module, words, opts));
}

function stepCommand(experiment: Command, step: StepCommand, description: string): Command {
  const later = step === 'invoke' || step === 'cleanup';
  return experiment
    .command(`${step} <module>`)
    .description(description)
    .option('--provider <name>', `one of ${providerNames().join(', ')} (default: ${later ? "the lifecycle's, from its prepare" : 'local'})`)
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable), e.g. url=http://127.0.0.1:9000', collectRepeated, [])
    .option('-p, --param <key=value>', 'an experiment parameter (repeatable), read as its type', collectRepeated, [])
    .option('--seed <n>', 'seed for inputs, random choices and Poisson arrivals', '42')
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--store <target>', STORE_HELP)
    .option('--storage-url <url>', 'bucket root for generated inputs when the provider is not local')
    .addOption(labelOption())
    .option('--json', 'print the step runs and their results as JSON');
}

async function runStepCommand(step: StepCommand, modulePath: string, words: readonly string[], opts: StepOptions): Promise<void> {
  // Every input is checked before anything starts: the module, its hook, its params, the load.
  const { experiment, source } = await loadExperiment(modulePath);
  if (step === 'invoke' || step === 'test') checkInvokeHook(experiment, source);
  const params = resolveParams(experiment.name, experiment.params, parseParamPairs(opts.param));
  const seed = positiveInt(opts.seed, '--seed', 0);
  const workload = step === 'invoke' || step === 'test' ? stepWorkload(patternOfWords(words, '1'), seed) : null;
  const providerOptions = parseProviderOptions(opts.providerOpt);
  const store = await stepStore(step, experiment, opts);
  try {
    const state = await openLifecycle(store, experiment.name);
    const provider = opts.provider ?? state?.provider ?? 'local';
    checkStep(step, experiment.name, state, provider, store.location);
    checkLastingPlatform(step, provider, providerOptions);
    const status = startStepProgress(opts.json !== true, `${experiment.name} ${step}`);
    const outcomes = await onSigint((signal) =>
      onProvider(provider, providerOptions, undefined, (target, storageUrl) => {
        const spec = runSpec({ experiment, source, params, seed, store, target, storageUrl, providerOptions, signal, opts, status });
        return runStep(step, spec, state, workload);
      }),
    ).finally(() => status.stop());
    printOutcomes(outcomes, source, opts.json === true);
  } finally {
    await store.close();
  }
}

/**
 * prepare and test create the store as every run does; invoke and cleanup need the store their
 * prepare wrote, and without one there is no lifecycle to continue: said as such.
 */
async function stepStore(step: StepCommand, experiment: Experiment, opts: StepOptions): Promise<Store> {
  if (step === 'prepare' || step === 'test') return openRunStore(opts.store, opts.label);
  try {
    return await openStore(opts.store, { ...READ_ONLY, ...(opts.label === undefined ? {} : { runLabel: opts.label }) });
  } catch (err) {
    if (!isFaasbenchError(err, 'ResourceNotFound')) throw err;
    throw new FaasbenchError('PreconditionFailed', `experiment "${experiment.name}" has no lifecycle open: ${err.message}; run experiment prepare first`, { reason: 'usage' });
  }
}

/**
 * A step on its own on the local platform needs a platform that outlives the command: one this
 * command started would take what prepare deployed with it when it stops.
 */
function checkLastingPlatform(step: StepCommand, provider: string, options: ProviderOptions): void {
  if (step === 'test' || provider !== 'local' || options.url !== undefined) return;
  throw new FaasbenchError(
    'InvalidParameterValue',
    `experiment ${step} on the local platform needs one that outlasts this command (a platform it started would stop with it, and what prepare deployed with that): start one with faasbench platform start and give -o url=http://127.0.0.1:9000 to each step, or run all three with experiment test`,
    { reason: 'usage' },
  );
}

async function onSigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', abort);
  }
}

interface SpecParts {
  experiment: Experiment;
  source: string;
  params: Record<string, unknown>;
  seed: number;
  store: Store;
  target: ExperimentProvider;
  storageUrl: string | undefined;
  providerOptions: ProviderOptions;
  signal: AbortSignal;
  opts: StepOptions;
  status: StepProgress;
}

function runSpec(p: SpecParts): ExperimentRunSpec {
  const kept = storableOptions(p.providerOptions).kept;
  const quiet = p.opts.json === true;
  return {
    experiment: p.experiment,
    params: p.params,
    source: p.source,
    provider: p.target,
    store: p.store,
    seed: p.seed,
    findPackage: (name) => findPackage(name, p.opts.dir),
    storageUrl: p.storageUrl ?? p.opts.storageUrl ?? process.env.FAASBENCH_STORAGE_URL ?? '',
    host: hostFacts(),
    toolVersion: TOOL_VERSION,
    signal: p.signal,
    log: (message) => {
      if (!quiet) console.error(message);
    },
    onProgress: (done, total, label) => p.status.update(done, total, label),
    ...(Object.keys(kept).length ? { providerOptions: kept } : {}),
    heartbeatMs: heartbeatIntervalMs(),
  };
}

async function runStep(step: StepCommand, spec: ExperimentRunSpec, state: LifecycleState | null, workload: StepWorkload | null): Promise<StepOutcome[]> {
  if (step === 'test') return runAllSteps(spec, workload!, (next) => spec.log(`${next} ...`));
  if (step === 'prepare') {
    const lifecycleId = newLifecycleId();
    return [{ step, lifecycleId, outcome: await runPrepare(spec, lifecycleId) }];
  }
  // checkStep has refused invoke and cleanup without an open lifecycle.
  const open = state!;
  const outcome = step === 'invoke' ? await runInvoke(spec, open, workload!) : await runCleanup(spec, open);
  return [{ step, lifecycleId: open.id, outcome }];
}

function printOutcomes(outcomes: readonly StepOutcome[], source: string, json: boolean): void {
  const errorAt = ({ outcome }: StepOutcome): string | null => (outcome.error ? whereInModule(outcome.error, source) : null);
  if (json) {
    const rows = outcomes.map((o) => ({ step: o.step, lifecycle: o.lifecycleId, runId: o.outcome.runId, status: o.outcome.status, result: o.outcome.result, error: o.outcome.error?.message ?? null, errorAt: errorAt(o), failures: o.outcome.calls ? failuresOf(o.outcome.calls) : null }));
    console.log(JSON.stringify(rows, null, 2));
  } else {
    for (const o of outcomes) {
      console.log(`\n${o.step}: run ${o.outcome.runId} ${o.outcome.status} (lifecycle ${o.lifecycleId})`);
      if (o.outcome.result) console.log(resultTable(o.outcome.result));
      const at = errorAt(o);
      if (o.outcome.error) console.error(`error: ${o.outcome.error.message}${at ? ` (at ${at})` : ''}`);
    }
  }
  for (const o of outcomes) {
    const line = experimentEndLine(o.outcome);
    if (line !== null) printEndLine(`${o.step}: ${line}`, json);
  }
  process.exitCode = exitCodeOf(outcomes.map((o) => o.outcome.status));
}
