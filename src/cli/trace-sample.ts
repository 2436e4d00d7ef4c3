/**
 * `faasbench trace sample <traceDir> --size N --out <dir>`: a smaller trace that behaves like the
 * whole one (src/trace/sampler.ts says how it is judged), written as the three CSVs of a trace
 * folder. The output is checked before the passes and written only at the end, atomically, so a
 * bad argument or a bad trace leaves nothing behind.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { openTraceStream } from '../trace/azure-trace-reader.ts';
import { sampleTrace, type SampleProgress, type SampleResult } from '../trace/sampler.ts';
import { totalInvocations, type TraceUnit } from '../trace/trace-function.ts';
import { assertTraceTarget, writeTrace } from '../trace/trace-writer.ts';
import { positiveInt } from './option-parsers.ts';
import { StatusLine } from './status-line.ts';
import { parseMinutesWindow } from './trace-options.ts';

interface SampleCommandOptions {
  size: string;
  out: string;
  tries: string;
  seed: string;
  minutes?: string;
  unit?: TraceUnit;
  overwrite?: boolean;
  json?: boolean;
}

export function registerTraceSample(trace: Command): void {
  trace
    .command('sample <traceDir>')
    .description('pick the functions whose per-minute invocations and resource use best match the whole trace, and write them as a trace folder')
    .requiredOption('--size <n>', 'how many functions to pick')
    .requiredOption('--out <dir>', 'folder to write invocations.csv, durations.csv and memory.csv to (created if absent)')
    .option('--tries <n>', 'seeded random draws to score; the closest wins', '10')
    .option('--seed <n>', 'seed of the draws (same seed, same sample)', '42')
    .option('--minutes <A-B>', 'only the minutes labelled A to B (inclusive)')
    .addOption(new Option('--unit <unit>', 'what the count columns count (default: minutes, or seconds for more than 1,440 columns)').choices(['minute', 'second']))
    .option('--overwrite', 'replace trace files already in --out')
    .option('--json', 'print the tries, scores and chosen functions as JSON')
    .action(async (traceDir: string, opts: SampleCommandOptions) => {
      const size = positiveInt(opts.size, '--size');
      const tries = positiveInt(opts.tries, '--tries');
      const seed = positiveInt(opts.seed, '--seed', 0);
      const minutes = opts.minutes === undefined ? undefined : parseMinutesWindow(opts.minutes);
      await assertOutput(traceDir, opts.out, opts.overwrite === true);
      const stream = await openTraceStream(traceDir, { ...(minutes ? { minutes } : {}), ...(opts.unit ? { unit: opts.unit } : {}) });
      const status = new StatusLine(opts.json !== true);
      const result = await sampleTrace(stream, { size, tries, seed, onProgress: (p) => status.update(() => progressText(p)) });
      status.done(`read ${result.functionsTotal.toLocaleString('en-US')} functions twice; scored ${result.tries.length} draw(s)`);
      const files = await writeTrace(opts.out, result, result.functions, { overwrite: opts.overwrite === true });
      const summary = summarise(result, { traceDir, out: opts.out, seed, files, notes: stream.notes });
      if (opts.json) console.log(JSON.stringify(summary, null, 2));
      else print(summary);
    });
}

/** Checked before the passes, which take minutes on a full Azure day. */
async function assertOutput(traceDir: string, out: string, overwrite: boolean): Promise<void> {
  const [input, output] = await Promise.all([traceDir, out].map((dir) => realpath(dir).catch(() => resolve(dir))));
  if (input === output) throw new FaasbenchError('InvalidParameterValue', `--out ${out}: is the trace being sampled; choose another folder`);
  await assertTraceTarget(out, { overwrite });
}

function progressText(p: SampleProgress): string {
  const read = p.functionsRead.toLocaleString('en-US');
  return p.pass === 1 ? `pass 1/2: read ${read} functions` : `pass 2/2: read ${read} of ${p.functionsTotal!.toLocaleString('en-US')} functions`;
}

interface SampleSummary {
  readonly trace: string;
  readonly out: string;
  readonly files: readonly string[];
  readonly unit: TraceUnit;
  readonly window: { readonly first: string; readonly last: string; readonly units: number };
  readonly seed: number;
  readonly size: number;
  readonly functionsTotal: number;
  readonly tries: SampleResult['tries'];
  readonly best: number;
  readonly score: number;
  readonly invocations: { readonly sample: number; readonly whole: number };
  readonly chosen: ReadonlyArray<{ readonly owner: string; readonly app: string; readonly fn: string; readonly trigger: string; readonly invocations: number }>;
  readonly notes: readonly string[];
}

function summarise(result: SampleResult, run: { traceDir: string; out: string; seed: number; files: readonly string[]; notes: readonly string[] }): SampleSummary {
  return {
    trace: run.traceDir,
    out: run.out,
    files: run.files,
    unit: result.unit,
    window: { first: result.labels[0]!, last: result.labels.at(-1)!, units: result.labels.length },
    seed: run.seed,
    size: result.functions.length,
    functionsTotal: result.functionsTotal,
    tries: result.tries,
    best: result.best,
    score: result.score,
    invocations: { sample: result.invocationsSampled, whole: result.invocationsTotal },
    chosen: result.functions.map((fn) => ({ ...fn.key, trigger: fn.trigger, invocations: totalInvocations(fn) })),
    notes: [...run.notes],
  };
}

function print(s: SampleSummary): void {
  for (const note of s.notes) console.error(`note: ${note}`);
  const table = new Table({ head: ['try', 'score', 'invocations', 'resource', ''], style: { head: [], border: [] } });
  for (const t of s.tries) table.push([t.index, t.score.toFixed(4), t.invocationDistance.toFixed(4), t.resourceDistance.toFixed(4), t.index === s.best ? 'best' : '']);
  console.log(table.toString());
  const share = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);
  console.log(`functions: ${s.size.toLocaleString('en-US')} of ${s.functionsTotal.toLocaleString('en-US')} (${share(s.size, s.functionsTotal)}), ${s.unit}s ${s.window.first}..${s.window.last}`);
  console.log(`invocations: ${s.invocations.sample.toLocaleString('en-US')} of ${s.invocations.whole.toLocaleString('en-US')} (${share(s.invocations.sample, s.invocations.whole)})`);
  console.log(`wrote ${s.files.join(', ')}`);
}

