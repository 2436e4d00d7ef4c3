/**
 * `faasbench suite` (what `npm start` runs): the standard suite of experiments on one local
 * platform, one run each in the store, with progress, each result table as it finishes, and a
 * closing summary written to a results folder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { resolveParams } from '../experiments/params.ts';
import { loadExperiment } from '../experiments/registry.ts';
import { runExperiment, type ExperimentRunResult } from '../experiments/runner.ts';
import { STANDARD_SUITE, type SuiteEntry } from '../experiments/standard-suite.ts';
import { createProvider } from '../providers/index.ts';
import { openStore } from '../store/index.ts';
import { EXIT } from './exit-codes.ts';
import { resultTable } from './experiment.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { hostFacts } from './host-facts.ts';
import { startPlatformProcess } from './platform-process.ts';
import { StatusLine } from './status-line.ts';

const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface SuiteOptions {
  store?: string;
  out: string;
  only?: string;
  seed: string;
  json?: boolean;
}

interface Finished {
  readonly entry: SuiteEntry;
  readonly outcome: ExperimentRunResult;
  readonly seconds: number;
}

export function registerSuite(program: Command): void {
  program
    .command('suite')
    .description('run the standard suite (cold starts, scaling, idle timeout, memory/cost, CPU share, a trace replay) on the local platform')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--out <dir>', 'where the summary goes', 'faasbench-results')
    .option('--only <names>', 'comma-separated experiments of the suite to run')
    .option('--seed <n>', 'seed of every experiment', '42')
    .option('--json', 'print the runs as JSON')
    .action(async (opts: SuiteOptions) => {
      const entries = opts.only ? STANDARD_SUITE.filter((e) => opts.only!.split(',').includes(e.experiment)) : STANDARD_SUITE;
      const finished = await runSuite(entries, opts);
      const summary = summaryLines(finished);
      const file = writeSummary(opts.out, finished, summary);
      if (opts.json) console.log(JSON.stringify({ summary: file, runs: finished.map((f) => ({ experiment: f.entry.experiment, runId: f.outcome.runId, status: f.outcome.status, seconds: f.seconds, result: f.outcome.result })) }, null, 2));
      else console.log(`\n${summary.join('\n')}\n\nsummary: ${file}\nevery call is in the store: faasbench runs${opts.store ? ` --store ${opts.store}` : ''}`);
      const statuses = finished.map((f) => f.outcome.status);
      process.exitCode = statuses.includes('interrupted') ? EXIT.interrupted : statuses.includes('failed') ? EXIT.failed : EXIT.ok;
    });
}

async function runSuite(entries: readonly SuiteEntry[], opts: SuiteOptions): Promise<Finished[]> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const platform = await startPlatformProcess();
  const finished: Finished[] = [];
  try {
    const provider = await createProvider('local', { url: platform.url });
    const store = await openStore(opts.store);
    try {
      for (const [i, entry] of entries.entries()) {
        if (controller.signal.aborted) break;
        const started = performance.now();
        const { experiment, source } = await loadExperiment(entry.experiment);
        const status = new StatusLine(opts.json !== true);
        if (opts.json !== true) console.error(`\n[${i + 1}/${entries.length}] ${entry.title}`);
        const outcome = await runExperiment({
          experiment,
          params: resolveParams(experiment.name, experiment.params, { ...entry.params }),
          source,
          provider,
          store,
          seed: Number(opts.seed),
          findPackage: (name) => findPackage(name, FUNCTIONS_DIR),
          storageUrl: platform.storageUrl,
          host: hostFacts(),
          toolVersion: TOOL_VERSION,
          signal: controller.signal,
          log: (message) => opts.json !== true && console.error(`  ${message}`),
          onProgress: (done, total, label) => status.update(() => `  ${label ?? entry.experiment} ${done}/${total}`),
        });
        finished.push({ entry, outcome, seconds: (performance.now() - started) / 1000 });
        if (opts.json !== true) {
          console.log(`\n${entry.title}: run ${outcome.runId} ${outcome.status}`);
          if (outcome.result) console.log(resultTable(outcome.result));
          if (outcome.error) console.error(`  error: ${outcome.error.message}`);
        }
      }
    } finally {
      await store.close();
      await provider.close();
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    await platform.stop();
  }
  return finished;
}

/** One line per experiment: its status, time and headline (the first note of its result). */
function summaryLines(finished: readonly Finished[]): string[] {
  return [
    'Summary',
    ...finished.map(({ entry, outcome, seconds }) => {
      const headline = outcome.result?.notes?.[0] ?? outcome.error?.message ?? '';
      return `- ${entry.title} [${outcome.status}, ${seconds.toFixed(0)} s, run ${outcome.runId}]${headline ? `: ${headline}` : ''}`;
    }),
  ];
}

function writeSummary(out: string, finished: readonly Finished[], summary: readonly string[]): string {
  const dir = path.resolve(out, new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const sections = finished.map(({ entry, outcome }) => [`## ${entry.title}`, '', `run \`${outcome.runId}\` (${outcome.status})`, '', '```', outcome.result ? resultTable(outcome.result) : (outcome.error?.message ?? ''), '```', ''].join('\n'));
  const file = path.join(dir, 'summary.md');
  writeFileSync(file, [`# faasbench standard suite`, '', ...summary, '', ...sections].join('\n'));
  return file;
}
