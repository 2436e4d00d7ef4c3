/** `faasbench deploy <function-dir...> --provider P`: deploy function folders to a platform. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage, type FunctionPackage } from '../core/function-package.ts';
import { createProvider } from '../providers/index.ts';
import { listenForUploads, type UploadNotice } from '../providers/package-cache.ts';
import { EXIT } from './exit-codes.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';
import { collectRepeated, parseProviderOptions } from './option-parsers.ts';
import { UPDATE_HELP, withUpdate } from './update-option.ts';

export function registerDeploy(program: Command): void {
  program
    .command('deploy <functions...>')
    .description('deploy function folders (or names from `functions list`) to a provider')
    .option('--provider <name>', 'aws-lambda, openfaas or local with -o url=... (an in-process local platform would end with the command)', 'local')
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable)', collectRepeated, [])
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--update', UPDATE_HELP)
    .option('--json', 'print the deployed names as JSON')
    .action(async (names: string[], opts: { provider: string; providerOpt: string[]; dir: string; update?: boolean; json?: boolean }) => {
      // Every folder is read before anything is deployed: a bad one leaves the platform untouched.
      const packages = names.map((n) => packageOf(n, opts.dir));
      const providerOptions = withUpdate(opts.provider, parseProviderOptions(opts.providerOpt), opts.update, (m) => console.error(`faasbench: ${m}`));
      // Without a url the local provider starts a platform of its own, which would end with this
      // command and take the deployments with it: saying "deployed" then would be untrue.
      if (opts.provider === 'local' && providerOptions.url === undefined) {
        throw new FaasbenchError('InvalidParameterValue', 'deploy --provider local needs -o url=... of a running platform (start one with `faasbench platform start`); a platform started by this command would end with it', { reason: 'usage' });
      }
      const provider = await createProvider(opts.provider, providerOptions);
      // Providers with a package cache say per function whether they uploaded it.
      const uploads = new Map<string, UploadNotice>();
      const stopListening = listenForUploads((n) => uploads.set(n.fn, n));
      try {
        for (const pkg of packages) {
          await provider.deploy(pkg);
          if (!opts.json) console.log(`deployed ${pkg.manifest.name} (${pkg.dir}) to ${opts.provider}${uploadNote(uploads.get(pkg.manifest.name))}`);
        }
      } finally {
        stopListening();
        await provider.close();
      }
      const packagesJson = uploads.size ? { packages: Object.fromEntries([...uploads].map(([fn, n]) => [fn, n.uploaded ? 'uploaded' : 'unchanged'])) } : {};
      if (opts.json) console.log(JSON.stringify({ provider: opts.provider, deployed: packages.map((p) => p.manifest.name), ...packagesJson }));
      process.exitCode = EXIT.ok;
    });
}

function uploadNote(n: UploadNotice | undefined): string {
  if (!n) return '';
  return n.uploaded ? `: package uploaded (${n.reason})` : ': package unchanged, not uploaded (--update uploads it anyway)';
}

/**
 * A name from `functions list`, or a folder. A folder that is not a package says why, naming its
 * function.json, rather than that no function has its path for a name.
 */
function packageOf(nameOrDir: string, dir: string): FunctionPackage {
  try {
    return findPackage(nameOrDir, dir);
  } catch (err) {
    if (statSync(nameOrDir, { throwIfNoEntry: false })?.isDirectory()) return loadFunctionPackage(nameOrDir);
    throw err;
  }
}
