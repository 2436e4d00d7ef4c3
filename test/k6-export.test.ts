// `faasbench invoke ... --export k6 script.js` as a user runs it: the CLI in its own process writes
// the script and workload_options.json; the script is then loaded by Node as the ES module it is,
// with k6's modules stood in for by recorders, and the requests its default function makes are
// sent to a real local platform, which must answer them as it answers faasbench.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { K6_JSLIB_AWS } from '../src/workload/k6-script.ts';
import { planPattern, splitPatternArgs } from '../src/workload/registry.ts';
import { runCli } from './support/cli-process.ts';
import { k6Iterations, type K6Scenario } from './support/k6-semantics.ts';
import { nodeFunction, scratchDir, startPlatform } from './support/platform.ts';

const TOKEN = 'k6-export-canary-token';
const TOKEN_NOTE = 'the platform token is read from $FAASBENCH_TOKEN when k6 runs';
let platform: LocalPlatform;
let dir: string;

/** What the script does when loaded and its default function run: its options and each http.request. */
interface ScriptRun {
  readonly options: unknown;
  readonly requests: Array<{ method: string; url: string; body: string | null; params: { headers: Record<string, string>; timeout: string } }>;
  readonly sleeps: number[];
  /** SigV4 signers made and requests signed (aws-lambda on AWS). */
  readonly signers: unknown[];
  readonly signed: unknown[];
}

/** k6's modules as recorders, resolved by a loader hook, so the script runs unchanged under Node. */
function writeHarness(): string {
  const stubs = {
    'k6/http': 'export default { request(method, url, body, params) { globalThis.__requests.push({ method, url, body, params }); return { status: 200 }; } };',
    k6: 'export function sleep(s) { globalThis.__sleeps.push(s); }',
    'k6/encoding': "export default { b64encode: (s) => Buffer.from(s).toString('base64') };",
    [K6_JSLIB_AWS]: [
      'export class Endpoint { constructor(url) { this.url = url; } }',
      'export class SignatureV4 {',
      '  constructor(options) { globalThis.__signers.push(options); }',
      "  sign(request) { globalThis.__signed.push({ ...request, endpoint: request.endpoint.url }); return { url: request.endpoint.url + request.path, headers: { ...request.headers, authorization: 'AWS4-HMAC-SHA256 stub' } }; }",
      '}',
    ].join('\n'),
  };
  const urls: Record<string, string> = {};
  for (const [name, source] of Object.entries(stubs)) {
    const file = path.join(dir, `stub-${name.replace(/\W+/g, '-')}.mjs`);
    writeFileSync(file, `${source}\n`);
    urls[name] = pathToFileURL(file).href;
  }
  writeFileSync(path.join(dir, 'hooks.mjs'), `const stubs = ${JSON.stringify(urls)};\nexport async function resolve(specifier, context, next) {\n  return specifier in stubs ? { url: stubs[specifier], shortCircuit: true } : next(specifier, context);\n}\n`);
  const runner = path.join(dir, 'run-script.mjs');
  writeFileSync(
    runner,
    [
      "import { register } from 'node:module';",
      "import { pathToFileURL } from 'node:url';",
      "register('./hooks.mjs', import.meta.url);",
      'globalThis.__ENV = JSON.parse(process.env.K6_ENV);',
      'globalThis.__requests = [];',
      'globalThis.__sleeps = [];',
      'globalThis.__signers = [];',
      'globalThis.__signed = [];',
      'const script = await import(pathToFileURL(process.argv[2]).href);',
      'for (let i = 0; i < Number(process.argv[3]); i++) script.default();',
      'console.log(JSON.stringify({ options: script.options, requests: globalThis.__requests, sleeps: globalThis.__sleeps, signers: globalThis.__signers, signed: globalThis.__signed }));',
    ].join('\n'),
  );
  return runner;
}

let runner: string;
const exec = promisify(execFile);

/** Loads `script` (as an .mjs copy: a .js file beside no package.json is CommonJS to Node) and runs its default function `iterations` times. */
async function runScript(script: string, iterations: number, env: Record<string, string> = {}): Promise<ScriptRun> {
  const copy = `${script}.mjs`;
  copyFileSync(script, copy);
  const { stdout } = await exec(process.execPath, [runner, copy, String(iterations)], { env: { ...process.env, K6_ENV: JSON.stringify(env) } });
  return JSON.parse(stdout) as ScriptRun;
}

beforeAll(async () => {
  dir = scratchDir('k6-export');
  runner = writeHarness();
  platform = await startPlatform({ token: TOKEN });
  platform.deployFolder(nodeFunction('k6-echo', 'return { got: event };', { cpuModel: 'none' }));
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});

/** `faasbench invoke k6-echo <pattern...> --export k6 <file>` against the test's platform, in `dir` with no store configured. */
function exportCli(pattern: string[], file: string, ...extra: string[]) {
  return runCli(['invoke', 'k6-echo', ...pattern, '--provider', 'local', '-o', `url=${platform.url}`, '-o', `token=${TOKEN}`, '--payload', '{"n":7}', ...extra, '--export', 'k6', file], {
    cwd: dir,
    env: { FAASBENCH_STORE: '' },
  });
}

describe('faasbench invoke --export k6', () => {
  it('writes a script and workload_options.json that reproduce the plan, and invokes nothing', async () => {
    const words = ['bursty', '--rate', '2', '--duration', '1m'];
    const file = path.join(dir, 'bursty.js');
    const result = await exportCli(words, file, '--json');
    expect(result.stderr).toBe(`faasbench: note: ${TOKEN_NOTE}\n`);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { calls: number; planned: number; workloadOptions: string; options: unknown };
    expect(out.workloadOptions).toBe(path.join(dir, 'workload_options.json'));

    // The plan the same arguments build, and what k6 starts by its documented semantics: exactly equal.
    const { name, options } = splitPatternArgs(words);
    const plan = planPattern(name, options, { fn: 'k6-echo', payload: { event: null } });
    expect(plan.count).toBe(120);
    const workloadOptions = JSON.parse(readFileSync(out.workloadOptions, 'utf8')) as { scenarios: Record<string, K6Scenario> };
    expect(k6Iterations(workloadOptions.scenarios.bursty!)).toBe(120);
    expect([out.calls, out.planned]).toEqual([120, 120]);

    // The script's own options are the file's, and its calls reach the function as faasbench's do.
    const run = await runScript(file, 3, { FAASBENCH_TOKEN: TOKEN });
    expect(run.options).toEqual(workloadOptions);
    expect(out.options).toEqual(workloadOptions);
    expect(run.requests).toHaveLength(3);
    const [first] = run.requests;
    expect(first).toEqual({
      method: 'POST',
      url: `${platform.url}/2015-03-31/functions/k6-echo/invocations`,
      body: '{"n":7}',
      params: { headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, timeout: '16m' },
    });
    const reply = await request(first!.url, { method: 'POST', headers: first!.params.headers, body: first!.body });
    expect([reply.statusCode, await reply.body.json()]).toEqual([200, { got: { n: 7 } }]);

    // Exporting ran nothing: no store was opened, and the one call the function served is the test's own.
    expect(existsSync(path.join(dir, 'faasbench.db'))).toBe(false);
    const metrics = await (await request(`${platform.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).body.text();
    expect(metrics.split('\n').filter((line) => line.startsWith('faasbench_invocations_total{function="k6-echo"'))).toEqual(['faasbench_invocations_total{function="k6-echo",outcome="success",start="cold"} 1']);
  }, 120_000);

  it('keeps the token out of the script: it is read from $FAASBENCH_TOKEN, and missing, the script stops before any call', async () => {
    const file = path.join(dir, 'token.js');
    expect((await exportCli(['constant', '--rate', '5', '--duration', '2s'], file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    expect(readFileSync(path.join(dir, 'workload_options.json'), 'utf8')).not.toContain(TOKEN);
    const failed = await runScript(file, 1).then(
      () => null,
      (err: { stderr: string }) => err.stderr,
    );
    expect(failed).toContain('set FAASBENCH_TOKEN: the script sends it as the authorization header');
  }, 60_000);

  it('Poisson arrivals: exported as the rate curve with even arrivals, said on stderr and in the script', async () => {
    const file = path.join(dir, 'poisson.js');
    const result = await exportCli(['ramp', '--from', '0', '--to', '10', '--duration', '20s', '--arrivals', 'poisson'], file);
    expect(result.code).toBe(0);
    const warning = "ramp --arrivals poisson cannot be expressed in k6, whose arrival-rate executors space calls evenly: the script follows the plan's rate curve with even arrivals";
    expect(result.stderr).toBe(`faasbench: warning: ${warning}\nfaasbench: note: ${TOKEN_NOTE}\n`);
    expect(result.stdout).toBe(`wrote ${file} and ${path.join(dir, 'workload_options.json')}: k6 starts 100 calls (the plan: 100); nothing was invoked. Run it with: k6 run ${file}\n`);
    expect(readFileSync(file, 'utf8')).toContain(`// Warning: ${warning}.`);
  }, 60_000);

  it('sequential N: one VU, N iterations, the gap slept after each call', async () => {
    const file = path.join(dir, 'sequential.js');
    expect((await exportCli(['sequential', '4', '--gap', '250ms'], file)).code).toBe(0);
    const run = await runScript(file, 2, { FAASBENCH_TOKEN: TOKEN });
    expect(run.options).toEqual({ scenarios: { sequential: { executor: 'per-vu-iterations', vus: 1, iterations: 4, maxDuration: '1h4m1s', gracefulStop: '16m' } } });
    expect(run.requests).toHaveLength(2);
    expect(run.sleeps).toEqual([0.25, 0.25]);
  }, 60_000);

  it('aws-lambda on AWS: each call is signed with SigV4 by k6\'s jslib aws, the credentials from the environment', async () => {
    const file = path.join(dir, 'lambda.js');
    const result = await runCli(['invoke', 'k6-echo', 'constant', '--rate', '2', '--duration', '5s', '--provider', 'aws-lambda', '-o', 'region=eu-west-1', '--payload', '{"n":7}', '--export', 'k6', file], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("faasbench: note: calls are signed with SigV4 by k6's jslib aws");
    const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'k6-export-canary-secret', AWS_SESSION_TOKEN: 'session' };
    const run = await runScript(file, 2, env);
    expect(run.options).toEqual({ scenarios: { constant: { executor: 'constant-arrival-rate', rate: 2, timeUnit: '1s', duration: '5s', preAllocatedVUs: 2, maxVUs: 1000, gracefulStop: '16m' } } });
    expect(run.signers).toEqual([
      { service: 'lambda', region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'k6-export-canary-secret', sessionToken: 'session' }, uriEscapePath: true, applyChecksum: false },
    ]);
    const signed = { method: 'POST', endpoint: 'https://lambda.eu-west-1.amazonaws.com', path: '/2015-03-31/functions/k6-echo/invocations', headers: { 'content-type': 'application/json' }, body: '{"n":7}' };
    expect(run.signed).toEqual([signed, signed]);
    expect(run.requests[0]).toEqual({
      method: 'POST',
      url: 'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/k6-echo/invocations',
      body: '{"n":7}',
      params: { headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 stub' }, timeout: '16m' },
    });
    const missing = await runScript(file, 1, {}).then(
      () => null,
      (err: { stderr: string }) => err.stderr,
    );
    expect(missing).toContain('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }, 60_000);

  it('refuses a provider without a plain HTTP endpoint (exit 3) and a malformed --export (exit 2), writing nothing', async () => {
    const file = path.join(dir, 'refused.js');
    const grpc = await runCli(['invoke', 'k6-echo', 'constant', '--rate', '1', '--duration', '1s', '--provider', 'grpc', '--export', 'k6', file], { cwd: dir });
    expect(grpc.code).toBe(3);
    expect(grpc.stderr).toMatch(/^faasbench: provider grpc has no plain HTTP endpoint to export to k6 \(it calls a gRPC method\)/);
    const format = await runCli(['invoke', 'k6-echo', '--export', 'jmeter', file], { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toBe('faasbench: --export: expected a format and a file, e.g. --export k6 script.js (k6 is the one format; put --export after the load pattern), got "jmeter ' + file + '"\n');
    const swallowed = await runCli(['invoke', 'k6-echo', '--export', 'k6', file, 'constant', '--rate', '1'], { cwd: dir });
    expect(swallowed.code).toBe(2);
    expect(existsSync(file)).toBe(false);
  }, 60_000);
});
