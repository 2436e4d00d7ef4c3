/**
 * Every top-level command: the module that registers it, and how the top-level help lists it.
 * A command's module is imported only when that command runs, since the modules between them
 * import the AWS SDK, vega, resvg and the platform: loading all of them cost `--version` 2 CPU-s
 * and 190 MB. `--version`, `--help` and an unknown command import none: Commander lists the
 * commands from this table (command-table.test.ts checks it against the modules themselves).
 */
import { Help, type Command } from 'commander';

type Register = (program: Command) => void;

/** A command as the top-level help lists it: its term (name, `[options]`, arguments) and description. */
export interface Listing {
  readonly term: string;
  readonly description: string;
}

export interface CommandModule {
  /** The top-level commands the module registers, in its order. */
  readonly commands: readonly Listing[];
  /**
   * The module's registration. `args` (the command line after `node faasbench`) lets a module with
   * subcommands load only the one they name (trace.ts); without them it registers everything.
   */
  readonly load: (args?: readonly string[]) => Promise<Register>;
}

/** In the order the help lists them. */
export const COMMAND_MODULES: readonly CommandModule[] = [
  {
    commands: [{ term: 'demo [options]', description: 'start the local platform, deploy the example functions and invoke each cold and warm' }],
    load: async () => (await import('./demo.ts')).registerDemo,
  },
  {
    commands: [{ term: 'platform', description: 'the local FaaS platform' }],
    load: async () => (await import('./platform-start.ts')).registerPlatform,
  },
  {
    commands: [{ term: 'functions', description: 'the workload functions' }],
    load: async () => (await import('./functions-list.ts')).registerFunctionsList,
  },
  {
    commands: [{ term: 'invoke [options] <function> [pattern...]', description: 'deploy a function and invoke it under a load pattern; every call is stored' }],
    load: async () => (await import('./invoke.ts')).registerInvoke,
  },
  {
    commands: [{ term: 'deploy [options] <functions...>', description: 'deploy function folders (or names from `functions list`) to a provider' }],
    load: async () => (await import('./deploy.ts')).registerDeploy,
  },
  {
    commands: [{ term: 'load', description: 'spread one load plan over many nodes: `load k8s-job` writes a Kubernetes Indexed Job of shards' }],
    load: async () => (await import('./load-k8s-job.ts')).registerLoad,
  },
  {
    commands: [
      { term: 'runs [options]', description: 'list the runs in the store, newest first, with their status, load and label; `runs delete` removes runs' },
      { term: 'export [options] <run>', description: "write a run's invocations as CSV or JSON lines" },
    ],
    load: async () => (await import('./runs.ts')).registerRuns,
  },
  {
    commands: [{ term: 'trace', description: 'sample, profile, map, plan, replay, export and plot Azure Functions 2019 format traces' }],
    load: async (args) => (await import('./trace.ts')).traceRegistrar(args),
  },
  {
    commands: [{ term: 'traces', description: "a run's X-Ray traces: `traces get` fetches them (AWS X-Ray or the local platform), `traces analyze` breaks each request into queueing, init, handler, nested calls and overhead" }],
    load: async () => (await import('./traces.ts')).registerTraces,
  },
  {
    commands: [{ term: 'experiment', description: 'run the built-in studies (cold starts, idle timeout, scaling, memory/cost...) or your own' }],
    load: async () => (await import('./experiment.ts')).registerExperiment,
  },
  {
    commands: [{ term: 'suite [options]', description: 'run the standard suite (cold starts, scaling, idle timeout, memory/cost, CPU share, a trace replay) on the local platform' }],
    load: async () => (await import('./suite.ts')).registerSuite,
  },
  {
    commands: [
      {
        term: 'analyze [options] <run>',
        description: "a run's statistics per function: latency percentiles with bootstrap CIs, errors, cold starts (and how well client-side inference matches the platform), instances, lateness",
      },
    ],
    load: async () => (await import('./analyze.ts')).registerAnalyze,
  },
  {
    commands: [{ term: 'results [options] <run>', description: "an experiment run's result from the store, printed as `experiment run` printed it: its tables and notes" }],
    load: async () => (await import('./results.ts')).registerResults,
  },
  {
    commands: [
      {
        term: 'compare [options] <runA> <runB>',
        description: 'what changed from run A to run B: each figure as A → B with the change, its CI and a verdict; two experiment runs compare their result tables',
      },
    ],
    load: async () => (await import('./compare.ts')).registerCompare,
  },
  {
    commands: [
      {
        term: 'report [options] <run>',
        description:
          "write a run's report: index.html with its summary and charts (latency CDF, latency over time, instances, lateness, and a memory sweep's or trace replay's own), each chart also as SVG and PNG",
      },
    ],
    load: async () => (await import('./report.ts')).registerReport,
  },
  {
    commands: [{ term: 'serve [options]', description: 'serve the runs dashboard: live status and progress, run detail with charts, comparison of two runs (read-only)' }],
    load: async () => (await import('./serve.ts')).registerServe,
  },
  {
    commands: [
      { term: 'login [options] <provider>', description: "store a provider's credentials for your user (mode 0600): aws (keys), openfaas (gateway login); knative, gcp and azure use their own tools' credentials" },
      { term: 'logout [options] [provider]', description: "remove stored credentials: one provider's (openfaas: --url for one gateway), or all of them" },
      { term: 'check-credentials [options] [provider]', description: 'make one read-only call with the credentials and say who you are (aws: STS GetCallerIdentity; openfaas: the function list)' },
    ],
    load: async () => (await import('./credentials.ts')).registerCredentials,
  },
  {
    commands: [{ term: 'store', description: 'maintain the results store' }],
    load: async () => (await import('./store.ts')).registerStore,
  },
];

function nameOf(listing: Listing): string {
  return listing.term.split(' ')[0] ?? listing.term;
}

/**
 * The command the arguments name (after `node faasbench`), or undefined for none: the first
 * argument that is not an option, or the one after `help`. The program's own options (`-V`, `-h`)
 * take no value, so the first operand is always the command.
 */
export function commandOperand(args: readonly string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

export function moduleOf(command: string | undefined): CommandModule | undefined {
  return command === undefined ? undefined : COMMAND_MODULES.find((m) => m.commands.some((c) => nameOf(c) === command));
}

/**
 * Registers every command on `program`: the module of the command `args` name for real, every
 * other command as a listing only (its name, arguments and description, for the help and for
 * Commander's "unknown command" suggestions). Call before any other subcommand is added.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  // Subcommands inherit this help configuration, so listed subcommands (trace.ts) show their terms too.
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command): string {
      return listedTerms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
  const wanted = moduleOf(commandOperand(args));
  for (const m of COMMAND_MODULES) {
    if (m === wanted) (await m.load(args))(program);
    else for (const listing of m.commands) listedCommand(program, listing);
  }
}

/** The help terms of listed commands, which have no real options or arguments to show. */
const listedTerms = new WeakMap<Command, string>();

/** A command that only lists itself: main.ts never dispatches to one, since it loads the command the arguments name. */
export function listedCommand(parent: Command, listing: Listing): Command {
  const name = nameOf(listing);
  const command = parent
    .command(name)
    .description(listing.description)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new Error(`faasbench: command "${name}" was run without its module loaded`);
    });
  listedTerms.set(command, listing.term);
  return command;
}
