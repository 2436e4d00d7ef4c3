/**
 * Lambda fidelity (issue 13), side by side in one run on the local platform:
 *
 * 1. cold starts of faasbench's nodejs runtime and of AWS's own runtime interface client
 *    (`aws-lambda-ric`, as a `provided` runtime whose bootstrap execs it, as AWS's custom-image docs
 *    run it), the same handler in both, every call cold (keepAliveS 0), against the spawn floor
 *    (`node -e 0`, spawn to exit);
 * 2. provisioned vs on-demand first calls: in every round, besides that cold on-demand call, a first
 *    call to a published version with one provisioned instance, READY before the call (and a second
 *    call to it, the warm reference).
 *
 *   node bin/run-ts.mjs bench/lambda-fidelity.bench.ts [--json] [--n N]
 *
 * Every reply is checked: the handler answers `{ ok: true, init }` with AWS_LAMBDA_INITIALIZATION_TYPE,
 * which must be `on-demand` on the cold calls and `provisioned-concurrency` on the provisioned ones.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Pool } from 'undici';
import { EXIT, describeMachine, interruptSignal, machineLine, positiveFlag, printJson, printReport, progress, type Machine } from './bench-cli.ts';
import { benchDataDir, ONE_VCPU_MB, REPO } from './bench-functions.ts';
import { benchPool, header, send, type Reply, type Target } from './http-load.ts';
import { fixed, markdownTable } from './markdown-table.ts';
import { waitForNoInstances } from './platform-instances.ts';
import { elapsedUs, summarize, type Summary } from './samples.ts';
import { startPlatformServer, stopAll, type ServerProcess } from './server-processes.ts';

/** How long to wait for the previous instance to be gone, so two never overlap on 2 cores. */
const SETTLE_TIMEOUT_MS = 5000;
/** Provisioning is polled this often: the resolution of the PUT-to-READY time. */
const READY_POLL_MS = 5;
const READY_TIMEOUT_MS = 30_000;
/** Quiet before each timed call: the launcher an instance start used is refilled only while the platform is idle. */
const QUIET_MS = 100;

const RIC_PACKAGE = path.join(REPO, 'test/security/ric/node_modules/aws-lambda-ric');
const RIC_ENTRY = path.join(RIC_PACKAGE, 'bin/index.mjs');
const RIC_ADDON = path.join(RIC_PACKAGE, 'dist/rapid-client.node');

/** The same handler in both runtimes: a no-op that says how its instance was started. */
const HANDLER = 'export const handler = async () => ({ ok: true, init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE ?? null });\n';

interface Floor {
  readonly label: string;
  readonly ms: Summary;
}

interface Settings {
  readonly json: boolean;
  readonly n: number;
}

interface Subject {
  readonly label: string;
  readonly fn: string;
  readonly dir: string;
}

interface SubjectResult {
  readonly label: string;
  readonly fn: string;
  /** The version provisioned in every round. */
  readonly version: string;
  /** On-demand first calls, every one cold: request to response. */
  readonly coldMs: Summary;
  /** The platform's Init Duration of those (spawn to the runtime's first /next) and Duration. */
  readonly coldInitMs: Summary;
  readonly coldDurationMs: Summary;
  /** First calls to the provisioned version, READY before the call. */
  readonly provisionedMs: Summary;
  readonly provisionedDurationMs: Summary;
  /** PutProvisionedConcurrencyConfig sent to GetProvisionedConcurrencyConfig READY, polled every READY_POLL_MS. */
  readonly readyMs: Summary;
  /** The second call to the provisioned instance. */
  readonly warmMs: Summary;
  readonly warmDurationMs: Summary;
  readonly errors: number;
  readonly firstError?: string;
}

function parseSettings(): Settings {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, n: { type: 'string' } } });
  return { json: values.json, n: Math.round(positiveFlag(values.n, 'n', 10)) };
}

// ---- functions ----

function writeFunction(name: string, manifest: Record<string, unknown>, files: Record<string, string>): string {
  const dir = path.join(REPO, '.faasbench', 'bench-fns', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'function.json'), `${JSON.stringify({ name, handler: 'index.handler', memoryMb: ONE_VCPU_MB, ...manifest }, null, 2)}\n`);
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

/** Why the ric cannot run here, or undefined when it can. */
function ricMissing(): string | undefined {
  const missing = [RIC_ENTRY, RIC_ADDON].find((file) => !existsSync(file));
  return missing && `aws-lambda-ric is not built (${path.relative(REPO, missing)} is missing): run \`npm ci\` in test/security/ric`;
}

function ricVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(RIC_PACKAGE, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '?';
}

function subjects(): { subjects: Subject[]; skipped?: string } {
  const node: Subject = { label: 'faasbench nodejs runtime', fn: 'fidelity-node', dir: writeFunction('fidelity-node', { runtime: 'nodejs' }, { 'index.mjs': HANDLER }) };
  const why = ricMissing();
  if (why) return { subjects: [node], skipped: why };
  // Through the CI cache's symlink to where the files are, which is what the instance must reach.
  const entry = realpathSync(RIC_ENTRY);
  const bootstrap = `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(entry)} "$_HANDLER"\n`;
  const dir = writeFunction('fidelity-ric', { runtime: 'provided' }, { bootstrap, 'index.mjs': HANDLER });
  chmodSync(path.join(dir, 'bootstrap'), 0o755);
  return { subjects: [node, { label: `aws-lambda-ric ${ricVersion()} (provided)`, fn: 'fidelity-ric', dir }] };
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

// ---- the spawn floor ----

/** The floor, and the same behind `sh` as the ric's bootstrap runs it: what the shell adds to that row. */
const FLOORS = [
  { label: 'node -e 0', file: process.execPath, args: ['-e', '0'] },
  { label: "(diagnostic) sh -c 'exec node -e 0'", file: '/bin/sh', args: ['-c', `exec ${shellQuote(process.execPath)} -e 0`] },
] as const;

/** Spawn to exit, in ms, with an environment as bare as an instance's. */
function timeSpawn(cmd: (typeof FLOORS)[number]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd.file, cmd.args, { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const ms = elapsedUs(start) / 1000;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd.label} exited with ${signal ?? `code ${code}`}`));
    });
  });
}

// ---- the Lambda API, beyond invoke ----

async function lambda(pool: Pool, method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body: unknown, signal: AbortSignal): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await pool.request({ method, path: route, headers: { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body), signal });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function publishVersion(pool: Pool, fn: string, signal: AbortSignal): Promise<string> {
  const r = await lambda(pool, 'POST', `/2015-03-31/functions/${fn}/versions`, {}, signal);
  if (r.status !== 201 || typeof r.json.Version !== 'string') throw new Error(`PublishVersion ${fn}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.Version;
}

const provisionedRoute = (fn: string, version: string): string => `/2019-09-30/functions/${fn}/provisioned-concurrency?Qualifier=${version}`;

/** One instance provisioned for `version`; resolves with PUT-to-READY in ms. */
async function provision(pool: Pool, fn: string, version: string, signal: AbortSignal): Promise<number> {
  const start = process.hrtime.bigint();
  const put = await lambda(pool, 'PUT', provisionedRoute(fn, version), { ProvisionedConcurrentExecutions: 1 }, signal);
  if (put.status !== 202) throw new Error(`PutProvisionedConcurrencyConfig ${fn}:${version}: HTTP ${put.status} ${JSON.stringify(put.json)}`);
  for (;;) {
    const got = await lambda(pool, 'GET', provisionedRoute(fn, version), undefined, signal);
    if (got.json.Status === 'READY') return elapsedUs(start) / 1000;
    if (got.status !== 200 || got.json.Status === 'FAILED') throw new Error(`GetProvisionedConcurrencyConfig ${fn}:${version}: HTTP ${got.status} ${JSON.stringify(got.json)}`);
    if (elapsedUs(start) / 1000 > READY_TIMEOUT_MS) throw new Error(`${fn}:${version}: provisioned concurrency not READY after ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(READY_POLL_MS, undefined, { signal });
  }
}

async function unprovision(pool: Pool, fn: string, version: string, signal: AbortSignal): Promise<void> {
  const r = await lambda(pool, 'DELETE', provisionedRoute(fn, version), undefined, signal);
  if (r.status !== 204) throw new Error(`DeleteProvisionedConcurrencyConfig ${fn}:${version}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
}

// ---- one subject's calls ----

/** Why a reply is not the answer expected of it; undefined when it is. */
function problem(reply: Reply, expect: { cold: boolean; init: string; version: string }): string | undefined {
  let body: { ok?: unknown; init?: unknown } = {};
  try {
    body = JSON.parse(reply.body) as typeof body;
  } catch {
    // not JSON: reported below as a wrong answer
  }
  if (reply.status !== 200 || body.ok !== true) return `status ${reply.status}: ${reply.body.slice(0, 200)}`;
  if (header(reply, 'x-faasbench-cold') !== String(expect.cold)) return `x-faasbench-cold ${header(reply, 'x-faasbench-cold')} where ${expect.cold} was expected`;
  if (body.init !== expect.init) return `AWS_LAMBDA_INITIALIZATION_TYPE ${String(body.init)} where ${expect.init} was expected`;
  if (header(reply, 'x-amz-executed-version') !== expect.version) return `X-Amz-Executed-Version ${header(reply, 'x-amz-executed-version')} where ${expect.version} was expected`;
  return undefined;
}

class Samples {
  readonly coldMs: number[] = [];
  readonly coldInitMs: number[] = [];
  readonly coldDurationMs: number[] = [];
  readonly provisionedMs: number[] = [];
  readonly provisionedDurationMs: number[] = [];
  readonly readyMs: number[] = [];
  readonly warmMs: number[] = [];
  readonly warmDurationMs: number[] = [];
  errors = 0;
  firstError: string | undefined;

  /** Keeps `reply` when it is what was expected; counts it as an error otherwise. */
  check(reply: Reply, expect: { cold: boolean; init: string; version: string }): boolean {
    const why = problem(reply, expect);
    if (why === undefined) return true;
    this.errors += 1;
    this.firstError ??= why;
    return false;
  }

  result(subject: Subject, version: string): SubjectResult {
    const { errors, firstError } = this;
    return {
      label: subject.label,
      fn: subject.fn,
      version,
      coldMs: summarize(this.coldMs),
      coldInitMs: summarize(this.coldInitMs),
      coldDurationMs: summarize(this.coldDurationMs),
      provisionedMs: summarize(this.provisionedMs),
      provisionedDurationMs: summarize(this.provisionedDurationMs),
      readyMs: summarize(this.readyMs),
      warmMs: summarize(this.warmMs),
      warmDurationMs: summarize(this.warmDurationMs),
      errors,
      ...(firstError === undefined ? {} : { firstError }),
    };
  }
}

/**
 * One round for one subject: a cold on-demand call, then one instance provisioned for the
 * version, its first call and a second one, then the provisioning dropped. Each timed call is
 * sent with no other instance of the function alive and after QUIET_MS of nothing.
 */
async function round(pool: Pool, platform: ServerProcess, s: Subject, version: string, samples: Samples | null, signal: AbortSignal): Promise<void> {
  const invoke = (qualifier?: string): Target => ({ label: s.fn, origin: platform.url, path: `/2015-03-31/functions/${s.fn}/invocations${qualifier ? `?Qualifier=${qualifier}` : ''}`, platform: true });
  await waitForNoInstances(pool, s.fn, SETTLE_TIMEOUT_MS, signal);
  await sleep(QUIET_MS, undefined, { signal });
  const cold = await send(pool, invoke(), signal);
  if (samples?.check(cold, { cold: true, init: 'on-demand', version: '$LATEST' })) {
    samples.coldMs.push(cold.us / 1000);
    samples.coldInitMs.push(Number(header(cold, 'x-faasbench-init-ms')));
    samples.coldDurationMs.push(Number(header(cold, 'x-faasbench-duration-ms')));
  }
  await waitForNoInstances(pool, s.fn, SETTLE_TIMEOUT_MS, signal);
  const readyMs = await provision(pool, s.fn, version, signal);
  try {
    await sleep(QUIET_MS, undefined, { signal });
    const first = await send(pool, invoke(version), signal);
    const second = await send(pool, invoke(version), signal);
    if (samples?.check(first, { cold: false, init: 'provisioned-concurrency', version })) {
      samples.provisionedMs.push(first.us / 1000);
      samples.provisionedDurationMs.push(Number(header(first, 'x-faasbench-duration-ms')));
      samples.readyMs.push(readyMs);
    }
    if (samples?.check(second, { cold: false, init: 'provisioned-concurrency', version })) {
      samples.warmMs.push(second.us / 1000);
      samples.warmDurationMs.push(Number(header(second, 'x-faasbench-duration-ms')));
    }
  } finally {
    if (!signal.aborted) await unprovision(pool, s.fn, version, signal);
  }
  // The released instance idles out at once (keepAliveS 0).
  await waitForNoInstances(pool, `${s.fn}:${version}`, SETTLE_TIMEOUT_MS, signal);
}

/**
 * `n` rounds after one untimed: the floor, then each subject's round, the subjects' order
 * alternating, so drifting background load reaches floor, runtimes and modes alike.
 */
async function measure(platform: ServerProcess, list: readonly Subject[], n: number, signal: AbortSignal): Promise<{ floors: Floor[]; results: SubjectResult[] }> {
  const pool = benchPool(platform.url, 1);
  const floors = FLOORS.map((): number[] => []);
  const samples = list.map(() => new Samples());
  const versions: string[] = [];
  try {
    for (const s of list) versions.push(await publishVersion(pool, s.fn, signal));
    for (let r = 0; r <= n && !signal.aborted; r++) {
      progress(`round ${r}${r === 0 ? ' (untimed)' : ''} of ${n}`);
      for (const [i, cmd] of FLOORS.entries()) {
        const ms = await timeSpawn(cmd);
        if (r > 0) floors[i]!.push(ms);
      }
      const order = r % 2 === 0 ? list.map((_, i) => i) : list.map((_, i) => list.length - 1 - i);
      for (const i of order) await round(pool, platform, list[i]!, versions[i]!, r > 0 ? samples[i]! : null, signal);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    await pool.close();
  }
  return { floors: FLOORS.map((cmd, i) => ({ label: cmd.label, ms: summarize(floors[i]!) })), results: list.map((s, i) => samples[i]!.result(s, versions[i] ?? '?')) };
}

// ---- report ----

const ratio = (a: number, b: number): string => fixed(a / b, 2);

function coldTable(results: readonly SubjectResult[], floor: Summary): string {
  const rows = results.map((r) => [
    `${r.fn}: ${r.label}`,
    String(r.coldMs.n),
    fixed(r.coldMs.p50, 2),
    fixed(r.coldMs.p90, 2),
    fixed(r.coldInitMs.p50, 2),
    fixed(r.coldInitMs.p90, 2),
    fixed(r.coldDurationMs.p50, 2),
    fixed(r.coldMs.p50 - floor.p50, 2),
    ratio(r.coldMs.p50, floor.p50),
    ratio(r.coldMs.p50, results[0]!.coldMs.p50),
  ]);
  const head = ['cold call, every call cold', 'N', 'median ms', 'p90 ms', 'init median ms', 'init p90 ms', 'duration median ms', 'over floor ms', '× floor', '× nodejs'];
  return markdownTable(head, rows, ['left', ...head.slice(1).map(() => 'right' as const)]);
}

function firstCallTable(results: readonly SubjectResult[], floor: Summary): string {
  const rows = results.flatMap((r) => [
    [`${r.fn}: on-demand first call (cold)`, String(r.coldMs.n), fixed(r.coldMs.p50, 2), fixed(r.coldMs.p90, 2), fixed(r.coldDurationMs.p50, 2), '—', ratio(r.coldMs.p50, r.coldMs.p50), ratio(r.coldMs.p50, floor.p50)],
    [
      `${r.fn}: provisioned first call (version ${r.version})`,
      String(r.provisionedMs.n),
      fixed(r.provisionedMs.p50, 2),
      fixed(r.provisionedMs.p90, 2),
      fixed(r.provisionedDurationMs.p50, 2),
      fixed(r.readyMs.p50, 1),
      ratio(r.provisionedMs.p50, r.coldMs.p50),
      ratio(r.provisionedMs.p50, floor.p50),
    ],
    [`${r.fn}: second call, same instance (warm)`, String(r.warmMs.n), fixed(r.warmMs.p50, 2), fixed(r.warmMs.p90, 2), fixed(r.warmDurationMs.p50, 2), '—', ratio(r.warmMs.p50, r.coldMs.p50), ratio(r.warmMs.p50, floor.p50)],
  ]);
  const head = ['first call', 'N', 'median ms', 'p90 ms', 'duration median ms', 'PUT to READY median ms', '× on-demand', '× floor'];
  return markdownTable(head, rows, ['left', ...head.slice(1).map(() => 'right' as const)]);
}

function printMarkdown(floors: readonly Floor[], results: readonly SubjectResult[], skipped: string | undefined, facts: Record<string, unknown>, machine: Machine, n: number, loadAfter: number, interrupted: boolean): void {
  const lines = [
    '### Lambda fidelity: faasbench nodejs runtime vs aws-lambda-ric, provisioned vs on-demand first calls',
    '',
    '```sh',
    `node bin/run-ts.mjs bench/lambda-fidelity.bench.ts --n ${n}`,
    '```',
    '',
    `functions: the same handler (\`{ ok: true, init: AWS_LAMBDA_INITIALIZATION_TYPE }\`) as \`fidelity-node\` (runtime nodejs) and \`fidelity-ric\` ` +
      `(runtime provided, bootstrap \`exec node <aws-lambda-ric>/bin/index.mjs "$_HANDLER"\`), memoryMb ${ONE_VCPU_MB} = 1 vCPU, keepAliveS 0`,
    `platform: isolation ${String(facts.isolation)}, memory ${String(facts.memoryLimit)}, cpu ${String(facts.cpuLimit)}, freeze ${String(facts.freeze)}; in its own child process; ` +
      'every call through the Lambda API (undici), request to response, with no other instance of the function alive and after ' +
      `${QUIET_MS} ms of nothing`,
    `per round (${n} timed after one untimed, the runtimes' order alternating): the spawn floors (spawn to exit, from this process); per runtime a cold on-demand call, then ` +
      `one instance provisioned for version 1 (PUT, then GET every ${READY_POLL_MS} ms until READY), its first call, a second call, the provisioning deleted`,
    "init and duration are the platform's x-faasbench-init-ms (spawn to the runtime's first /next) and x-faasbench-duration-ms; every reply checked " +
      '(cold flag, AWS_LAMBDA_INITIALIZATION_TYPE on-demand or provisioned-concurrency, X-Amz-Executed-Version); "floor" is the median of node -e 0',
    machineLine(machine),
    `load average at the end: ${loadAfter.toFixed(2)}`,
    '',
    markdownTable(['spawn to exit', 'N', 'median ms', 'p90 ms'], floors.map((f) => [f.label, String(f.ms.n), fixed(f.ms.p50, 2), fixed(f.ms.p90, 2)]), ['left', 'right', 'right', 'right']),
    '',
    coldTable(results, floors[0]!.ms),
    '',
    firstCallTable(results, floors[0]!.ms),
    ...(skipped ? ['', `aws-lambda-ric rows skipped: ${skipped}`] : []),
  ];
  printReport(lines, results.filter((r) => r.errors > 0).map((r) => `- ${r.fn}: ${r.errors} errors (first: ${r.firstError ?? '?'})`), interrupted);
}

async function main(): Promise<number> {
  const settings = parseSettings();
  const signal = interruptSignal();
  const machine = await describeMachine();
  const { subjects: list, skipped } = subjects();
  if (skipped) progress(`aws-lambda-ric rows skipped: ${skipped}`);
  let platform: ServerProcess | undefined;
  let measured: { floors: Floor[]; results: SubjectResult[] } | undefined;
  try {
    platform = await startPlatformServer({ dataDir: benchDataDir('fidelity'), freeze: true, deploy: list.map((s) => ({ dir: s.dir, overrides: { keepAliveS: 0 } })) });
    measured = await measure(platform, list, settings.n, signal);
  } finally {
    await stopAll([platform]);
  }
  const loadAfter = os.loadavg()[0] ?? 0;
  const facts = platform?.info ?? {};
  if (settings.json) {
    printJson({ bench: 'lambda-fidelity', interrupted: signal.aborted, machine, loadAfter, settings: { n: settings.n, memoryMb: ONE_VCPU_MB, keepAliveS: 0, quietMs: QUIET_MS, readyPollMs: READY_POLL_MS }, platform: facts, skipped: skipped ?? null, ...measured });
  } else {
    printMarkdown(measured.floors, measured.results, skipped, facts, machine, settings.n, loadAfter, signal.aborted);
  }
  if (signal.aborted) return EXIT.interrupted;
  return measured.results.some((r) => r.errors > 0) ? EXIT.failed : EXIT.ok;
}

process.exitCode = await main();
