/**
 * `faasbench trace export` writes a replay as vSwarm's load.json (from a trace folder or a plan
 * file); `faasbench trace import` reads a load.json back into a plan file that `trace replay
 * --plan` sends.
 */
import { Option, type Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { openPlanFile, planHeader, PlanWriter, type CallWriter, type PlanHeader } from '../trace/plan-file.ts';
import { unitBatches, type CallBatch } from '../trace/schedule.ts';
import type { TraceUnit } from '../trace/trace-function.ts';
import { readVswarmLoad, VswarmLoadWriter } from '../trace/vswarm-load.ts';
import { EXIT } from './exit-codes.ts';
import { addScheduleOptions, scheduleTrace, type ScheduleOptions } from './trace-schedule-options.ts';
import { writeCalls, type WriteOutcome } from './write-calls.ts';

const EXPORT_FORMATS = ['vswarm'] as const;

interface ExportOptions extends ScheduleOptions {
  plan?: string;
  format: (typeof EXPORT_FORMATS)[number];
  out: string;
  json?: boolean;
}

export function registerTraceExport(trace: Command): void {
  addScheduleOptions(
    trace
      .command('export [traceDir]')
      .description("write a trace replay (a trace folder, or --plan) in another tool's format: vswarm = vSwarm's load.json")
      .option('--plan <file>', 'export this plan file instead of a trace folder')
      .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).default('vswarm'))
      .requiredOption('--out <file>', 'the file to write'),
  )
    .option('--json', 'print what was written as JSON')
    .action(async (traceDir: string | undefined, opts: ExportOptions) => {
      const { header, batches, notes } = await exportSource(traceDir, opts);
      if (opts.json !== true) for (const note of notes) console.error(`note: ${note}`);
      const outcome = await writeCalls(batches, new VswarmLoadWriter(opts.out, header), header.count, opts.json !== true);
      report(outcome, { file: opts.out, format: opts.format, functions: header.functions.length, units: header.units, unit: header.unit, notes }, opts.json === true);
    });

  trace
    .command('import <loadJson>')
    .description("read vSwarm's load.json into a plan file (send it with trace replay --plan ... --no-deploy against the endpoints it names)")
    .requiredOption('--out <file>', 'the plan file to write')
    .addOption(new Option('--unit <unit>', 'what one object of the file spans').choices(['minute', 'second']).default('minute'))
    .option('--json', 'print what was written as JSON')
    .action(async (loadJson: string, opts: { out: string; unit: TraceUnit; json?: boolean }) => {
      const { schedule, batches, notes } = readVswarmLoad(loadJson, opts.unit);
      if (opts.json !== true) for (const note of notes) console.error(`note: ${note}`);
      const writer: CallWriter = new PlanWriter(opts.out, planHeader(schedule, []));
      const outcome = await writeCalls(batches(), writer, schedule.count, opts.json !== true);
      report(outcome, { file: opts.out, format: 'faasbench-plan', functions: schedule.functions.length, units: schedule.units, unit: schedule.unit, notes }, opts.json === true);
    });
}

async function exportSource(traceDir: string | undefined, opts: ExportOptions): Promise<{ header: PlanHeader; batches: Iterable<CallBatch>; notes: readonly string[] }> {
  if ((traceDir === undefined) === (opts.plan === undefined)) throw new FaasbenchError('InvalidParameterValue', 'give a trace folder or --plan <file>, one of the two', { reason: 'usage' });
  if (opts.plan !== undefined) {
    const file = openPlanFile(opts.plan);
    return { header: file.header, batches: file.batches(), notes: [] };
  }
  const { trace, inputs, schedule } = await scheduleTrace(traceDir!, opts);
  return { header: planHeader(schedule, trace.labels), batches: unitBatches(inputs, schedule), notes: trace.notes };
}

interface Written {
  readonly file: string;
  readonly format: string;
  readonly functions: number;
  readonly units: number;
  readonly unit: TraceUnit;
  /** How the input was read: said on stderr, and kept in --json's output. */
  readonly notes: readonly string[];
}

function report(outcome: WriteOutcome, written: Written, json: boolean): void {
  if (outcome.status === 'interrupted') {
    process.exitCode = EXIT.interrupted;
    return;
  }
  const result = { ...written, calls: outcome.calls, bytes: outcome.bytes };
  if (json) console.log(JSON.stringify(result, null, 2));
  else console.log(`wrote ${written.file} (${written.format}): ${outcome.calls.toLocaleString('en-US')} calls of ${written.functions} functions over ${written.units} ${written.unit}s`);
}
