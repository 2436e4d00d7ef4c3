/**
 * `faasbench suite` (what `npm start` runs): the standard suite of experiments on one local
 * platform, one run each in the store, with progress, each result table as it finishes, and a
 * results folder: each run's HTML report (what `faasbench report` writes) in a folder named after
 * its experiment, an index.html linking them, and summary.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { resolveParams } from '../experiments/params.ts';
import { loadExperiment } from '../experiments/registry.ts';
import { runExperiment, type ExperimentRunResult } from '../experiments/runner.ts';
import { STANDARD_SUITE, type SuiteEntry } from '../experiments/standard-suite.ts';
import { createProvider } from '../providers/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { EXIT } from './exit-codes.ts';
import { experimentEndLine, resultTable } from './experiment.ts';
import { failuresOf, printEndLine } from './failure-line.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { hostFacts } from './host-facts.ts';
import { heartbeatIntervalMs, positiveInt } from './option-parsers.ts';
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
  readonly report: RunReport;
}

/** Where a run's report is (relative to the results folder), or why it has none. */
type RunReport = { readonly index: string } | { readonly missing: string };

export function registerSuite(program: Command): void {
  program
    .command('suite')
    .description('run the standard suite (cold starts, scaling, idle timeout, memory/cost, CPU share, a trace replay) on the local platform')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .option('--out <dir>', 'where the results folder (reports, index.html, summary.md) goes', 'faasbench-results')
    .option('--only <names>', 'comma-separated experiments of the suite to run')
    .option('--seed <n>', 'seed of every experiment', '42')
    .option('--json', 'print the runs as JSON')
    .action(async (opts: SuiteOptions) => {
      // Every input is checked before anything is started or created: a refused command leaves no store file behind.
      const entries = suiteEntries(opts.only);
      const seed = positiveInt(opts.seed, '--seed', 0);
      // Made before the first run, so each run's report is written as soon as it finishes (Ctrl-C keeps them).
      const dir = path.resolve(opts.out, new Date().toISOString().replace(/[:.]/g, '-'));
      mkdirSync(dir, { recursive: true });
      const finished = await runSuite(entries, { ...opts, seed: String(seed) }, dir);
      const summary = summaryLines(finished);
      const file = writeSummary(dir, finished, summary);
      const index = writeIndex(dir, finished);
      if (opts.json) {
        const runs = finished.map((f) => ({
          experiment: f.entry.experiment,
          runId: f.outcome.runId,
          status: f.outcome.status,
          seconds: f.seconds,
          report: 'index' in f.report ? path.join(dir, f.report.index) : null,
          result: f.outcome.result,
          failures: f.outcome.calls ? failuresOf(f.outcome.calls) : null,
        }));
        console.log(JSON.stringify({ summary: file, report: index, runs }, null, 2));
      } else console.log(`\n${summary.join('\n')}\n\nreport: ${index}\nsummary: ${file}\nevery call is in the store: faasbench runs${opts.store ? ` --store ${opts.store}` : ''}`);
      // Last, each experiment that failed or had failed calls, and why: the exit code explains itself.
      for (const f of finished) {
        const line = experimentEndLine(f.outcome);
        if (line !== null) printEndLine(`${f.entry.experiment}: ${line}`, opts.json === true);
      }
      const statuses = finished.map((f) => f.outcome.status);
      process.exitCode = statuses.includes('interrupted') ? EXIT.interrupted : statuses.includes('failed') ? EXIT.failed : EXIT.ok;
    });
}

/** The suite's entries `--only` names (all without it); a name not in the suite is refused, naming those that are. */
function suiteEntries(only: string | undefined): readonly SuiteEntry[] {
  if (only === undefined) return STANDARD_SUITE;
  const names = only.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.find((n) => !STANDARD_SUITE.some((e) => e.experiment === n));
  if (unknown !== undefined || names.length === 0) {
    throw new FaasbenchError('InvalidParameterValue', `--only: ${unknown === undefined ? 'no experiment named' : `"${unknown}" is not in the suite`} (it has: ${STANDARD_SUITE.map((e) => e.experiment).join(', ')})`);
  }
  return STANDARD_SUITE.filter((e) => names.includes(e.experiment));
}

async function runSuite(entries: readonly SuiteEntry[], opts: SuiteOptions, dir: string): Promise<Finished[]> {
  const heartbeatMs = heartbeatIntervalMs();
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
          heartbeatMs,
        });
        const seconds = (performance.now() - started) / 1000;
        if (opts.json !== true) {
          console.log(`\n${entry.title}: run ${outcome.runId} ${outcome.status}`);
          if (outcome.result) console.log(resultTable(outcome.result));
          if (outcome.error) console.error(`  error: ${outcome.error.message}`);
        }
        const report = await writeRunReport(store, outcome.runId, dir, entry.experiment);
        if (opts.json !== true) console.error('index' in report ? `  report: ${path.join(dir, report.index)}` : `  no report: ${report.missing}`);
        finished.push({ entry, outcome, seconds, report });
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

/**
 * The run's report, as `faasbench report` writes it, in `<dir>/<folder>/`. A report that cannot be
 * made costs the suite nothing else: the run is stored and the summary still says what it found.
 */
async function writeRunReport(store: Store, runId: string, dir: string, folder: string): Promise<RunReport> {
  try {
    // Vega and resvg take ~0.4 s to load: imported when the first run is done, as `report` does.
    const [{ readRunData }, { buildReport, writeReport }] = await Promise.all([import('../report/run-data.ts'), import('../report/html-report.ts')]);
    const data = await readRunData(store, runId);
    // `faasbench report` refuses these too: every chart would be empty.
    if (data.records === 0) return { missing: 'the run stored no calls' };
    const report = await buildReport(data, { generatedAt: new Date().toISOString() });
    for (const chart of report.charts) for (const warning of chart.warnings) console.error(`warning: ${folder} ${chart.name}: ${warning}`);
    const written = await writeReport(path.join(dir, folder), report);
    return { index: path.relative(dir, written.files[0]!) };
  } catch (err) {
    return { missing: (err as Error).message };
  }
}

/** index.html of the results folder: one line per run, linking its report (relative links: the folder can move). */
function writeIndex(dir: string, finished: readonly Finished[]): string {
  const items = finished.map(({ entry, outcome, seconds, report }) => {
    const headline = outcome.result?.notes?.[0] ?? outcome.error?.message ?? '';
    const link = 'index' in report ? `<a href="${esc(report.index)}">${esc(entry.title)}</a>` : `${esc(entry.title)} (no report: ${esc(report.missing)})`;
    return `<li>${link} <span class="meta">[${esc(outcome.status)}, ${seconds.toFixed(0)} s, run <code>${esc(outcome.runId)}</code>]</span>${headline ? `<br>${esc(headline)}` : ''}</li>`;
  });
  const file = path.join(dir, 'index.html');
  writeFileSync(
    file,
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>faasbench standard suite</title>
<link rel="icon" href="data:,">
<style>body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1000px; margin: 0 auto; padding: 24px; line-height: 1.4; } li { margin: 0 0 10px; } .meta { color: #666; font-size: 13px; }</style>
</head>
<body>
<h1>faasbench standard suite</h1>
<ul>
${items.join('\n')}
</ul>
<p>Result tables: <a href="summary.md">summary.md</a></p>
</body>
</html>
`,
  );
  return file;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function writeSummary(dir: string, finished: readonly Finished[], summary: readonly string[]): string {
  const sections = finished.map(({ entry, outcome, report }) =>
    [`## ${entry.title}`, '', `run \`${outcome.runId}\` (${outcome.status}); ${'index' in report ? `report: ${report.index}` : `no report: ${report.missing}`}`, '', '```', outcome.result ? resultTable(outcome.result) : (outcome.error?.message ?? ''), '```', ''].join('\n'),
  );
  const file = path.join(dir, 'summary.md');
  writeFileSync(file, [`# faasbench standard suite`, '', ...summary, '', ...sections].join('\n'));
  return file;
}
