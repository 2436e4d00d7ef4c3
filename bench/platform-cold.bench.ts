/**
 * The cold path: how long a call to a function with no instance takes, against the floor any
 * platform pays for it, which is starting the interpreter (spawn to exit of `node -e 0` and of
 * `python3 -c pass`, the real interpreter rather than a version manager's shim).
 *
 *   node bin/run-ts.mjs bench/platform-cold.bench.ts [--json] [--n N]
 *
 * Aim (from the issue): a cold invocation at most 15 ms over the spawn floor of its runtime.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Pool } from 'undici';
import { resolvePython } from '../src/platform/runtimes/index.ts';
import { encodeSpec, namespacesWork, shellWrapperCommand, unprivilegedUser, type LaunchSpec } from '../src/platform/sandbox.ts';
import { sandboxHelper } from '../src/platform/sandbox-helper.ts';
import { EXIT, describeMachine, interruptSignal, machineLine, positiveFlag, printJson, printReport, progress, type Machine } from './bench-cli.ts';
import { benchDataDir, isNoopResponse, ONE_VCPU_MB, writeNoopFunctions } from './bench-functions.ts';
import { benchPool, header, send, type Reply, type Target } from './http-load.ts';
import { elapsedUs, summarize, type Summary } from './samples.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';
import { startPlatformServer, stopAll, type ServerProcess } from './server-processes.ts';
import { waitForNoInstances } from './platform-instances.ts';

const AIM_OVERHEAD_MS = 15;
/** How long to wait for the previous instance to be gone, so two never overlap on 2 cores. */
const SETTLE_TIMEOUT_MS = 5000;

type Runtime = 'nodejs' | 'python';

interface Settings {
  readonly json: boolean;
  readonly n: number;
}

/** A process timed from spawn to exit. */
interface FloorCommand {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly extraEnv?: Record<string, string>;
  /** Written to its stdin (sandbox-exec reads its instance there). */
  readonly input?: Buffer;
  /** The runtime whose cold starts this floor is the limit for; diagnostic commands have none. */
  readonly floorOf?: Runtime;
}

interface Floor {
  readonly label: string;
  readonly floorOf?: Runtime;
  readonly ms: Summary;
}

interface ColdResult {
  readonly runtime: Runtime;
  readonly fn: string;
  readonly ms: Summary;
  /** The platform's own Init Duration (x-faasbench-init-ms): spawn to the runtime's first /next. */
  readonly initMs: Summary;
  /** The platform's Duration (x-faasbench-duration-ms): event delivered to result received. */
  readonly durationMs: Summary;
  readonly errors: number;
  readonly firstError?: string;
}

interface Aim {
  readonly runtime: Runtime;
  readonly overheadMs: number;
  readonly met: boolean;
}

function parseSettings(): Settings {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, n: { type: 'string' } } });
  return { json: values.json, n: Math.round(positiveFlag(values.n, 'n', 20)) };
}

// ---- the spawn floor ----

/**
 * The floors of each runtime. For node, also diagnostics: node behind each of the platform's
 * sandbox launchers (the shell wrapper: unshare, sh, two mounts; the compiled sandbox-exec, which
 * the platform uses where it could be built), which tell how much of the cold overhead the
 * sandbox is.
 */
function floorCommands(runtime: Runtime, codeDir: string, dataDir: string): FloorCommand[] {
  if (runtime === 'python') return [{ label: 'python3 -c pass', file: resolvePython(), args: ['-c', 'pass'], floorOf: 'python' }];
  const node: FloorCommand = { label: 'node -e 0', file: process.execPath, args: ['-e', '0'], floorOf: 'nodejs' };
  if (!namespacesWork()) return [node];
  const spec: LaunchSpec = {
    isolation: 'namespace', user: unprivilegedUser(), tmpMb: 512, cwd: codeDir, exposed: [{ path: codeDir, readonly: true }],
    file: node.file, args: node.args, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  };
  const rows: FloorCommand[] = [node, { label: '(diagnostic) shell sandbox wrapper + node -e 0', ...shellWrapperCommand(spec, []) }];
  const helper = sandboxHelper(dataDir).file;
  if (helper) rows.push({ label: '(diagnostic) sandbox-exec + node -e 0', file: helper, args: ['--wait'], input: encodeSpec(spec) });
  return rows;
}

/** Spawn to exit of one process, in ms. The environment is as bare as an instance's. */
function timeSpawn(cmd: FloorCommand): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd.file, cmd.args, { stdio: [cmd.input ? 'pipe' : 'ignore', 'ignore', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cmd.extraEnv } });
    child.stdin?.end(cmd.input);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const ms = elapsedUs(start) / 1000;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd.label} exited with ${signal ?? `code ${code}`}`));
    });
  });
}

// ---- cold invocations ----

/** Waits until the previous call's instance has exited, so its teardown does not overlap the next start. */
function settle(pool: Pool, fn: string, signal: AbortSignal): Promise<void> {
  return waitForNoInstances(pool, fn, SETTLE_TIMEOUT_MS, signal);
}

/** Why a reply does not count as a correct cold answer; undefined when it does. */
function coldProblem(reply: Reply): string | undefined {
  if (reply.status !== 200 || !isNoopResponse(reply.body)) return `status ${reply.status}: ${reply.body.slice(0, 200)}`;
  if (header(reply, 'x-faasbench-cold') !== 'true') return 'a warm invocation where every call should be cold (keepAliveS 0)';
  return undefined;
}

/** Cold calls as they come: timings of the good ones, a count of the others. */
class ColdSamples {
  readonly ms: number[] = [];
  readonly initMs: number[] = [];
  readonly durationMs: number[] = [];
  errors = 0;
  firstError: string | undefined;

  add(reply: Reply): void {
    const problem = coldProblem(reply);
    if (problem !== undefined) {
      this.errors += 1;
      this.firstError ??= problem;
      return;
    }
    this.ms.push(reply.us / 1000);
    this.initMs.push(Number(header(reply, 'x-faasbench-init-ms')));
    this.durationMs.push(Number(header(reply, 'x-faasbench-duration-ms')));
  }

  result(runtime: Runtime, fn: string): ColdResult {
    const { ms, initMs, durationMs, errors, firstError } = this;
    return { runtime, fn, ms: summarize(ms), initMs: summarize(initMs), durationMs: summarize(durationMs), errors, ...(firstError === undefined ? {} : { firstError }) };
  }
}

/**
 * `n` rounds of: each floor command once, then one cold call. Alternating them means a change in
 * background load during the run hits floor and cold start alike, so their difference stays
 * meaningful. Round 0 is untimed: it pays for whatever is not yet in the page cache.
 */
async function measureRuntime(platform: ServerProcess, runtime: Runtime, fn: string, commands: readonly FloorCommand[], n: number, signal: AbortSignal): Promise<{ floors: Floor[]; cold: ColdResult }> {
  progress(`${runtime}: ${n} rounds of ${commands.map((c) => c.label).join(', ')} and a cold call to ${fn}`);
  const target: Target = { label: fn, origin: platform.url, path: `/2015-03-31/functions/${fn}/invocations`, platform: true };
  const pool = benchPool(platform.url, 1);
  const floorMs = commands.map((): number[] => []);
  const cold = new ColdSamples();
  try {
    for (let round = 0; round <= n && !signal.aborted; round++) {
      // The previous cold call's instance is torn down first: that must not land on any sample.
      await settle(pool, fn, signal);
      for (const [i, cmd] of commands.entries()) {
        const ms = await timeSpawn(cmd);
        if (round > 0) floorMs[i]?.push(ms);
      }
      const reply = await send(pool, target, signal);
      if (round > 0) cold.add(reply);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    await pool.close();
  }
  const floors = commands.map((cmd, i) => ({ label: cmd.label, ...(cmd.floorOf ? { floorOf: cmd.floorOf } : {}), ms: summarize(floorMs[i] ?? []) }));
  return { floors, cold: cold.result(runtime, fn) };
}

// ---- report ----

function floorFor(floors: readonly Floor[], runtime: Runtime): Floor | undefined {
  return floors.find((f) => f.floorOf === runtime);
}

function aimsOf(cold: readonly ColdResult[], floors: readonly Floor[]): Aim[] {
  return cold.flatMap((c) => {
    const floor = floorFor(floors, c.runtime);
    if (!floor || c.ms.n === 0) return [];
    const overheadMs = c.ms.p50 - floor.ms.p50;
    return [{ runtime: c.runtime, overheadMs, met: overheadMs <= AIM_OVERHEAD_MS }];
  });
}

function floorTable(floors: readonly Floor[]): string {
  const rows = floors.map((f) => [f.label, String(f.ms.n), fixed(f.ms.p50, 2), fixed(f.ms.p90, 2)]);
  return markdownTable(['spawn to exit', 'N', 'median ms', 'p90 ms'], rows, ['left', 'right', 'right', 'right']);
}

function coldTable(cold: readonly ColdResult[], floors: readonly Floor[]): string {
  const rows = cold.map((c) => {
    const floor = floorFor(floors, c.runtime);
    return [
      `${c.fn} (${c.runtime})`,
      String(c.ms.n),
      fixed(c.ms.p50, 2),
      fixed(c.ms.p90, 2),
      fixed(c.initMs.p50, 2),
      fixed(c.durationMs.p50, 2),
      fixed(floor?.ms.p50, 2),
      floor ? fixed(c.ms.p50 - floor.ms.p50, 2) : '—',
    ];
  });
  const header = ['cold invocation (Lambda API)', 'N', 'median ms', 'p90 ms', 'init median ms', 'duration median ms', 'spawn floor median ms', 'overhead ms'];
  return markdownTable(header, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

function printMarkdown(floors: readonly Floor[], cold: readonly ColdResult[], aims: readonly Aim[], facts: Record<string, unknown>, machine: Machine, interrupted: boolean): void {
  const lines = [
    '### Cold path: no-op functions, every call cold, vs the interpreter spawn floor',
    '',
    `functions: \`noop\` (nodejs) and \`noop-py\` (python), memoryMb ${ONE_VCPU_MB} = 1 vCPU, keepAliveS 0 (every call cold, checked with x-faasbench-cold)`,
    `platform: isolation ${String(facts.isolation)}, memory ${String(facts.memoryLimit)}, cpu ${String(facts.cpuLimit)}, freeze ${String(facts.freeze)}; in its own child process; ` +
      'each call is request to response through undici, once the previous instance has exited',
    `python: ${resolvePython()}; spawn floors are spawn to exit from this process, with an environment as bare as an instance's, ` +
      'alternating with the cold calls',
    "init and duration are the platform's own x-faasbench-init-ms (spawn to the runtime's first /next) and x-faasbench-duration-ms " +
      '(event delivered to result received); overhead = cold median − spawn floor median',
    machineLine(machine),
    '',
    floorTable(floors),
    '',
    coldTable(cold, floors),
    '',
    ...aims.map((a) => `- ${a.runtime}: cold median − spawn floor median ≤ ${AIM_OVERHEAD_MS} ms: ${a.overheadMs.toFixed(2)} ms: **${verdict(a.met)}**`),
  ];
  printReport(lines, cold.filter((c) => c.errors > 0).map((c) => `- ${c.fn}: ${c.errors} errors (first: ${c.firstError ?? '?'})`), interrupted);
}

async function main(): Promise<number> {
  const settings = parseSettings();
  const signal = interruptSignal();
  const machine = await describeMachine();
  const fns = writeNoopFunctions();
  let platform: ServerProcess | undefined;
  const floors: Floor[] = [];
  const cold: ColdResult[] = [];
  try {
    const deploy = [fns.nodejs, fns.python].map((dir) => ({ dir, overrides: { keepAliveS: 0 } }));
    platform = await startPlatformServer({ dataDir: benchDataDir('cold'), freeze: true, deploy });
    for (const [runtime, fn] of [['nodejs', 'noop'], ['python', 'noop-py']] as const) {
      if (signal.aborted) break;
      const measured = await measureRuntime(platform, runtime, fn, floorCommands(runtime, fns.nodejs, benchDataDir('cold')), settings.n, signal);
      floors.push(...measured.floors);
      cold.push(measured.cold);
    }
  } finally {
    await stopAll([platform]);
  }
  const aims = aimsOf(cold, floors);
  const facts = platform?.info ?? {};
  if (settings.json) {
    printJson({ bench: 'platform-cold', interrupted: signal.aborted, machine, settings: { n: settings.n, memoryMb: ONE_VCPU_MB, keepAliveS: 0 }, platform: facts, floors, cold, aims });
  } else {
    printMarkdown(floors, cold, aims, facts, machine, signal.aborted);
  }
  if (signal.aborted) return EXIT.interrupted;
  return cold.some((c) => c.errors > 0) ? EXIT.failed : EXIT.ok;
}

process.exitCode = await main();
