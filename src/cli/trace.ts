/**
 * `faasbench trace ...`: the trace pipeline (DESIGN.md §6), one file per step. Read, sample,
 * profile, map, plan, replay, export/import and plot an Azure Functions 2019 format trace.
 */
import type { Command } from 'commander';
import { registerTraceExport } from './trace-export.ts';
import { registerTraceMap } from './trace-map.ts';
import { registerTracePlan } from './trace-plan.ts';
import { registerTracePlot } from './trace-plot.ts';
import { registerTraceProfile } from './trace-profile.ts';
import { registerTraceReplay } from './trace-replay.ts';
import { registerTraceSample } from './trace-sample.ts';

export function registerTrace(program: Command): void {
  const trace = program.command('trace').description('sample, profile, map, plan, replay, export and plot Azure Functions 2019 format traces');
  registerTraceSample(trace);
  registerTraceProfile(trace);
  registerTraceMap(trace);
  registerTracePlan(trace);
  registerTraceReplay(trace);
  registerTraceExport(trace);
  registerTracePlot(trace);
}
