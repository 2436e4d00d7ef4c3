/**
 * `faasbench trace ...`: the trace pipeline (DESIGN.md §6), one file per step. Read, sample,
 * profile, map, plan, replay, export/import and plot an Azure Functions 2019 format trace.
 *
 * Only the module of the subcommand being run is imported, as command-table.ts does for the
 * top-level commands: `trace replay` and `trace profile` load the providers, the platform and the
 * store, which `trace plan` and `trace map` never use. The others are listed from the table below
 * (trace-subcommands.test.ts checks it against the modules themselves).
 */
import type { Command } from 'commander';
import { listedCommand, type Listing } from './command-table.ts';

type RegisterSubcommand = (trace: Command) => void;

export interface TraceSubcommandModule {
  /** The subcommands the module registers, in its order. */
  readonly commands: readonly Listing[];
  readonly load: () => Promise<RegisterSubcommand>;
}

export const TRACE_DESCRIPTION = 'sample, profile, map, plan, replay, export and plot Azure Functions 2019 format traces';

/** In the order the help lists them. */
export const TRACE_SUBCOMMANDS: readonly TraceSubcommandModule[] = [
  {
    commands: [{ term: 'sample [options] <traceDir>', description: 'pick the functions whose per-minute invocations and resource use best match the whole trace, and write them as a trace folder' }],
    load: async () => (await import('./trace-sample.ts')).registerTraceSample,
  },
  {
    commands: [
      {
        term: 'profile [options]',
        description: 'call candidate proxy functions (each input size a candidate) on a provider and write their duration and memory percentiles to profile.json for trace map',
      },
    ],
    load: async () => (await import('./trace-profile.ts')).registerTraceProfile,
  },
  {
    commands: [
      {
        term: 'map [options] <traceDir>',
        description: 'map each trace function to the profiled proxy nearest in log p75 memory and duration (or synthetic beyond --max-error) and write mapping.json',
      },
    ],
    load: async () => (await import('./trace-map.ts')).registerTraceMap,
  },
  {
    commands: [{ term: 'plan [options] <traceDir>', description: 'write the time-ordered calls of a trace replay to a compact plan file (send it with trace replay --plan)' }],
    load: async () => (await import('./trace-plan.ts')).registerTracePlan,
  },
  {
    commands: [
      {
        term: 'replay [options] [traceDir]',
        description: 'send a trace replay (from a trace folder, generated on the fly, or from --plan) through a provider; every call is stored',
      },
    ],
    load: async () => (await import('./trace-replay.ts')).registerTraceReplay,
  },
  {
    commands: [
      { term: 'export [options] [traceDir]', description: "write a trace replay (a trace folder, or --plan) in another tool's format: vswarm = vSwarm's load.json" },
      {
        term: 'import [options] <loadJson>',
        description: "read vSwarm's load.json into a plan file (send it with trace replay --plan ... --no-deploy against the endpoints it names)",
      },
    ],
    load: async () => (await import('./trace-export.ts')).registerTraceExport,
  },
  {
    commands: [
      {
        term: 'plot [options]',
        description: 'draw trace vs proxy histograms of p75 duration and memory and a memory-duration scatter from a mapping, as SVG and PNG',
      },
    ],
    load: async () => (await import('./trace-plot.ts')).registerTracePlot,
  },
];

const nameOf = (listing: Listing): string => listing.term.split(' ')[0] ?? listing.term;

/**
 * The trace subcommand the arguments name (after `node faasbench`): the operand after `trace`,
 * or after `trace help`; `help trace plan` too. The trace command has no options of its own, so
 * no option value can stand before the subcommand.
 */
export function traceSubcommandOperand(args: readonly string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  if (operands[0] === 'help') operands.shift();
  if (operands[0] !== 'trace') return undefined;
  return operands[1] === 'help' ? operands[2] : operands[1];
}

/**
 * The registration of `trace`, with the subcommand `args` name loaded for real and every other
 * one listed; without `args`, every subcommand for real.
 */
export async function traceRegistrar(args?: readonly string[]): Promise<(program: Command) => void> {
  const operand = args === undefined ? undefined : traceSubcommandOperand(args);
  const wanted = TRACE_SUBCOMMANDS.find((m) => m.commands.some((c) => nameOf(c) === operand));
  const loaded = new Map<TraceSubcommandModule, RegisterSubcommand>();
  for (const m of TRACE_SUBCOMMANDS) if (args === undefined || m === wanted) loaded.set(m, await m.load());
  return (program) => {
    const trace = program.command('trace').description(TRACE_DESCRIPTION);
    for (const m of TRACE_SUBCOMMANDS) {
      const register = loaded.get(m);
      if (register) register(trace);
      else for (const listing of m.commands) listedCommand(trace, listing);
    }
  };
}
