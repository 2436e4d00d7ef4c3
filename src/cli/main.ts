/**
 * The `faasbench` command. cli/ owns argument parsing and wiring only: one file per command,
 * each registering itself on the program; behaviour lives in the folders it wires together.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { registerDemo } from './demo.ts';
import { registerPlatform } from './platform-start.ts';
import { registerFunctionsList } from './functions-list.ts';
import { registerInvoke } from './invoke.ts';
import { registerDeploy } from './deploy.ts';
import { registerRuns } from './runs.ts';
import { registerExperiment } from './experiment.ts';
import { registerSuite } from './suite.ts';
import { registerAnalyze } from './analyze.ts';
import { registerCompare } from './compare.ts';
import { registerReport } from './report.ts';
import { registerServe } from './serve.ts';
import { registerStore } from './store.ts';
import { registerTrace } from './trace.ts';
import { EXIT } from './exit-codes.ts';
import { StoreFailureError } from '../store/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('faasbench')
  .description('Benchmark serverless (FaaS) platforms; runs its own local FaaS platform by default.')
  .version(pkg.version)
  .showHelpAfterError()
  .exitOverride();

registerDemo(program);
registerPlatform(program);
registerFunctionsList(program);
registerInvoke(program);
registerDeploy(program);
registerRuns(program);
registerTrace(program);
registerExperiment(program);
registerSuite(program);
registerAnalyze(program);
registerCompare(program);
registerReport(program);
registerServe(program);
registerStore(program);

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
    process.exit(err instanceof StoreFailureError ? EXIT.store : EXIT.input);
  }
  throw err;
}
