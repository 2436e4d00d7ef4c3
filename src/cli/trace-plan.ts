/** `faasbench trace plan <traceDir> --out plan.fbplan`: the replay's calls, computed and written, not sent. */
import type { Command } from 'commander';
import { planHeader, PlanWriter } from '../trace/plan-file.ts';
import { unitBatches } from '../trace/schedule.ts';
import { EXIT } from './exit-codes.ts';
import { addScheduleOptions, scheduleTrace, type ScheduleOptions } from './trace-schedule-options.ts';
import { writeCalls } from './write-calls.ts';

interface PlanOptions extends ScheduleOptions {
  out: string;
  json?: boolean;
}

export function registerTracePlan(trace: Command): void {
  addScheduleOptions(
    trace
      .command('plan <traceDir>')
      .description('write the time-ordered calls of a trace replay to a compact plan file (send it with trace replay --plan)')
      .requiredOption('--out <file>', 'the plan file to write'),
  )
    .option('--json', 'print what was written as JSON')
    .action(async (traceDir: string, opts: PlanOptions) => {
      const started = performance.now();
      const { trace: read, inputs, schedule } = await scheduleTrace(traceDir, opts);
      if (opts.json !== true) for (const note of read.notes) console.error(`note: ${note}`);
      const outcome = await writeCalls(unitBatches(inputs, schedule), new PlanWriter(opts.out, planHeader(schedule, read.labels)), schedule.count, opts.json !== true);
      if (outcome.status === 'interrupted') {
        process.exitCode = EXIT.interrupted;
        return;
      }
      const seconds = (performance.now() - started) / 1000;
      const result = { file: opts.out, functions: schedule.functions.length, calls: outcome.calls, bytes: outcome.bytes, units: schedule.units, unit: schedule.unit, seconds: Number(seconds.toFixed(3)), notes: read.notes };
      if (opts.json) console.log(JSON.stringify(result, null, 2));
      else console.log(`wrote ${opts.out}: ${outcome.calls.toLocaleString('en-US')} calls of ${result.functions} functions over ${schedule.units} ${schedule.unit}s, ${outcome.bytes.toLocaleString('en-US')} bytes in ${seconds.toFixed(1)} s`);
    });
}
