/** `faasbench platform start`: the local platform in the foreground until Ctrl-C. */
import path from 'node:path';
import { readdirSync, existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { defaultDataDir, LocalPlatform } from '../platform/platform.ts';
import { EXIT } from './exit-codes.ts';

interface StartOptions {
  port: string;
  host: string;
  token?: string;
  dataDir: string;
  accountLimit: string;
  isolation: 'auto' | 'namespace' | 'none';
  cgroups: 'auto' | 'off';
  freeze: boolean;
  deploy: string[];
  json?: boolean;
}

export function registerPlatform(program: Command): void {
  const platform = program.command('platform').description('the local FaaS platform');
  platform
    .command('start')
    .description('serve the Lambda API, HTTP trigger, Runtime API, /metrics and /healthz on one port')
    .option('--port <n>', 'port to listen on (0: any free port)', '9000')
    .option('--host <address>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--token <secret>', 'required from clients (Bearer, or as the AWS access key id)')
    .option('--data-dir <dir>', 'where deployed code and runtime bootstraps are staged', defaultDataDir())
    .option('--account-limit <n>', 'concurrent executions across all functions', '1000')
    .addOption(new Option('--isolation <mode>', 'private /tmp and read-only code per instance').choices(['auto', 'namespace', 'none']).default('auto'))
    .addOption(new Option('--cgroups <mode>', 'memory and CPU limits through cgroups').choices(['auto', 'off']).default('auto'))
    .option('--no-freeze', 'let idle instances run (no SIGSTOP between invocations)')
    .option('--deploy <dirs...>', 'function folders to deploy at start ("functions/*" style: a folder of folders works too)', [])
    .option('--json', 'print the listening address and platform facts as one JSON line')
    .action(async (opts: StartOptions) => {
      const p = await LocalPlatform.start({
        port: Number(opts.port),
        host: opts.host,
        ...(opts.token ? { token: opts.token } : {}),
        dataDir: opts.dataDir,
        accountLimit: Number(opts.accountLimit),
        isolation: opts.isolation,
        cgroups: opts.cgroups,
        freeze: opts.freeze,
      });
      let deployed: string[];
      try {
        deployed = functionFolders(opts.deploy).map((dir) => p.deployFolder(dir).name);
      } catch (err) {
        await p.stop();
        throw err;
      }
      if (opts.json) console.log(JSON.stringify({ url: p.url, storageUrl: p.storageUrl, functions: deployed, facts: p.facts }));
      else {
        console.log(`faasbench platform listening on ${p.url}`);
        console.log(`  isolation ${p.facts.isolation}, memory limit ${p.facts.memoryLimit}, cpu limit ${p.facts.cpuLimit}, freeze ${p.facts.freeze}`);
        if (deployed.length) console.log(`  deployed: ${deployed.join(', ')}`);
        console.log('  Lambda API: AWS SDK with endpoint ' + p.url + ' (any credentials); HTTP trigger: ' + p.url + '/fn/<name>/');
        console.log('  Ctrl-C to stop');
      }
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await p.stop();
      process.exit(EXIT.ok);
    });
}

/** Each argument is a function folder, or a folder whose subfolders are function folders. */
function functionFolders(args: readonly string[]): string[] {
  return args.flatMap((arg) => {
    if (existsSync(path.join(arg, 'function.json'))) return [arg];
    return readdirSync(arg, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(arg, d.name, 'function.json')))
      .map((d) => path.join(arg, d.name));
  });
}
