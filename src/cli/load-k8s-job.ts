/**
 * `faasbench load k8s-job <fn> [pattern...]`: writes the Kubernetes Indexed Job that runs one load
 * plan as N shards on a cluster's nodes (each pod `faasbench invoke ... --shard <index>/N`, one
 * --run-id and --start-at, the PostgreSQL store from a Secret), and, on request, a copy of the
 * project's image definition (the Dockerfile at the project's root). It talks to no cluster:
 * `kubectl apply -f` the output.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { dumpYaml } from '@kubernetes/client-node/dist/yaml.js';
import { FaasbenchError } from '../core/errors.ts';
import { shardOf } from '../core/load-plan.ts';
import { providerNames } from '../providers/registry.ts';
import { planPattern, splitPatternArgs } from '../workload/registry.ts';
import { k8sJob, STORE_ENV } from './k8s-job-manifest.ts';
import { openOutFile } from './out-file.ts';
import { collectRepeated, parseProviderOptions, positiveInt } from './option-parsers.ts';
import { labelOption } from './run-label-option.ts';
import { installPath } from '../core/install-path.ts';

interface K8sJobOptions {
  shards: string;
  parallelism?: string;
  image: string;
  name: string;
  namespace: string;
  secret: string;
  secretKey: string;
  runId?: string;
  startAt?: string;
  startIn: string;
  provider: string;
  providerOpt: string[];
  payload?: string;
  seed: string;
  maxInFlight: string;
  label?: string;
  out?: string;
  dockerfile?: string;
}

const DOCKERFILE = installPath('../../Dockerfile', import.meta.url);
/** Kubernetes object names: DNS-1123 labels. */
const NAME_RULE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function registerLoad(program: Command): void {
  const load = program.command('load').description('spread one load plan over many nodes: `load k8s-job` writes a Kubernetes Indexed Job of shards');
  load
    .command('k8s-job <function>')
    .argument('[pattern...]', 'a load pattern and its options, as for invoke, e.g. constant --rate 1000 --duration 5m')
    .description('write a Kubernetes Indexed Job whose N pods each send one shard of the plan (--shard $JOB_COMPLETION_INDEX/N) into one PostgreSQL store')
    .requiredOption('--shards <n>', 'shards: the Job\'s completions')
    .option('--parallelism <n>', 'pods at once (default: --shards, so all shards keep the shared start)')
    .requiredOption('--image <ref>', 'the faasbench image the pods run (built from the project\'s Dockerfile)')
    .option('--name <name>', 'the Job\'s name', 'faasbench-load')
    .option('--namespace <ns>', 'the Job\'s namespace', 'default')
    .option('--secret <name>', 'the Secret holding the postgres:// store URL', 'faasbench-store')
    .option('--secret-key <key>', 'its key', 'url')
    .option('--run-id <id>', 'the run the shards share (default: a new id)')
    .option('--start-at <epoch-ms>', 'when offset 0 of the plan falls on every node (default: now + --start-in)')
    .option('--start-in <s>', 'seconds from now to the start, leaving time to apply the Job and pull the image', '300')
    .option('--provider <name>', 'the provider the pods invoke', 'local')
    .option('-o, --provider-opt <key=value>', 'a provider option (repeatable)', collectRepeated, [])
    .option('--payload <json>', 'the event as JSON', '{}')
    .option('--seed <n>', 'seed for random arrivals', '42')
    .option('--max-in-flight <n>', 'calls in flight at once per pod', '1000')
    .addOption(labelOption())
    .option('--out <file>', 'write the Job there (default: stdout)')
    .option('--dockerfile <file>', 'also write the project\'s image definition there')
    .allowUnknownOption()
    .action((fn: string, patternArgs: string[], opts: K8sJobOptions) => writeJob(fn, patternArgs, opts));
}

async function writeJob(fn: string, patternArgs: string[], opts: K8sJobOptions): Promise<void> {
  const shards = positiveInt(opts.shards, '--shards');
  const parallelism = opts.parallelism === undefined ? shards : positiveInt(opts.parallelism, '--parallelism');
  for (const [flag, value] of [['--name', opts.name], ['--namespace', opts.namespace], ['--secret', opts.secret]] as const) {
    if (!NAME_RULE.test(value)) throw new FaasbenchError('InvalidParameterValue', `${flag}: expected a Kubernetes name (lower-case letters, digits and "-", at most 63), got "${value}"`);
  }
  const invokeArgs = [...patternInvokeArgs(fn, patternArgs, shards), ...sharedArgs(opts)];
  const manifest = k8sJob({ name: opts.name, namespace: opts.namespace, image: opts.image, shards, parallelism, secretName: opts.secret, secretKey: opts.secretKey, invokeArgs });
  if (opts.dockerfile !== undefined) copyFileSync(DOCKERFILE, opts.dockerfile);
  const text = dumpYaml(manifest);
  if (opts.out === undefined) process.stdout.write(text);
  else await finished(openOutFile(opts.out).end(text));
  const runId = invokeArgs[invokeArgs.indexOf('--run-id') + 1];
  console.error(
    `faasbench: Job ${opts.name}: ${shards} shards of run ${runId}. Before applying it: ` +
      `kubectl create secret generic ${opts.secret} -n ${opts.namespace} --from-literal=${opts.secretKey}=postgres://...; ` +
      `deploy the function (faasbench deploy); the pods run invoke --no-deploy and read the store from $${STORE_ENV}.`,
  );
}

/** The function and its pattern, checked as invoke would check them, with every shard non-empty-able. */
function patternInvokeArgs(fn: string, patternArgs: string[], shards: number): string[] {
  if (!patternArgs.length) throw new FaasbenchError('InvalidParameterValue', 'expected a load pattern after the function, e.g. constant --rate 100 --duration 1m (a sequential plan cannot be sharded)', { reason: 'usage' });
  const pattern = splitPatternArgs(patternArgs);
  try {
    shardOf(planPattern(pattern.name, pattern.options, { fn, payload: { event: null } }), 0, shards);
  } catch (err) {
    if (err instanceof RangeError) throw new FaasbenchError('InvalidParameterValue', `--shards ${shards}: ${err.message.replace(/^shard \S+ /, '')}`);
    throw err;
  }
  return ['invoke', fn, ...patternArgs];
}

function sharedArgs(opts: K8sJobOptions): string[] {
  try {
    JSON.parse(opts.payload ?? '{}');
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `--payload is not valid JSON: ${(err as Error).message}`);
  }
  parseProviderOptions(opts.providerOpt);
  if (!providerNames().includes(opts.provider)) throw new FaasbenchError('InvalidParameterValue', `--provider: unknown provider "${opts.provider}": expected one of ${providerNames().join(', ')}`);
  const startAtMs = opts.startAt === undefined ? Date.now() + positiveInt(opts.startIn, '--start-in', 0) * 1000 : positiveInt(opts.startAt, '--start-at');
  const runId = opts.runId ?? `k8s-${randomBytes(6).toString('hex')}`;
  return [
    '--provider', opts.provider,
    ...opts.providerOpt.flatMap((pair) => ['-o', pair]),
    '--payload', opts.payload ?? '{}',
    '--seed', String(positiveInt(opts.seed, '--seed', 0)),
    '--max-in-flight', String(positiveInt(opts.maxInFlight, '--max-in-flight')),
    ...(opts.label !== undefined ? ['--label', opts.label] : []),
    // The function is deployed once, before the Job; N pods deploying it would race.
    '--no-deploy',
    '--run-id', runId,
    '--start-at', String(startAtMs),
  ];
}
