// Credentials as a user meets them: `faasbench login aws` with a canary secret on stdin, then every
// command that could leak it (deploy, invoke, experiment, report, export, runs --json, serve)
// through the aws-lambda provider with those stored keys against a local platform run as its own
// process, whose --token is the stored access key id, so a call succeeds only when signed with the
// stored keys. Then every output is searched for the canary: it must be in none of them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { BIN, runCli, spawnCli, type CliResult } from './support/cli-process.ts';
import { REPO, scratchDir, startPlatform } from './support/platform.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

const CANARY = `CANARY${randomBytes(12).toString('hex')}`;
const KEY_ID = 'AKIAFAASBENCHCANARY1';

/** A user of its own: no AWS configuration of the machine's, the credentials file under this home. */
function userEnv(): { HOME: string; XDG_CONFIG_HOME: string; XDG_CACHE_HOME: string } & Record<string, string> {
  const home = scratchDir('cred-home');
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    // Empty: the SDK's chain and faasbench both take an empty variable as unset.
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** The CLI with `input` on its stdin (what `--secret-stdin` reads). */
async function runWithStdin(args: readonly string[], input: string, env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Every file under `dir`, with its bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .map((file) => ({ file, bytes: readFileSync(file) }));
}

/** A `serve` or `platform start` child until its first stdout line; returns the URL in it. */
async function firstUrl(child: ChildProcess, pattern: RegExp): Promise<string> {
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no first line within 60 s')), 60_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const url = pattern.exec(line)?.[1];
  if (!url) throw new Error(`no address in "${line}"`);
  return url;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

describe('faasbench login, check-credentials, logout', () => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    platform = await startPlatform();
  });
  afterAll(async () => {
    await platform.stop();
  });

  it('stores the keys in a 0600 file in a 0700 folder, says who they are, and forgets them on logout', async () => {
    const env = userEnv();
    const login = await runWithStdin(['login', 'aws', '--access-key-id', KEY_ID, '--secret-stdin', '--region', 'eu-west-1', '--json'], `${CANARY}\n`, env);
    expect(login.code).toBe(0);
    const file = path.join(env.XDG_CONFIG_HOME, 'faasbench', 'credentials.json');
    expect(JSON.parse(login.stdout)).toMatchObject({ provider: 'aws-lambda', stored: true, file, accessKeyId: 'AKIA…ARY1', region: 'eu-west-1' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, 'aws-lambda': { accessKeyId: KEY_ID, secretAccessKey: CANARY, region: 'eu-west-1' } });

    const check = await runCli(['check-credentials', 'aws', '--endpoint', platform.url, '--json'], { env });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual([
      {
        provider: 'aws-lambda',
        status: 'ok',
        source: `stored by \`faasbench login aws\` (${file})`,
        identity: { arn: `arn:aws:iam::000000000000:user/${KEY_ID}`, account: '000000000000', userId: KEY_ID },
        message: `you are arn:aws:iam::000000000000:user/${KEY_ID} (account 000000000000, user id ${KEY_ID})`,
      },
    ]);
    for (const out of [login.stdout, login.stderr, check.stdout, check.stderr]) expect(out).not.toContain(CANARY);

    const logout = await runCli(['logout', 'aws'], { env });
    expect([logout.code, logout.stdout]).toEqual([0, `removed the stored credentials of aws-lambda from ${file}\n`]);
    expect(statSync(file, { throwIfNoEntry: false })).toBeUndefined();
    const missing = await runCli(['check-credentials', 'aws', '--endpoint', platform.url], { env });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('faasbench: aws-lambda: credentials missing: no AWS credentials');
  }, 2 * CLI_TEST_TIMEOUT_MS);

  it('defers to the SDK\'s own chain when one is configured, and stores nothing', async () => {
    const env = { ...userEnv(), AWS_PROFILE: 'work' };
    const login = await runCli(['login', 'aws', '--json'], { env });
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ provider: 'aws-lambda', stored: false, deferredTo: 'profile "work" (AWS_PROFILE)' });
    expect(statSync(path.join(env.XDG_CONFIG_HOME, 'faasbench', 'credentials.json'), { throwIfNoEntry: false })).toBeUndefined();
  }, CLI_TEST_TIMEOUT_MS);

  it('exits 77 when the service refuses the keys, and checks an OpenFaaS gateway login with one authenticated read', async () => {
    const guarded = await startPlatform({ token: 'the-platform-token' });
    try {
      const env = userEnv();
      expect((await runWithStdin(['login', 'aws', '--access-key-id', 'AKIANOTTHETOKEN', '--secret-stdin'], `${CANARY}\n`, env)).code).toBe(0);
      const refused = await runCli(['check-credentials', 'aws', '--endpoint', guarded.url], { env });
      expect(refused.code).toBe(77);
      expect(refused.stderr).toContain('faasbench: aws-lambda: credentials rejected: STS refused the credentials (HTTP 403)');

      const wrong = await runWithStdin(['login', 'openfaas', '--url', `${guarded.url}/`, '--password-stdin'], 'not-the-token\n', env);
      expect(wrong.code).toBe(0);
      const rejected = await runCli(['check-credentials', 'openfaas'], { env });
      expect([rejected.code, rejected.stderr.split('\n')[0]]).toEqual([77, `faasbench: openfaas: credentials rejected: gateway ${guarded.url} refused user admin: HTTP 401 (credentials: stored by \`faasbench login openfaas\` (${path.join(env.XDG_CONFIG_HOME, 'faasbench', 'credentials.json')}))`]);

      expect((await runWithStdin(['login', 'openfaas', '--url', guarded.url, '--password-stdin'], 'the-platform-token\n', env)).code).toBe(0);
      const ok = await runCli(['check-credentials', 'openfaas', '--json'], { env });
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject([{ provider: 'openfaas', status: 'ok', identity: { gateway: guarded.url, user: 'admin', functions: 0 } }]);
      for (const out of [refused.stderr, rejected.stderr, ok.stdout, ok.stderr]) expect(out).not.toContain('the-platform-token');

      const all = await runCli(['logout', '--json'], { env });
      expect(JSON.parse(all.stdout)).toMatchObject({ provider: 'all', removed: ['aws-lambda', `openfaas ${guarded.url}`] });
    } finally {
      await guarded.stop();
    }
  }, 3 * CLI_TEST_TIMEOUT_MS);

  it('refuses a provider with nothing to log in to, naming why', async () => {
    const local = await runCli(['login', 'local'], { env: userEnv() });
    expect([local.code, local.stderr]).toEqual([3, 'faasbench: local needs no login: the local platform takes any credentials on loopback; a platform started with --token is given it with -o token=...\n']);
    const knative = await runCli(['login', 'knative'], { env: userEnv() });
    expect(knative.code).toBe(0);
    expect(knative.stdout).toMatch(/^knative uses your kubeconfig/);
  }, CLI_TEST_TIMEOUT_MS);
});

describe('the canary secret', () => {
  const env = userEnv();
  const work = scratchDir('canary');
  const store = path.join(work, 'faasbench.db');
  const reportDir = path.join(work, 'report');
  const platformData = path.join(work, 'platform');
  let platformProcess: ReturnType<typeof spawnCli>;
  let url: string;

  beforeAll(async () => {
    const login = await runWithStdin(['login', 'aws', '--access-key-id', KEY_ID, '--secret-stdin'], `${CANARY}\n`, env);
    expect(login.code).toBe(0);
    // The access key id is the platform's token: only calls signed with the stored keys get in.
    platformProcess = spawnCli(['platform', 'start', '--port', '0', '--json', '--token', KEY_ID, '--data-dir', platformData], { env });
    url = await firstUrl(platformProcess.child, /"url":"(http:\/\/[^"]+)"/);
  }, CLI_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await stop(platformProcess.child);
  });

  it('appears in no output, record, report, dashboard page or platform log of runs made with the stored keys', async () => {
    const aws = ['--provider', 'aws-lambda', '-o', `endpoint=${url}`, '-o', 'profile=faasbench'];
    const outputs: { what: string; text: string }[] = [];
    const keep = (what: string, r: CliResult): CliResult => {
      outputs.push({ what: `${what} stdout`, text: r.stdout }, { what: `${what} stderr`, text: r.stderr });
      return r;
    };

    // The commands two at a time (two cores), neither of a pair needing the other's output: the
    // invoke and the experiment deploy functions of their own and each write a run of their own to
    // the store, which takes two writers; then the report (the slowest, charts) beside export and
    // runs, which only read.
    const cli = (what: string, args: string[], cwd?: string): Promise<CliResult> => runCli(args, { env, ...(cwd ? { cwd } : {}) }).then((r) => keep(what, r));
    const [check, deploy] = await Promise.all([cli('check-credentials', ['check-credentials', '--endpoint', url, '--json']), cli('deploy', ['deploy', 'hello', ...aws, '--json'], work)]);
    expect([check.code, deploy.code]).toEqual([0, 0]);
    // After the deployment, not beside it: invoke deploys hello again before its calls.
    const [invoke, experiment] = await Promise.all([
      cli('invoke', ['invoke', 'hello', ...aws, '--times', '2', '--store', store, '--json'], work),
      cli('experiment', ['experiment', 'run', 'invocation-overhead', '-p', 'sizes=["1KB"]', '-p', 'calls=2', ...aws, '--store', store], work),
    ]);
    expect(invoke.code, invoke.stderr + invoke.stdout.slice(0, 3000)).toBe(0);
    expect(experiment.code, experiment.stderr).toBe(0);
    const runId = (JSON.parse(invoke.stdout) as { runId: string }).runId;
    const [report, [exported, runs]] = await Promise.all([
      cli('report', ['report', runId, '--store', store, '--out', reportDir], work),
      (async () => [await cli('export', ['export', runId, '--store', store, '--format', 'jsonl'], work), await cli('runs', ['runs', '--store', store, '--json'], work)])(),
    ]);
    expect([report.code, exported.code, runs.code]).toEqual([0, 0, 0]);
    const runIds = (JSON.parse(runs.stdout) as { id: string }[]).map((r) => r.id);
    expect(runIds).toHaveLength(2);

    const serve = spawnCli(['serve', '--port', '0', '--store', store], { env, cwd: work });
    try {
      const dashboard = (await firstUrl(serve.child, /on (http:\/\/\S+?)\/? /)).replace(/\/$/, '');
      for (const page of ['/', '/api/runs', ...runIds.flatMap((id) => [`/runs/${id}`, `/api/runs/${id}`, `/api/runs/${id}/charts`])]) {
        const res = await fetch(`${dashboard}${page}`);
        expect(res.status, page).toBe(200);
        outputs.push({ what: `dashboard ${page}`, text: await res.text() });
      }
    } finally {
      await stop(serve.child);
      outputs.push({ what: 'serve stdout', text: serve.stdout() }, { what: 'serve stderr', text: serve.stderr() });
    }
    outputs.push({ what: 'platform stdout', text: platformProcess.stdout() }, { what: 'platform stderr', text: platformProcess.stderr() });

    const files = [...filesUnder(work), ...filesUnder(platformData)];
    // What was searched, so an empty search cannot pass: the store with its WAL, the report's pages.
    expect(files.map((f) => path.relative(work, f.file))).toEqual(expect.arrayContaining(['faasbench.db', path.join('report', 'index.html')]));
    const leaks = [...outputs.filter((o) => o.text.includes(CANARY)).map((o) => o.what), ...files.filter((f) => f.bytes.includes(CANARY)).map((f) => f.file)];
    expect(leaks).toEqual([]);
    // The search itself finds the canary where it is meant to be.
    expect(readFileSync(path.join(env.XDG_CONFIG_HOME, 'faasbench', 'credentials.json'), 'utf8')).toContain(CANARY);
    expect(statSync(path.join(env.XDG_CONFIG_HOME, 'faasbench', 'credentials.json')).mode & 0o777).toBe(0o600);
  }, 6 * CLI_TEST_TIMEOUT_MS);
});
