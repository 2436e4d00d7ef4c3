/**
 * The `faasbench` command. cli/ owns argument parsing and wiring only: one file per command,
 * each registering itself on the program; behaviour lives in the folders it wires together.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { registerCommands } from './command-table.ts';
import { EXIT } from './exit-codes.ts';
// Not store/index.ts: that would load the store's drivers for `--version`.
import { StoreFailureError } from '../store/store-failure.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('faasbench')
  .description('Benchmark serverless (FaaS) platforms; runs its own local FaaS platform by default.')
  .version(pkg.version)
  .showHelpAfterError()
  .exitOverride();

// Only the module of the command being run is imported (command-table.ts says why).
await registerCommands(program, process.argv.slice(2));

// The AWS SDK warns on every client made under Node 20 that its releases after January 2027 need
// Node 22: on every aws-lambda run, about nothing the run can change. That one warning is turned off
// by its own documented switch, unless the user set the switch.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `faasbench export ... | head` closes the pipe early: that is a reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  if (err instanceof FaasbenchError) {
    // ResourceNotFound and the rest: all are input the user can fix.
    console.error(`faasbench: ${err.message}`);
    // A command line that cannot mean anything (options that exclude or need each other, a pair
    // without its "=") says so with reason 'usage': exit 2, as Commander's own errors.
    process.exit(err instanceof StoreFailureError ? EXIT.store : err.reason === 'usage' ? EXIT.usage : EXIT.input);
  }
  throw err;
}
