/**
 * `faasbench login <provider>`, `logout [provider]` and `check-credentials [provider]` (the
 * Serverless Benchmarker's login, logout and check_credentials): credentials kept per user in one
 * file of mode 0600 (providers/credentials-file.ts), outside every project, read by the providers
 * when nothing else supplies them. docs/credentials.md says which credentials win where.
 */
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { sdkChainSource } from '../providers/credentials-aws.ts';
import { checkAws, checkOpenFaas, type CheckOutcome } from '../providers/credentials-check.ts';
import { credentialsPath, gatewayKey, readCredentials, saveOrRemove, writeCredentials, type AwsEntry } from '../providers/credentials-file.ts';
import { firstStdinLine, masked, prompt } from './credentials-input.ts';
import { EXIT } from './exit-codes.ts';

/** What `login` and the others accept as a provider, by registry name; `aws` is short for aws-lambda. */
const ALIASES: Readonly<Record<string, string>> = {
  aws: 'aws-lambda',
  'aws-lambda': 'aws-lambda',
  openfaas: 'openfaas',
  knative: 'knative',
  gcp: 'gcp-functions',
  'gcp-functions': 'gcp-functions',
  azure: 'azure-functions',
  'azure-functions': 'azure-functions',
};

/** Providers that have nothing to log in to, and why. */
const NO_LOGIN: Readonly<Record<string, string>> = {
  local: 'the local platform takes any credentials on loopback; a platform started with --token is given it with -o token=...',
  http: 'the http provider calls a URL as given; headers it needs go in -o headers=...',
  grpc: 'the grpc provider calls an endpoint as given; metadata it needs goes in -o metadata=...',
};

/** Providers whose platform tooling keeps the credentials: faasbench defers to it and says how to check. */
const DEFERRED: Readonly<Record<string, string>> = {
  knative: 'knative uses your kubeconfig ($KUBECONFIG, ~/.kube/config or the pod\'s service account, or -o kubeconfig=...), as kubectl does: faasbench stores nothing for it; `kubectl auth whoami` says who you are there',
  'gcp-functions': "gcp-functions uses Google's Application Default Credentials (`gcloud auth application-default login`, $GOOGLE_APPLICATION_CREDENTIALS, or the machine's service account): faasbench stores nothing for it; `gcloud auth list` says who you are there",
  'azure-functions': "azure-functions uses Azure's DefaultAzureCredential (the environment's AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, a managed identity, or `az login`): faasbench stores nothing for it; `az account show` says who you are there",
};

function providerOf(name: string): string {
  const provider = Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
  if (provider) return provider;
  const why = Object.hasOwn(NO_LOGIN, name) ? `${name} needs no login: ${NO_LOGIN[name]}` : `unknown provider "${name}": expected one of ${Object.keys(ALIASES).join(', ')}`;
  throw new FaasbenchError('InvalidParameterValue', why);
}

interface LoginOptions {
  accessKeyId?: string;
  secretStdin?: boolean;
  region?: string;
  force?: boolean;
  url?: string;
  user?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

export function registerCredentials(program: Command): void {
  program
    .command('login <provider>')
    .description("store a provider's credentials for your user (mode 0600): aws (keys), openfaas (gateway login); knative, gcp and azure use their own tools' credentials")
    .option('--access-key-id <id>', 'aws: the access key id (default $AWS_ACCESS_KEY_ID, else asked)')
    .option('--secret-stdin', 'aws: read the secret access key from stdin (a second line: a session token); else $AWS_SECRET_ACCESS_KEY, else asked without echo')
    .option('--region <region>', 'aws: a region to use with these keys when nothing else names one')
    .option('--force', 'aws: store keys even though the AWS SDK already finds credentials here')
    .option('--url <gateway>', 'openfaas: the gateway (default $OPENFAAS_URL)')
    .option('-u, --user <name>', 'openfaas: the user', 'admin')
    .option('--password-stdin', 'openfaas: read the password from stdin; else $OPENFAAS_PASSWORD, else asked without echo')
    .option('--json', 'print what was stored (never a secret) as JSON')
    .action(async (name: string, opts: LoginOptions) => {
      const provider = providerOf(name);
      const result = provider === 'aws-lambda' ? await loginAws(opts) : provider === 'openfaas' ? await loginOpenFaas(opts) : { provider, stored: false, message: DEFERRED[provider] ?? '' };
      print(result, opts.json);
      process.exitCode = EXIT.ok;
    });

  program
    .command('logout [provider]')
    .description('remove stored credentials: one provider\'s (openfaas: --url for one gateway), or all of them')
    .option('--url <gateway>', 'openfaas: only this gateway\'s login')
    .option('--json', 'print what was removed as JSON')
    .action((name: string | undefined, opts: { url?: string; json?: boolean }) => {
      print(logout(name === undefined ? undefined : providerOf(name), opts.url), opts.json);
      process.exitCode = EXIT.ok;
    });

  program
    .command('check-credentials [provider]')
    .description('make one read-only call with the credentials and say who you are (aws: STS GetCallerIdentity; openfaas: the function list)')
    .option('--endpoint <url>', 'aws: an STS endpoint instead of AWS (the local platform\'s URL answers GetCallerIdentity)')
    .option('--region <region>', 'aws: the region whose STS endpoint to ask')
    .option('--profile <name>', 'aws: a profile from ~/.aws (faasbench: the stored keys)')
    .option('--url <gateway>', 'openfaas: the gateway (default: each stored one)')
    .option('--json', 'print each check as JSON')
    .action(async (name: string | undefined, opts: { endpoint?: string; region?: string; profile?: string; url?: string; json?: boolean }) => {
      const outcomes = await checks(name === undefined ? undefined : providerOf(name), opts);
      if (opts.json) console.log(JSON.stringify(outcomes, null, 2));
      else for (const o of outcomes) (o.status === 'ok' || o.status === 'deferred' ? console.log : console.error)(checkLine(o));
      process.exitCode = exitOf(outcomes);
    });
}

interface Said {
  readonly provider: string;
  readonly stored: boolean;
  readonly message: string;
  readonly [field: string]: unknown;
}

function print(said: Said, json: boolean | undefined): void {
  if (json) console.log(JSON.stringify(said, null, 2));
  else console.log(said.message);
}

async function loginAws(opts: LoginOptions): Promise<Said> {
  const provider = 'aws-lambda';
  const file = credentialsPath();
  const chain = sdkChainSource();
  const explicit = opts.accessKeyId !== undefined || opts.secretStdin === true;
  if (chain && !explicit && !opts.force) {
    return { provider, stored: false, deferredTo: chain, message: `the AWS SDK already finds credentials here (${chain}): faasbench uses them, as any AWS tool does, and stores nothing. To keep keys of its own anyway (used where that chain is not configured, or with -o profile=faasbench): login aws --force` };
  }
  const accessKeyId = opts.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID ?? (await prompt('AWS access key id: ', false, 'login aws: give --access-key-id <id> (stdin is not a terminal to ask on)'));
  const { secretAccessKey, sessionToken } = await awsSecret(opts);
  const entry: AwsEntry = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), ...(opts.region ? { region: opts.region } : {}) };
  writeCredentials({ ...readCredentials(file), 'aws-lambda': entry }, file);
  const shown = masked(accessKeyId);
  const used = chain ? `used with -o profile=faasbench (the SDK's chain, ${chain}, comes first otherwise)` : 'used when the AWS SDK finds no credentials of its own, or with -o profile=faasbench';
  return {
    provider,
    stored: true,
    file,
    accessKeyId: shown,
    ...(opts.region ? { region: opts.region } : {}),
    message: `stored AWS access key ${shown}${sessionToken ? ' with a session token' : ''} in ${file} (mode 0600; the secret is not shown), ${used}; check them with \`faasbench check-credentials aws\``,
  };
}

async function awsSecret(opts: LoginOptions): Promise<{ secretAccessKey: string; sessionToken?: string }> {
  if (opts.secretStdin) {
    const { first, rest } = await firstStdinLine('secret access key', '--secret-stdin');
    return { secretAccessKey: first, ...(rest[0] ? { sessionToken: rest[0] } : {}) };
  }
  const fromEnv = process.env.AWS_SECRET_ACCESS_KEY;
  if (fromEnv) return { secretAccessKey: fromEnv, ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}) };
  return { secretAccessKey: await prompt('AWS secret access key: ', true, 'login aws: give the secret on stdin with --secret-stdin, or in $AWS_SECRET_ACCESS_KEY (stdin is not a terminal to ask on)') };
}

async function loginOpenFaas(opts: LoginOptions): Promise<Said> {
  const provider = 'openfaas';
  const file = credentialsPath();
  const url = opts.url ?? process.env.OPENFAAS_URL;
  if (!url) throw new FaasbenchError('InvalidParameterValue', 'login openfaas: give the gateway with --url <http://host:port> (or $OPENFAAS_URL)', { reason: 'usage' });
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new FaasbenchError('InvalidParameterValue', `login openfaas: --url: expected an http:// or https:// URL, got "${url}"`);
  const password = opts.passwordStdin
    ? (await firstStdinLine('password', '--password-stdin')).first
    : (process.env.OPENFAAS_PASSWORD ?? (await prompt(`password for ${opts.user ?? 'admin'} at ${url}: `, true, 'login openfaas: give the password on stdin with --password-stdin, or in $OPENFAAS_PASSWORD (stdin is not a terminal to ask on)')));
  const user = opts.user ?? 'admin';
  const current = readCredentials(file);
  const gateway = gatewayKey(url);
  writeCredentials({ ...current, openfaas: { ...current.openfaas, [gateway]: { user, password } } }, file);
  return { provider, stored: true, file, gateway, user, message: `stored the login of ${user} at ${gateway} in ${file} (mode 0600; the password is not shown); check it with \`faasbench check-credentials openfaas --url ${gateway}\`` };
}

function logout(provider: string | undefined, url: string | undefined): Said {
  const file = credentialsPath();
  const current = readCredentials(file);
  if (provider !== undefined && Object.hasOwn(DEFERRED, provider)) return { provider, stored: false, removed: [], message: DEFERRED[provider] ?? '' };
  const removed: string[] = [];
  const next = { ...current };
  if ((provider === undefined || provider === 'aws-lambda') && next['aws-lambda']) {
    delete next['aws-lambda'];
    removed.push('aws-lambda');
  }
  if (provider === undefined || provider === 'openfaas') {
    const gateways = Object.keys(next.openfaas ?? {}).filter((g) => url === undefined || g === gatewayKey(url));
    const left = Object.fromEntries(Object.entries(next.openfaas ?? {}).filter(([g]) => !gateways.includes(g)));
    next.openfaas = left;
    removed.push(...gateways.map((g) => `openfaas ${g}`));
  }
  if (removed.length) saveOrRemove(next, file);
  const what = provider ?? 'any provider';
  return { provider: provider ?? 'all', stored: false, removed, message: removed.length ? `removed the stored credentials of ${removed.join(', ')} from ${file}` : `nothing stored for ${what}${url ? ` at ${url}` : ''} in ${file}` };
}

async function checks(provider: string | undefined, opts: { endpoint?: string; region?: string; profile?: string; url?: string }): Promise<CheckOutcome[]> {
  if (provider !== undefined && Object.hasOwn(DEFERRED, provider)) return [{ provider, status: 'deferred', message: DEFERRED[provider] ?? '' }];
  const stored = readCredentials();
  const out: CheckOutcome[] = [];
  // Without a provider: AWS when anything supplies keys, and every stored gateway.
  if (provider === 'aws-lambda' || (provider === undefined && (stored['aws-lambda'] || sdkChainSource() || opts.endpoint))) out.push(await checkAws(opts));
  if (provider === 'openfaas' || provider === undefined) {
    const gateways = opts.url ? [opts.url] : Object.keys(stored.openfaas ?? {});
    if (provider === 'openfaas' && gateways.length === 0) out.push({ provider, status: 'missing', message: 'no openfaas login stored: `faasbench login openfaas --url <gateway> --password-stdin` stores one' });
    for (const url of gateways) out.push(await checkOpenFaas({ url }));
  }
  if (out.length === 0) out.push({ provider: 'any', status: 'missing', message: `no credentials stored in ${credentialsPath()} and no AWS SDK credentials configured: \`faasbench login <provider>\` stores some` });
  return out;
}

function checkLine(o: CheckOutcome): string {
  const from = o.source ? ` (credentials: ${o.source})` : '';
  if (o.status === 'deferred') return o.message;
  return o.status === 'ok' ? `${o.provider}: ${o.message}${from}` : `faasbench: ${o.provider}: ${o.status === 'missing' ? 'credentials missing' : o.status === 'rejected' ? 'credentials rejected' : 'check failed'}: ${o.message}${from}`;
}

/** Rejected credentials outrank missing ones, which outrank a service that could not be asked. */
function exitOf(outcomes: readonly CheckOutcome[]): number {
  const has = (s: CheckOutcome['status']): boolean => outcomes.some((o) => o.status === s);
  if (has('rejected')) return EXIT.credentialsRejected;
  if (has('missing')) return EXIT.credentialsMissing;
  if (has('failed')) return EXIT.failed;
  return EXIT.ok;
}
