/** `faasbench deploy <function-dir...> --provider P`: deploy function folders to a platform. */
import type { Command } from 'commander';
import { createProvider } from '../providers/index.ts';
import { EXIT } from './exit-codes.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { parseProviderOptions } from './option-parsers.ts';

export function registerDeploy(program: Command): void {
  program
    .command('deploy <functions...>')
    .description('deploy function folders (or names from `functions list`) to a provider')
    .option('--provider <name>', 'aws-lambda, openfaas or local with -o url=... (an in-process local platform would end with the command)', 'local')
    .option('-o, --provider-opt <key=value...>', 'a provider option (repeatable)', [])
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--json', 'print the deployed names as JSON')
    .action(async (names: string[], opts: { provider: string; providerOpt: string[]; dir: string; json?: boolean }) => {
      const packages = names.map((n) => findPackage(n, opts.dir));
      const provider = await createProvider(opts.provider, parseProviderOptions(opts.providerOpt));
      try {
        for (const pkg of packages) {
          await provider.deploy(pkg);
          if (!opts.json) console.log(`deployed ${pkg.manifest.name} (${pkg.dir}) to ${opts.provider}`);
        }
      } finally {
        await provider.close();
      }
      if (opts.json) console.log(JSON.stringify({ provider: opts.provider, deployed: packages.map((p) => p.manifest.name) }));
      process.exitCode = EXIT.ok;
    });
}
