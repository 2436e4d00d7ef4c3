/** `faasbench platform start`: the local platform in the foreground until Ctrl-C. */
import path from 'node:path';
import { readdirSync, existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { defaultAccountLimit } from '../platform/account-limit.ts';
import { describeReaped } from '../platform/leftovers.ts';
import type { GrpcTriggerOptions } from '../platform/grpc-trigger.ts';
import { defaultDataDir, LocalPlatform } from '../platform/platform.ts';
import { EXIT } from './exit-codes.ts';
import { positiveInt } from './option-parsers.ts';
import { watchParent } from './parent-watch.ts';
import { collectorsOf, otlpEncodingOption, otlpOption, zipkinOption, type SpanFlags } from './span-options.ts';

/**
 * How long a platform whose parent died gives its orderly stop: every instance was sent SIGKILL
 * synchronously at its first step, what follows (removing cgroups and temp folders) takes ~10 ms
 * and may be cut short, since the next start reaps whatever is left.
 */
const ORPHAN_STOP_MS = 1000;

interface StartOptions extends SpanFlags {
  port: string;
  host: string;
  token?: string;
  dataDir: string;
  accountLimit?: string;
  isolation: 'auto' | 'namespace' | 'none';
  cgroups: 'auto' | 'off';
  freeze: boolean;
  deploy: string[];
  json?: boolean;
  exitWithParent?: string;
  allowHost: string[];
  allowOrigin: string[];
  grpcPort?: string;
  grpcProto?: string;
  grpcMethod?: string;
}

export function registerPlatform(program: Command): void {
  const platform = program.command('platform').description('the local FaaS platform');
  platform
    .command('start')
    .description('serve the Lambda API, HTTP trigger, Runtime API, /metrics and /healthz on one port')
    .option('--port <n>', 'port to listen on (0: any free port)', '9000')
    .option('--host <address>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--token <secret>', 'required from clients (Bearer, or as the AWS access key id)')
    .option('--allow-host <names...>', 'Host names to answer besides loopback names and --host (a DNS-rebinding guard)', [])
    .option('--allow-origin <origins...>', 'web origins whose pages may call the APIs (every other request carrying an Origin is refused)', [])
    .option('--data-dir <dir>', 'where deployed code and runtime bootstraps are staged', defaultDataDir())
    .option('--account-limit <n>', `concurrent executions across all functions (default: derived from this host, ${defaultAccountLimit()} here)`)
    .addOption(new Option('--isolation <mode>', 'private /tmp and read-only code per instance').choices(['auto', 'namespace', 'none']).default('auto'))
    .addOption(new Option('--cgroups <mode>', 'memory and CPU limits through cgroups').choices(['auto', 'off']).default('auto'))
    .option('--no-freeze', 'let idle instances run (no SIGSTOP between invocations)')
    .option('--deploy <dirs...>', 'function folders to deploy at start ("functions/*" style: a folder of folders works too)', [])
    .option('--grpc-port <n>', 'also serve a gRPC trigger on this port (0: any free port; off when absent): the request is the event, the result the reply')
    .option('--grpc-proto <file>', 'the .proto of the gRPC trigger (default vSwarm\'s helloworld.proto)')
    .option('--grpc-method <name>', 'the method the gRPC trigger serves (default helloworld.Greeter/SayHello)')
    .option('--json', 'print the listening address and platform facts as one JSON line')
    .addOption(otlpOption('platform'))
    .addOption(otlpEncodingOption())
    .addOption(zipkinOption('platform'))
    // For platform-process.ts: exit, with every instance killed, as soon as that process is gone.
    .addOption(new Option('--exit-with-parent <pid>', 'stop when this parent process dies or closes stdin').hideHelp())
    .action(async (opts: StartOptions) => {
      const parentPid = opts.exitWithParent === undefined ? undefined : Number(opts.exitWithParent);
      if (parentPid !== undefined && !(Number.isInteger(parentPid) && parentPid > 0)) {
        throw new FaasbenchError('InvalidParameterValue', `--exit-with-parent: expected a process id, got "${opts.exitWithParent}"`);
      }
      const port = positiveInt(opts.port, '--port', 0);
      if (port > MAX_PORT) throw new FaasbenchError('InvalidParameterValue', `--port: expected 0 to ${MAX_PORT}, got "${opts.port}"`);
      const spans = collectorsOf(opts);
      const p = await LocalPlatform.start({
        port,
        host: opts.host,
        ...(opts.token ? { token: opts.token } : {}),
        dataDir: opts.dataDir,
        accountLimit: opts.accountLimit === undefined ? defaultAccountLimit() : positiveInt(opts.accountLimit, '--account-limit'),
        isolation: opts.isolation,
        cgroups: opts.cgroups,
        freeze: opts.freeze,
        allowedHosts: opts.allowHost,
        allowedOrigins: opts.allowOrigin,
        ...grpcOption(opts),
        ...(spans ? { spans } : {}),
      }).catch((err: unknown) => {
        throw listenError(err, opts.host, port) ?? err;
      });
      for (const leftover of p.reaped) console.error(`faasbench platform: ${describeReaped(leftover)}`);
      let deployed: string[];
      try {
        deployed = functionFolders(opts.deploy).map((dir) => p.deployFolder(dir).name);
      } catch (err) {
        await p.stop();
        throw err;
      }
      if (opts.json) console.log(JSON.stringify({ url: p.url, storageUrl: p.storageUrl, functions: deployed, facts: p.facts, reaped: p.reaped, ...(p.grpc ? { grpc: p.grpc } : {}) }));
      else {
        console.log(`faasbench platform listening on ${p.url}`);
        console.log(`  isolation ${p.facts.isolation}${p.facts.isolation === 'namespace' ? ' (instances run as nobody, no capabilities, own PID namespace)' : ' (instances run as this user)'}, memory limit ${p.facts.memoryLimit}, cpu limit ${p.facts.cpuLimit}, freeze ${p.facts.freeze}`);
        if (deployed.length) console.log(`  deployed: ${deployed.join(', ')}`);
        console.log('  Lambda API: AWS SDK with endpoint ' + p.url + ' (any credentials); HTTP trigger: ' + p.url + '/fn/<name>/');
        if (p.grpc) console.log(`  gRPC trigger: ${p.grpc.method} on port ${p.grpc.port} (function by :authority <name>.default... or metadata faasbench-function)`);
        console.log('  Ctrl-C to stop');
      }
      const orphaned = await new Promise<string | null>((resolve) => {
        process.once('SIGINT', () => resolve(null)).once('SIGTERM', () => resolve(null));
        if (parentPid !== undefined) watchParent(parentPid, resolve);
      });
      if (orphaned === null) {
        await p.stop();
        process.exit(EXIT.ok);
      }
      console.error(`faasbench platform: stopping: ${orphaned}`);
      await Promise.race([p.stop(), new Promise((resolve) => setTimeout(resolve, ORPHAN_STOP_MS))]);
      process.exit(EXIT.interrupted);
    });
}

const MAX_PORT = 65_535;

/** The platform's `grpc` option from --grpc-*: off unless --grpc-port is given. */
function grpcOption(opts: StartOptions): { grpc?: GrpcTriggerOptions } {
  if (opts.grpcPort === undefined) {
    if (opts.grpcProto !== undefined || opts.grpcMethod !== undefined) throw new FaasbenchError('InvalidParameterValue', '--grpc-proto and --grpc-method need --grpc-port (the gRPC trigger is off without it)');
    return {};
  }
  const port = positiveInt(opts.grpcPort, '--grpc-port', 0);
  if (port > MAX_PORT) throw new FaasbenchError('InvalidParameterValue', `--grpc-port: expected 0 to ${MAX_PORT}, got "${opts.grpcPort}"`);
  return { grpc: { port, ...(opts.grpcProto !== undefined ? { proto: opts.grpcProto } : {}), ...(opts.grpcMethod !== undefined ? { method: opts.grpcMethod } : {}) } };
}

/** Why the platform could not listen, said in terms of the options; null for any other failure. */
export function listenError(err: unknown, host: string, port: number): FaasbenchError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') return new FaasbenchError('ResourceConflict', `--port ${port}: ${address} is in use by another process; stop it or choose another port (--port 0 takes any free one)`);
  if (code === 'EACCES') return new FaasbenchError('InvalidParameterValue', `--port ${port}: this user may not listen on ${address} (ports below 1024 need root); choose another port`);
  if (code === 'EADDRNOTAVAIL') return new FaasbenchError('InvalidParameterValue', `--host ${host}: not an address of this machine`);
  return null;
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
