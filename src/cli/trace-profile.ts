/**
 * `faasbench trace profile --out profile.json`: deploys the candidate proxies (the application
 * suite, each of its input sizes a candidate), calls each one on a provider and writes their
 * duration and memory percentiles for `trace map`. Ctrl-C stops after the call in flight and
 * writes nothing: a profile missing candidates would map the trace onto the wrong proxies.
 */
import path from 'node:path';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import type { FunctionPackage } from '../core/function-package.ts';
import type { Provider } from '../core/provider.ts';
import { createProvider } from '../providers/index.ts';
import { SYNTHETIC } from '../trace/mapping.ts';
import { p75, writeProfile } from '../trace/profile.ts';
import { profileCandidates, type Candidate, type ProfileProgress, type ProfileRun } from '../trace/profiler.ts';
import { inputNames, resolveInput } from '../workload/function-inputs.ts';
import { EXIT } from './exit-codes.ts';
import { functionPackages, FUNCTIONS_DIR } from './functions-list.ts';
import { collectRepeated, parseProviderOptions, positiveInt } from './option-parsers.ts';
import { startPlatformProcess } from './platform-process.ts';
import { StatusLine } from './status-line.ts';
import { providerNames } from '../providers/registry.ts';

interface ProfileOptions {
  dir: string;
  /** The old name of --dir, kept hidden so scripts that use it still work. */
  functions?: string;
  only?: string;
  sizes?: string;
  calls: string;
  warmup: string;
  seed: string;
  provider: string;
  providerOpt: string[];
  storageUrl?: string;
  out: string;
  json?: boolean;
}

/** SeBS numbering (`210.thumbnailer`): the application suite of DESIGN.md §5. */
const SUITE_FOLDER = /^\d{3}\./;

export function registerTraceProfile(trace: Command): void {
  trace
    .command('profile')
    .description('call candidate proxy functions (each input size a candidate) on a provider and write their duration and memory percentiles to profile.json for trace map')
    .requiredOption('--out <file>', 'profile.json to write')
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .addOption(new Option('--functions <dir>', 'the old name of --dir').hideHelp())
    .option('--only <names>', 'comma-separated functions to profile (folder or function names; default: the application suite, 110.dynamic-html ... 503.graph-bfs)')
    .option('--sizes <names>', 'comma-separated input sizes to profile (default: every input of each function)')
    .option('--calls <n>', 'measured calls per candidate', '20')
    .option('--warmup <n>', 'calls per candidate before measuring, thrown away (the first is cold)', '1')
    .option('--seed <n>', 'seed for generated inputs', '42')
    .option('--provider <name>', `one of ${providerNames().join(', ')}`, 'local')
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable), e.g. url=http://127.0.0.1:9000', collectRepeated, [])
    .option('--storage-url <url>', 'bucket root for generated inputs when the provider is not local')
    .option('--json', 'print each candidate and the messages as JSON')
    .action(async (opts: ProfileOptions) => {
      const calls = positiveInt(opts.calls, '--calls');
      const warmup = positiveInt(opts.warmup, '--warmup', 0);
      const seed = positiveInt(opts.seed, '--seed', 0);
      const selection = selectCandidates(opts);
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      let run: ProfileRun | null;
      try {
        run = await profileOnProvider(selection.packages, opts, { calls, warmup, seed, signal: controller.signal });
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
      const messages = [...selection.messages, ...(run?.messages ?? [])];
      if (run === null || run.interrupted) {
        for (const message of messages) console.error(`note: ${message}`);
        console.error(`interrupted: nothing written to ${opts.out}`);
        process.exitCode = EXIT.interrupted;
        return;
      }
      const written = Object.keys(run.profile).length > 0;
      if (written) writeProfile(opts.out, run.profile);
      report(run, messages, { out: opts.out, written, provider: opts.provider, calls, warmup, json: opts.json === true });
      const leftOut = run.outcomes.some((o) => o.profile === null);
      process.exitCode = written && !leftOut ? EXIT.ok : EXIT.failed;
    });
}

interface Selected {
  readonly pkg: FunctionPackage;
  /** `name:input` keys use the folder name, which findPackage resolves at replay. */
  readonly folder: string;
  readonly inputs: readonly string[];
}

function list(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function selectCandidates(opts: ProfileOptions): { packages: Selected[]; messages: string[] } {
  const dir = opts.functions ?? opts.dir;
  const all = functionPackages(dir);
  const folder = (pkg: FunctionPackage): string => path.basename(pkg.dir);
  const only = list(opts.only);
  const sizes = list(opts.sizes);
  const suite = all.filter((pkg) => SUITE_FOLDER.test(folder(pkg)) && inputNames(pkg).length > 0);
  let chosen: FunctionPackage[];
  if (only === null) {
    if (suite.length === 0) throw new FaasbenchError('InvalidParameterValue', `--dir ${dir}: no application functions (folders named like 210.thumbnailer with inputs); name some with --only`);
    chosen = suite;
  } else {
    chosen = only.map((name) => {
      const pkg = all.find((p) => folder(p) === name || p.manifest.name === name);
      const offered = `expected one of: ${all.filter((p) => inputNames(p).length > 0 && p.manifest.name !== SYNTHETIC).map(folder).join(', ')}`;
      if (!pkg) throw new FaasbenchError('InvalidParameterValue', `--only: no function "${name}" in ${dir}; ${offered}`);
      if (pkg.manifest.name === SYNTHETIC) throw new FaasbenchError('InvalidParameterValue', `--only: ${name} is what trace map falls back to, not a proxy to profile; ${offered}`);
      if (inputNames(pkg).length === 0) throw new FaasbenchError('InvalidParameterValue', `--only: ${name} has no named inputs to profile; ${offered}`);
      return pkg;
    });
  }
  const messages: string[] = [];
  const packages: Selected[] = [];
  for (const pkg of chosen) {
    const offered = inputNames(pkg);
    const inputs = sizes === null ? offered : sizes.filter((size) => offered.includes(size));
    if (inputs.length === 0) messages.push(`${folder(pkg)} has none of the sizes ${sizes!.join(', ')} (it has: ${offered.join(', ')}); skipped`);
    else packages.push({ pkg, folder: folder(pkg), inputs });
  }
  if (packages.length === 0) throw new FaasbenchError('InvalidParameterValue', `--sizes ${opts.sizes}: no chosen function has any of these inputs`);
  return { packages, messages };
}

interface RunSettings {
  readonly calls: number;
  readonly warmup: number;
  readonly seed: number;
  readonly signal: AbortSignal;
}

/** Null when interrupted before the first call. */
async function profileOnProvider(packages: readonly Selected[], opts: ProfileOptions, settings: RunSettings): Promise<ProfileRun | null> {
  const providerOptions = parseProviderOptions(opts.providerOpt);
  const platform = opts.provider === 'local' && providerOptions.url === undefined ? await startPlatformProcess() : null;
  let provider: Provider | null = null;
  try {
    provider = await createProvider(opts.provider, platform ? { ...providerOptions, url: platform.url } : providerOptions);
    const storageUrl = platform?.storageUrl ?? opts.storageUrl ?? process.env.FAASBENCH_STORAGE_URL ?? '';
    const candidates: Candidate[] = [];
    for (const { pkg, folder, inputs } of packages) {
      if (settings.signal.aborted) return null;
      await provider.deploy(pkg);
      for (const input of inputs) {
        const event = await resolveInput(pkg, input, { seed: settings.seed, storageUrl });
        candidates.push({ id: `${folder}:${input}`, fn: pkg.manifest.name, payload: Buffer.from(JSON.stringify(event)) });
      }
    }
    if (opts.json !== true) console.error(`profiling ${candidates.length} candidate(s) on ${opts.provider}: ${settings.warmup} warm-up and ${settings.calls} measured call(s) each`);
    const status = new StatusLine(opts.json !== true);
    const run = await profileCandidates({ provider, candidates, calls: settings.calls, warmup: settings.warmup, signal: settings.signal, onProgress: (p) => status.update(() => progressText(p)) });
    status.done(`profiled ${run.outcomes.length} of ${candidates.length} candidate(s)`);
    return run;
  } finally {
    await provider?.close();
    await platform?.stop();
  }
}

function progressText(p: ProfileProgress): string {
  return `candidate ${p.index + 1}/${p.total} ${p.candidate}: ${p.phase === 'warmup' ? 'warm-up' : 'measured'} call ${p.done}/${p.of}${p.errors ? `, ${p.errors} failed` : ''}`;
}

interface ReportContext {
  readonly out: string;
  readonly written: boolean;
  readonly provider: string;
  readonly calls: number;
  readonly warmup: number;
  readonly json: boolean;
}

function report(run: ProfileRun, messages: readonly string[], ctx: ReportContext): void {
  const rows = run.outcomes.map((o) => ({
    id: o.id,
    fn: o.fn,
    calls: o.calls,
    ok: o.ok,
    errors: o.errors,
    latencyFallbacks: o.latencyFallbacks,
    memoryMissing: o.memoryMissing,
    profiled: o.profile !== null,
    durationP50Ms: o.profile ? o.profile.duration[50]! : null,
    durationP75Ms: o.profile ? p75(o.profile.duration) : null,
    durationP99Ms: o.profile ? o.profile.duration[99]! : null,
    memoryP75Mb: o.profile ? p75(o.profile.memory) : null,
  }));
  if (ctx.json) {
    console.log(JSON.stringify({ out: ctx.written ? ctx.out : null, provider: ctx.provider, calls: ctx.calls, warmup: ctx.warmup, candidates: rows, messages }, null, 2));
    return;
  }
  for (const message of messages) console.error(`note: ${message}`);
  const fmt = (n: number | null): string => (n === null ? '-' : n.toFixed(2));
  const table = new Table({ head: ['proxy', 'answered', 'duration p50 ms', 'p75 ms', 'p99 ms', 'memory p75 MB', 'duration from'], style: { head: [], border: [] } });
  for (const r of rows) table.push([r.id, `${r.ok}/${r.calls}`, fmt(r.durationP50Ms), fmt(r.durationP75Ms), fmt(r.durationP99Ms), fmt(r.memoryP75Mb), durationSource(r.ok, r.latencyFallbacks)]);
  console.log(table.toString());
  console.log(ctx.written ? `wrote ${ctx.out}: ${rows.filter((r) => r.profiled).length} proxies` : `no candidate answered: nothing written to ${ctx.out}`);
}

function durationSource(ok: number, latencyFallbacks: number): string {
  if (ok === 0) return '-';
  if (latencyFallbacks === 0) return 'platform';
  return latencyFallbacks === ok ? 'client latency' : 'platform and client latency';
}
