/**
 * Start-up: what a command costs before it does its work, beside the floor any node program pays
 * (`node -e 0`). Each command runs as a user runs it, `node bin/faasbench.mjs ...` from a scratch
 * folder, with wall time taken here (spawn to exit) and peak RSS and CPU time from /usr/bin/time.
 *
 *   node bin/run-ts.mjs bench/startup.bench.ts [--json] [--n N]
 *
 * Commands: `--version`; the tsx loader alone (what every other command pays before its first
 * line of TypeScript); `runs` on a store of 3 runs; `invoke hello --times 1` against a local
 * platform already running in its own process (`--provider local -o url=...`; it deploys, then
 * calls once). Rounds alternate the commands, so a change in background load hits all of them.
 * Aim (from the issue): `faasbench --version` under 0.5 s and 100 MB.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, describeMachine, interruptSignal, machineLine, positiveFlag, printJson, printReport, progress, type Machine } from './bench-cli.ts';
import { benchDataDir, REPO } from './bench-functions.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';
import { elapsedUs, summarize, type Summary } from './samples.ts';
import { startPlatformServer, stopAll, type ServerProcess } from './server-processes.ts';

const AIM_WALL_MS = 500;
const AIM_RSS_MB = 100;
const TIME = '/usr/bin/time';
const BIN = path.join(REPO, 'bin', 'faasbench.mjs');
/** A command that takes longer than this is stuck (a busy 2-core machine takes about 8 s for the slowest). */
const COMMAND_TIMEOUT_MS = 120_000;

interface Settings {
  readonly json: boolean;
  readonly n: number;
}

interface Command {
  readonly label: string;
  readonly args: readonly string[];
}

/** One process's cost: wall ms measured here, peak RSS (MB) and CPU s from /usr/bin/time. */
interface Sample {
  readonly wallMs: number;
  readonly rssMb: number;
  readonly cpuS: number;
}

interface Result {
  readonly label: string;
  readonly wallMs: Summary;
  readonly rssMb: Summary;
  readonly cpuS: Summary;
}

function parseSettings(): Settings {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, n: { type: 'string' } } });
  return { json: values.json, n: Math.round(positiveFlag(values.n, 'n', 5)) };
}

function commands(platformUrl: string, dir: string): Command[] {
  const cli = (label: string, ...args: string[]): Command => ({ label: `faasbench ${label}`, args: [BIN, ...args] });
  return [
    { label: 'node -e 0', args: ['-e', '0'] },
    // What the bin pays before any TypeScript runs, for every command but --version.
    { label: 'node + tsx loader registered', args: ['--input-type=module', '-e', "import { register } from 'tsx/esm/api'; register();"] },
    cli('--version', '--version'),
    cli('runs (3 runs)', 'runs', '--store', path.join(dir, 'small.db')),
    cli('invoke hello --times 1', 'invoke', 'hello', '--times', '1', '--provider', 'local', '-o', `url=${platformUrl}`, '--store', path.join(dir, 'invoke.db')),
  ];
}

/**
 * Runs `node args...` under /usr/bin/time, which writes `<max RSS KB> <user s> <sys s>` to a file
 * (its own stderr would mix with the command's). Rejects on a non-zero exit, with the command's stderr.
 */
function measure(cmd: Command, cwd: string): Promise<Sample> {
  const out = path.join(cwd, 'time.txt');
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(TIME, ['-o', out, '-f', '%M %U %S', process.execPath, ...cmd.args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const wallMs = elapsedUs(start) / 1000;
      if (code !== 0) return reject(new Error(`${cmd.label} exited with ${signal ?? `code ${code}`}: ${stderr.trim().slice(-500)}`));
      const [rssKb, user, sys] = (readFileSync(out, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number);
      resolve({ wallMs, rssMb: (rssKb ?? Number.NaN) / 1024, cpuS: (user ?? Number.NaN) + (sys ?? Number.NaN) });
    });
  });
}

/** Round 0 is untimed: it fills the page cache and gives `runs` its store (3 stored runs). */
async function warmUp(cmds: readonly Command[], dir: string): Promise<void> {
  const invoke = cmds.at(-1) as Command;
  const seed: Command = { label: 'seed', args: invoke.args.map((a) => (a.endsWith('invoke.db') ? path.join(dir, 'small.db') : a)) };
  for (let i = 0; i < 3; i++) await measure(seed, dir);
  for (const cmd of cmds) await measure(cmd, dir);
}

async function measureAll(cmds: readonly Command[], dir: string, n: number, signal: AbortSignal): Promise<Result[]> {
  const samples = cmds.map((): Sample[] => []);
  progress(`warm-up, then ${n} rounds of: ${cmds.map((c) => c.label).join('; ')}`);
  await warmUp(cmds, dir);
  for (let round = 1; round <= n && !signal.aborted; round++) {
    for (const [i, cmd] of cmds.entries()) samples[i]?.push(await measure(cmd, dir));
    progress(`round ${round}/${n} done`);
  }
  return cmds.map((cmd, i) => {
    const s = samples[i] ?? [];
    return { label: cmd.label, wallMs: summarize(s.map((x) => x.wallMs)), rssMb: summarize(s.map((x) => x.rssMb)), cpuS: summarize(s.map((x) => x.cpuS)) };
  });
}

function resultTable(results: readonly Result[]): string {
  const floor = results[0];
  const rows = results.map((r) => [
    r.label,
    String(r.wallMs.n),
    fixed(r.wallMs.p50, 0),
    fixed(r.wallMs.max, 0),
    fixed(r.cpuS.p50, 2),
    fixed(r.rssMb.p50, 1),
    fixed(r.rssMb.max, 1),
    floor ? `${fixed(r.wallMs.p50 / floor.wallMs.p50, 1)}x` : '—',
    floor ? `${fixed(r.rssMb.p50 / floor.rssMb.p50, 1)}x` : '—',
  ]);
  const header = ['command', 'N', 'wall median ms', 'wall max ms', 'CPU median s', 'peak RSS median MB', 'peak RSS max MB', 'wall / node -e 0', 'RSS / node -e 0'];
  return markdownTable(header, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

function aimLine(results: readonly Result[]): string {
  const v = results.find((r) => r.label === 'faasbench --version');
  if (!v || v.wallMs.n === 0) return '- `faasbench --version`: not measured';
  const met = v.wallMs.p50 < AIM_WALL_MS && v.rssMb.max < AIM_RSS_MB;
  return `- \`faasbench --version\` under ${AIM_WALL_MS} ms (median) and ${AIM_RSS_MB} MB (max): ${v.wallMs.p50.toFixed(0)} ms, ${v.rssMb.max.toFixed(1)} MB: **${verdict(met)}**`;
}

function printMarkdown(results: readonly Result[], machine: Machine, errors: readonly string[], interrupted: boolean): void {
  const lines = [
    '### Start-up: commands as a user runs them, beside `node -e 0`',
    '',
    'each command is `node bin/faasbench.mjs ...` from a scratch folder; wall = spawn to exit measured by the bench, ' +
      'peak RSS (maximum resident set size) and CPU (user + system) from /usr/bin/time; ' +
      '`invoke` targets a local platform running in its own process and deploys `hello` before its one call',
    machineLine(machine),
    '',
    resultTable(results),
    '',
    aimLine(results),
  ];
  printReport(lines, errors, interrupted);
}

async function main(): Promise<number> {
  const settings = parseSettings();
  if (!existsSync(TIME)) {
    console.error(`${TIME} is missing: it measures peak RSS (Debian package "time": apt-get install time)`);
    return EXIT.failed;
  }
  const signal = interruptSignal();
  const machine = await describeMachine();
  const dir = benchDataDir('startup-cwd');
  mkdirSync(dir, { recursive: true });
  let platform: ServerProcess | undefined;
  let results: Result[] = [];
  const errors: string[] = [];
  try {
    platform = await startPlatformServer({ dataDir: benchDataDir('startup'), freeze: true, deploy: [] });
    results = await measureAll(commands(platform.url, dir), dir, settings.n, signal);
  } catch (err) {
    if (!signal.aborted) errors.push(`- ${(err as Error).message}`);
  } finally {
    await stopAll([platform]);
    rmSync(dir, { recursive: true, force: true });
  }
  if (settings.json) printJson({ bench: 'startup', interrupted: signal.aborted, machine, settings, results, errors });
  else printMarkdown(results, machine, errors, signal.aborted);
  if (signal.aborted) return EXIT.interrupted;
  return errors.length ? EXIT.failed : EXIT.ok;
}

process.exitCode = await main();
