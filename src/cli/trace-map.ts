/**
 * `faasbench trace map <traceDir> --profile profile.json --out mapping.json`: pairs each trace
 * function with the profiled proxy closest to it in log space (src/trace/mapper.ts says how),
 * or with synthetic beyond --max-error, and writes the pairs with their errors for `trace plan`,
 * `replay` and `export --mapping`.
 */
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { readTrace } from '../trace/azure-trace-reader.ts';
import { mapTrace } from '../trace/mapper.ts';
import { SYNTHETIC, type Mapping } from '../trace/mapping.ts';
import { writeMapping } from '../trace/mapping-file.ts';
import { readProfile } from '../trace/profile.ts';
import type { TraceUnit } from '../trace/trace-function.ts';
import { parseMinutesWindow } from './trace-options.ts';

interface MapCommandOptions {
  profile: string;
  out: string;
  unique?: boolean;
  maxError?: string;
  minutes?: string;
  unit?: TraceUnit;
  json?: boolean;
}

/** Enough of a hash to tell functions apart in a table; mapping.json keeps the whole key. */
const HASH_SHOWN = 10;

export function registerTraceMap(trace: Command): void {
  trace
    .command('map <traceDir>')
    .description('map each trace function to the profiled proxy nearest in log p75 memory and duration (or synthetic beyond --max-error) and write mapping.json')
    .requiredOption('--profile <file>', 'profile.json from trace profile')
    .requiredOption('--out <file>', 'mapping.json to write')
    .option('--unique', 'give each function its own proxy, minimising the total distance (needs at least as many proxies as functions; otherwise nearest)')
    .option('--max-error <ratio>', 'replay a function by synthetic when its proxy p75 duration is off by more than this relative error (0.4 = 40%)')
    .option('--minutes <A-B>', 'only the minutes labelled A to B (inclusive)')
    .addOption(new Option('--unit <unit>', 'what the count columns count (default: minutes, or seconds for more than 1,440 columns)').choices(['minute', 'second']))
    .option('--json', 'print the mapping summary and every pair as JSON')
    .action(async (traceDir: string, opts: MapCommandOptions) => {
      const maxError = opts.maxError === undefined ? null : parseMaxError(opts.maxError);
      const minutes = opts.minutes === undefined ? undefined : parseMinutesWindow(opts.minutes);
      const profile = readProfile(opts.profile);
      const trace = await readTrace(traceDir, { ...(minutes ? { minutes } : {}), ...(opts.unit ? { unit: opts.unit } : {}) });
      if (trace.functions.length === 0) throw new FaasbenchError('InvalidParameterValue', `${traceDir}: no functions in the trace${minutes ? ` window ${opts.minutes}` : ''}: nothing to map`);
      const { mapping, messages } = mapTrace(trace.functions, profile, { unique: opts.unique === true, maxError });
      writeMapping(opts.out, mapping);
      const summary = summarise(mapping, Object.keys(profile).length);
      if (opts.json) {
        console.log(JSON.stringify({ out: opts.out, ...summary, messages, notes: trace.notes, entries: mapping.entries }, null, 2));
        return;
      }
      for (const note of trace.notes) console.error(`note: ${note}`);
      for (const message of messages) console.error(`note: ${message}`);
      print(mapping);
      console.log(`method: ${mapping.method}${maxError === null ? '' : `, max error ${maxError}`}`);
      console.log(`${summary.functions} functions: ${summary.functions - summary.synthetic} mapped to ${summary.proxiesUsed} of ${summary.proxies} proxies, ${summary.synthetic} synthetic`);
      console.log(`mean duration error ${pct(summary.meanDurationError)} (${pct(summary.meanProxiedDurationError)} over the functions a proxy plays), mean memory error ${pct(summary.meanMemoryError)}`);
      console.log(`wrote ${opts.out}`);
    });
}

function pct(n: number | null): string {
  return n === null ? '-' : `${(100 * n).toFixed(1)}%`;
}

function parseMaxError(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new FaasbenchError('InvalidParameterValue', `--max-error: expected a relative error >= 0 (0.4 = 40%), got "${text}"`);
  return value;
}

interface MapSummary {
  readonly method: string;
  readonly maxError: number | null;
  readonly functions: number;
  readonly synthetic: number;
  readonly proxies: number;
  readonly proxiesUsed: number;
  /** Over entries with a relative error (synthetic counts as 0; 0 ms trace functions have none). */
  readonly meanDurationError: number | null;
  /** The same over the entries a proxy plays (synthetic left out): how good the proxies are. */
  readonly meanProxiedDurationError: number | null;
  readonly meanMemoryError: number | null;
}

function summarise(mapping: Mapping, proxies: number): MapSummary {
  const mean = (values: ReadonlyArray<number | null>): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
  };
  const { entries } = mapping;
  return {
    method: mapping.method,
    maxError: mapping.maxError,
    functions: entries.length,
    synthetic: entries.filter((e) => e.proxy === SYNTHETIC).length,
    proxies,
    proxiesUsed: new Set(entries.map((e) => e.proxy).filter((p) => p !== SYNTHETIC)).size,
    meanDurationError: mean(entries.map((e) => e.durationError)),
    meanProxiedDurationError: mean(entries.filter((e) => e.proxy !== SYNTHETIC).map((e) => e.durationError)),
    meanMemoryError: mean(entries.map((e) => e.memoryError)),
  };
}

function print(mapping: Mapping): void {
  const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  const table = new Table({
    head: ['function', 'trigger', 'trace p75 ms', 'trace p75 MB', 'proxy', 'proxy p75 ms', 'proxy p75 MB', 'duration error', 'memory error'],
    style: { head: [], border: [] },
  });
  for (const e of mapping.entries) {
    table.push([e.key.fn.slice(0, HASH_SHOWN), e.trigger, ms(e.traceDurationP75Ms), ms(e.traceMemoryP75Mb), e.proxy, ms(e.proxyDurationP75Ms), ms(e.proxyMemoryP75Mb), pct(e.durationError), pct(e.memoryError)]);
  }
  console.log(table.toString());
}
