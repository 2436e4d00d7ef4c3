/**
 * The options `trace plan`, `trace replay` and `trace export` share: which trace window, which
 * proxies, and how arrivals are placed. Turns them into the schedule inputs of src/trace.
 */
import { Option, type Command } from 'commander';
import { readTrace } from '../trace/azure-trace-reader.ts';
import { ARRIVAL_MODES, type ArrivalMode } from '../trace/arrivals.ts';
import { SAMPLING_MODES, type SamplingMode } from '../trace/execution-spec.ts';
import { readMapping } from '../trace/mapping-file.ts';
import { replayTargets } from '../trace/replay-targets.ts';
import { describeSchedule, type Schedule, type ScheduleInput } from '../trace/schedule.ts';
import type { Trace, TraceUnit } from '../trace/trace-function.ts';
import { positiveInt } from './option-parsers.ts';
import { parseMinutesWindow } from './trace-options.ts';

export interface ScheduleOptions {
  mapping?: string;
  minutes?: string;
  unit?: TraceUnit;
  arrivals: ArrivalMode;
  shift?: boolean;
  seed: string;
  sampling: SamplingMode;
}

export function addScheduleOptions(command: Command): Command {
  return command
    .option('--mapping <file>', 'mapping.json from trace map; without it every function is replayed by synthetic')
    .option('--minutes <A-B>', 'only the minutes labelled A to B (inclusive)')
    .addOption(new Option('--unit <unit>', 'what the count columns count (default: minutes, or seconds for more than 1,440 columns)').choices(['minute', 'second']))
    .addOption(new Option('--arrivals <mode>', 'where calls fall inside their minute or second').choices([...ARRIVAL_MODES]).default('uniform'))
    .option('--shift', 'rotate each function and unit by a random offset, against :00 storms')
    .option('--seed <n>', 'seed of the arrival times and synthetic draws', '42')
    .addOption(new Option('--sampling <mode>', "synthetic's per-call duration and memory from the percentiles").choices([...SAMPLING_MODES]).default('bracket'));
}

export interface ScheduledTrace {
  readonly trace: Trace;
  readonly inputs: readonly ScheduleInput[];
  readonly schedule: Schedule;
}

export async function scheduleTrace(traceDir: string, opts: ScheduleOptions): Promise<ScheduledTrace> {
  const trace = await readTrace(traceDir, { ...(opts.minutes ? { minutes: parseMinutesWindow(opts.minutes) } : {}), ...(opts.unit ? { unit: opts.unit } : {}) });
  const mapping = opts.mapping ? readMapping(opts.mapping) : null;
  const inputs = replayTargets(trace.functions, mapping);
  const schedule = describeSchedule(inputs, { unit: trace.unit, seed: positiveInt(opts.seed, '--seed', 0), arrivals: { mode: opts.arrivals, shift: opts.shift === true }, sampling: opts.sampling });
  return { trace, inputs, schedule };
}
