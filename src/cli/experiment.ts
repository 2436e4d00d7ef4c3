/**
 * `faasbench experiment list | run | new | rerun` (and, from experiment-lifecycle.ts, the stepwise
 * `prepare | invoke | cleanup | test`): wiring only. A run gets its provider (the local
 * platform in a child process by default), the store, Ctrl-C and a progress line; the experiment
 * runtime in src/experiments does the rest.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { parseParamPairs, resolveParams } from '../experiments/params.ts';
import { builtinExperiments, loadExperiment, whereInModule } from '../experiments/registry.ts';
import { runExperiment, type ExperimentRunResult } from '../experiments/runner.ts';
import { experimentTemplate } from '../experiments/template.ts';
import { createProvider, providerNames, type ProviderOptions } from '../providers/index.ts';
import type { JsonValue } from '../store/index.ts';
import { failuresOf, printEndLine } from './failure-line.ts';
import { exitCodeOf, experimentEndLine, resultTable } from './experiment-output.ts';
import { onProvider, TOOL_VERSION } from './experiment-provider.ts';
import { registerLifecycle } from './experiment-lifecycle.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { hostFacts } from './host-facts.ts';
import { collectRepeated, heartbeatIntervalMs, parseProviderOptions, positiveInt } from './option-parsers.ts';
import { withExistingStore } from './analyze.ts';
import { clientSpansFor, collectorsOf, otlpEncodingOption, otlpOption, zipkinOption, type SpanFlags } from './span-options.ts';
import { labelOption } from './run-label-option.ts';
import { openRunStore } from './store-path.ts';
import { startStepProgress } from './step-progress.ts';
import { experimentOutcomes } from './experiment-thresholds.ts';
import { checkOutputs, concludeRuns, takeThresholdsParam, thresholdOptions, type ThresholdOptions } from './threshold-options.ts';
import { sideBySide } from './side-by-side.ts';
import { droppedLine, rerunOptions, storableOptions, storedOptionsOf } from './stored-provider-options.ts';

interface RunOptions extends ThresholdOptions, SpanFlags {
  provider: string;
  providerOpt: string[];
  param: string[];
  seed: string;
  dir: string;
  store?: string;
  label?: string;
  storageUrl?: string;
  json?: boolean;
}

export function registerExperiment(program: Command): void {
  const experiment = program.command('experiment').description('run the built-in studies (cold starts, idle timeout, scaling, memory/cost...) or your own');

  experiment
    .command('list')
    .description('the built-in experiments and their parameters')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = (await builtinExperiments()).map((e) => ({ name: e.name, description: e.description, params: defaultsOf(e.params.parse({}) as Record<string, unknown>) }));
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      const table = new Table({ head: ['experiment', 'what it measures', 'parameters (defaults)'], style: { head: [], border: [] }, wordWrap: true, colWidths: [22, 50, LIST_PARAMS_WIDTH] });
      for (const r of rows) table.push([r.name, r.description, breakLongWords(Object.entries(r.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' '), LIST_PARAMS_WIDTH - 2)]);
      console.log(table.toString());
    });

  experiment
    .command('run <experiment>')
    .description('run a built-in experiment by name, or your own module by path (./my-study.ts)')
    .option('--provider <names>', `${providerNames().join(', ')}; several comma-separated run one after the other, each its own run, and end with one table of all`, 'local')
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable); with several providers, name one: aws-lambda.endpoint=...', collectRepeated, [])
    .option('-p, --param <key=value>', 'an experiment parameter (repeatable) read as its type: numbers and true/false as such, lists comma-separated (-p sizes=128,256 -p runtimes=measure-node) or as JSON; see experiment list', collectRepeated, [])
    .option('--seed <n>', 'seed for inputs and random choices; stored, so rerun repeats it', '42')
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--storage-url <url>', 'bucket root for generated inputs when the provider is not local')
    .addOption(labelOption())
    .option('--json', 'print the runs and their results as JSON')
    .addOption(otlpOption())
    .addOption(otlpEncodingOption())
    .addOption(zipkinOption())
    .addOption(thresholdOptions('; also -p thresholds=p99<300ms,errors<1% (any experiment)')[0]!)
    .addOption(thresholdOptions()[1]!)
    .addOption(thresholdOptions()[2]!)
    .action(async (nameOrPath: string, opts: RunOptions, command: Command) => {
      const providers = opts.provider.split(',').map((p) => p.trim()).filter(Boolean);
      checkScopes(opts.providerOpt, providers);
      const { values, thresholds } = takeThresholdsParam(command, parseParamPairs(opts.param), opts.threshold);
      checkOutputs(opts);
      const results = await runOnProviders(nameOrPath, values, providers, opts, null);
      finish(results, opts.json === true);
      const outcomes = await experimentOutcomes(opts.store, results.map((r) => r.outcome), thresholds);
      if (thresholds.length > 0 || opts.summaryOut !== undefined || opts.junit !== undefined) process.exitCode = concludeRuns(outcomes, opts);
    });

  experiment
    .command('rerun <runId>')
    .description('run a stored experiment run again: same experiment, parameters, seed, provider and provider options')
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable); overrides the stored one of that name, and gives again one left out as a secret', collectRepeated, [])
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--storage-url <url>', 'bucket root for generated inputs when the provider is not local')
    .option('--json', 'print the run and its result as JSON')
    .action(async (runId: string, opts: Omit<RunOptions, 'provider' | 'param' | 'seed'>) => {
      const run = await withExistingStore(opts.store, (store) => store.getRun(runId));
      if (!run) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store (see faasbench runs)`);
      const params = run.params as { experiment?: string; values?: Record<string, unknown> } | null;
      if (run.kind !== 'experiment' || typeof params?.experiment !== 'string') throw new FaasbenchError('InvalidParameterValue', `run ${runId} is a ${run.kind} run, not an experiment`);
      checkWholeRun(runId, run.params);
      checkScopes(opts.providerOpt, [run.provider]);
      const seed = String(run.seed ?? 42);
      const rerun = { runId, providerOptions: storedOptionsOf(run.params) };
      const results = await runOnProviders(params.experiment, params.values ?? {}, [run.provider], { ...opts, provider: run.provider, param: [], seed, label: run.label ?? undefined }, rerun);
      finish(results, opts.json === true);
    });

  registerLifecycle(experiment);

  experiment
    .command('new <name>')
    .description('write NAME.ts, a commented experiment that runs as written (faasbench experiment run ./NAME.ts)')
    .option('--out <file>', 'where to write it (default: ./NAME.ts)')
    .action((name: string, opts: { out?: string }) => {
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) throw new FaasbenchError('InvalidParameterValue', `experiment name "${name}": expected letters, digits, "-" or "_", starting with a letter`);
      const file = path.resolve(opts.out ?? `${name}.ts`);
      if (existsSync(file)) throw new FaasbenchError('ResourceConflict', `${file} exists; choose another name or --out`);
      writeFileSync(file, experimentTemplate(name));
      console.log(`wrote ${file}\nrun it: faasbench experiment run ${path.relative(process.cwd(), file).startsWith('.') ? path.relative(process.cwd(), file) : `./${path.relative(process.cwd(), file)}`}`);
    });
}

/** A step of a lifecycle is not a whole experiment: rerun would run all of it, so it is refused, saying what repeats a step. */
function checkWholeRun(runId: string, params: JsonValue): void {
  const lifecycle = (params as { lifecycle?: { id?: unknown; step?: unknown } } | null)?.lifecycle;
  if (lifecycle === undefined) return;
  throw new FaasbenchError('InvalidParameterValue', `run ${runId} is the ${String(lifecycle.step)} step of lifecycle ${String(lifecycle.id)}, not a whole experiment run: run faasbench experiment ${String(lifecycle.step)} again instead`);
}

interface ProviderRun {
  readonly provider: string;
  /** The experiment's source (a built-in's name or a module's path): where a crash is looked for. */
  readonly source: string;
  readonly outcome: ExperimentRunResult;
}

/** What a rerun takes from the run it repeats beyond experiment, parameters and seed. */
interface Rerun {
  readonly runId: string;
  readonly providerOptions: Record<string, unknown>;
}

async function runOnProviders(nameOrPath: string, values: Record<string, unknown>, providers: string[], opts: RunOptions, rerun: Rerun | null): Promise<ProviderRun[]> {
  // Every input is checked before anything is started or created: a refused command leaves no store file behind.
  const { experiment, source } = await loadExperiment(nameOrPath);
  const params = resolveParams(experiment.name, experiment.params, values);
  const seed = positiveInt(opts.seed, '--seed', 0);
  const spans = collectorsOf(opts);
  const providerOptions = new Map(providers.map((provider) => [provider, rerunOptions(rerun?.providerOptions ?? {}, parseProviderOptions(optionsOf(provider, opts.providerOpt)))]));
  const heartbeatMs = heartbeatIntervalMs();
  if (providers.length > 1) await checkProviders(providerOptions);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  // Several providers run one after the other: side by side they would share this machine's CPU and
  // network and disturb each other's latencies (a local cold start measured 318 ms beside an
  // aws-lambda run, 243 ms alone).
  if (providers.length > 1 && opts.json !== true) console.error(`running ${experiment.name} on ${providers.join(', then ')}: one after the other, each its own run`);
  const runs: ProviderRun[] = [];
  try {
    for (const provider of providers) {
      // After Ctrl-C the providers not yet started are not started.
      if (controller.signal.aborted) break;
      const stored = storableOptions(providerOptions.get(provider)!);
      const dropped = droppedLine(provider, stored.dropped);
      if (dropped !== null && opts.json !== true) console.error(dropped);
      runs.push({
        provider,
        source,
        outcome: await onProvider(provider, providerOptions.get(provider)!, spans, async (target, storageUrl) => {
          const store = await openRunStore(opts.store, opts.label);
          const tracer = clientSpansFor(spans, provider);
          const prefix = providers.length > 1 ? `[${provider}] ` : '';
          const status = startStepProgress(opts.json !== true, `${prefix}${experiment.name}`);
          try {
            return await runExperiment({
              experiment,
              params,
              source,
              provider: target,
              store,
              seed,
              findPackage: (name) => findPackage(name, opts.dir),
              storageUrl: storageUrl ?? opts.storageUrl ?? process.env.FAASBENCH_STORAGE_URL ?? '',
              host: hostFacts(),
              toolVersion: TOOL_VERSION,
              signal: controller.signal,
              log: (message) => opts.json !== true && console.error(`${prefix}${message}`),
              onProgress: (done, total, label) => status.update(done, total, label),
              ...(rerun ? { rerunOf: rerun.runId } : {}),
              ...(Object.keys(stored.kept).length ? { providerOptions: stored.kept } : {}),
              heartbeatMs,
              ...(tracer ? { spans: tracer.tracer } : {}),
            });
          } finally {
            status.stop();
            await tracer?.close();
            await store.close();
          }
        }),
      });
    }
    return runs;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/**
 * The `-o` pairs one provider of the command gets. Each provider rejects options it does not know
 * (a typo must not pass silently), so side by side providers could share none: `aws-lambda.endpoint=URL`
 * goes to aws-lambda alone, and an unnamed `key=value` to every provider.
 */
function optionsOf(provider: string, pairs: readonly string[]): string[] {
  return pairs.flatMap((pair) => {
    const scope = scopeOf(pair);
    if (scope === null) return [pair];
    return scope === provider ? [pair.slice(provider.length + 1)] : [];
  });
}

/** The provider a pair names (`aws-lambda.endpoint=...`), or null for a pair every provider gets. */
function scopeOf(pair: string): string | null {
  const key = pair.slice(0, pair.includes('=') ? pair.indexOf('=') : undefined);
  const dot = key.indexOf('.');
  return dot > 0 && providerNames().includes(key.slice(0, dot)) ? key.slice(0, dot) : null;
}

/** A pair for a provider the command does not run would be dropped unseen: refused instead. */
function checkScopes(pairs: readonly string[], providers: readonly string[]): void {
  for (const pair of pairs) {
    const scope = scopeOf(pair);
    if (scope !== null && !providers.includes(scope)) throw new FaasbenchError('InvalidParameterValue', `--provider-opt ${pair}: ${scope} is not among the providers of this run (${providers.join(', ')})`);
  }
}

/** Where a user's experiment threw, in its own file (`/path/study.ts:12:9`); null for a built-in or no error. */
function errorAt({ outcome, source }: ProviderRun): string | null {
  return outcome.error ? whereInModule(outcome.error, source) : null;
}

/**
 * Each provider's options are checked before the first provider runs (by making its provider and
 * closing it: nothing is called), so a typo for the second is not found after the first's whole run.
 */
async function checkProviders(options: ReadonlyMap<string, ProviderOptions>): Promise<void> {
  for (const [name, o] of options) {
    // The local platform is started only when its turn comes; an address stands in for it here.
    const provider = await createProvider(name, name === 'local' && o.url === undefined ? { ...o, url: 'http://127.0.0.1:9' } : o);
    await provider.close();
  }
}

function finish(runs: ProviderRun[], json: boolean): void {
  if (json) {
    console.log(
      JSON.stringify(
        runs.map((run) => ({ provider: run.provider, runId: run.outcome.runId, status: run.outcome.status, result: run.outcome.result, error: run.outcome.error?.message ?? null, errorAt: errorAt(run), failures: run.outcome.calls ? failuresOf(run.outcome.calls) : null })),
        null,
        2,
      ),
    );
  } else {
    for (const run of runs) {
      const { provider, outcome } = run;
      console.log(`\n${provider}: run ${outcome.runId} ${outcome.status}`);
      if (outcome.result) console.log(resultTable(outcome.result));
      const at = errorAt(run);
      if (outcome.error) console.error(`error: ${outcome.error.message}${at ? ` (at ${at})` : ''}`);
    }
    if (runs.length > 1) console.log(`\nside by side (${runs.map((r) => `${r.provider}: run ${r.outcome.runId}`).join(', ')}):\n${resultTable(sideBySide(runs.map((r) => ({ provider: r.provider, runId: r.outcome.runId, result: r.outcome.result }))))}`);
  }
  // Last, each run that failed or had failed calls, and why: the exit code explains itself.
  for (const { provider, outcome } of runs) {
    const line = experimentEndLine(outcome);
    if (line !== null) printEndLine(runs.length > 1 ? `${provider}: ${line}` : line, json);
  }
  process.exitCode = exitCodeOf(runs.map((r) => r.outcome.status));
}

/** The list's parameters column; a cell holds two less (its padding). */
const LIST_PARAMS_WIDTH = 50;

/**
 * cli-table3 cuts a word longer than its column short with "…": a long default (an event, a
 * trace path) would lose its end. Such words are split over lines instead, so all of it shows.
 */
function breakLongWords(text: string, width: number): string {
  return text
    .split(' ')
    .map((word) => (word.length <= width ? word : (word.match(new RegExp(`.{1,${width}}`, 'g')) ?? [word]).join('\n')))
    .join(' ');
}

function defaultsOf(values: Record<string, unknown>): Record<string, JsonValue> {
  return JSON.parse(JSON.stringify(values)) as Record<string, JsonValue>;
}

// Where suite.ts and others have always imported them from.
export { experimentEndLine, resultTable };
