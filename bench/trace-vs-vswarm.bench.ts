/**
 * Planning the 5-function day (invitro-5fn-1440min, 25,268,396 calls), faasbench against vSwarm's
 * load generator, each as its user runs it, in the same run and on the same trace:
 *
 * - vSwarm: `python3 main.py loadgen -t <trace> -i <mode> -m True -d 1440 -w 0` in its
 *   tools/load-generator folder, against a stub cluster (vswarm-stub-cluster.ts) so that it
 *   deploys and finds its proxies at once. It writes load.json (indented JSON, about 2.3 GB).
 * - faasbench: `node bin/faasbench.mjs trace plan <trace> --mapping <m> --arrivals <mode>` in a
 *   child process: one proxy per function, like vSwarm's (the bench writes the mapping.json that
 *   `trace map` would), so no call draws a synthetic duration. Also the default (synthetic) plan.
 *
 * Both timed by GNU time (wall seconds and peak RSS of the process), rounds alternating. vSwarm's
 * exponential mode draws 1,000 exponentials per call (hours for this day): not run.
 *
 *   node bin/run-ts.mjs bench/trace-vs-vswarm.bench.ts --vswarm /var/tmp/vswarm/tools/load-generator [--rounds 3] [--python /usr/bin/python3] [--json]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrace } from '../src/trace/azure-trace-reader.ts';
import { describeMachine, EXIT, machineLine, positiveFlag, printJson, progress } from './bench-cli.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';
import { stubCluster } from './vswarm-stub-cluster.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FAASBENCH = path.join(HERE, '../bin/faasbench.mjs');
const FIVE_FN = path.resolve(HERE, '../../shared/traces/invitro-5fn-1440min');
const GNU_TIME = '/usr/bin/time';
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const rounds = positiveFlag(flag('rounds'), 'rounds', 1);
const vswarmDir = flag('vswarm');
const python = flag('python') ?? '/usr/bin/python3';
const json = args.includes('--json');
/** The aim: at least 5x vSwarm's rate at a seventh of its memory. */
const AIM = { rate: 5, memory: 7 };

interface Measured {
  readonly wallS: number;
  readonly peakRssMb: number;
  readonly cpuS: number;
  readonly calls: number;
}

/** Runs `command` under GNU time; its wall seconds, peak RSS and CPU seconds. */
function timed(command: string, argv: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }, work: string): Omit<Measured, 'calls'> & { stdout: string } {
  const report = path.join(work, 'time.txt');
  const run = spawnSync(GNU_TIME, ['-f', '%e %M %U %S', '-o', report, command, ...argv], { ...options, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${run.status}:\n${run.stdout}\n${run.stderr}`.slice(0, 4000));
  const [wall, kb, user, sys] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallS: wall!, peakRssMb: kb! / 1024, cpuS: user! + sys!, stdout: run.stdout };
}

/** Calls in a vSwarm load.json: one endpoint (`...sslip.io"`) per call, counted streaming. */
async function loadJsonCalls(file: string): Promise<number> {
  const needle = Buffer.from('sslip.io"');
  let calls = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) {
    const text = Buffer.concat([carry, chunk as Buffer]);
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) calls++;
    // A needle split across two chunks is found in the next one; one already counted cannot recur in the tail.
    carry = text.subarray(Math.max(0, text.length - needle.length + 1));
  }
  return calls;
}

async function vswarm(mode: string, work: string): Promise<Measured> {
  const out = path.join(work, 'load.json');
  const env = stubCluster(path.join(work, 'stub'));
  const argv = ['main.py', 'loadgen', '-o', out, '-t', FIVE_FN, '-b', path.join(work, 'build'), '-i', mode, '-m', 'True', '-d', '1440', '-w', '0', '-dbg', 'False'];
  const { stdout: _, ...measured } = timed(python, argv, { cwd: vswarmDir!, env }, work);
  const calls = await loadJsonCalls(out);
  rmSync(out);
  return { ...measured, calls };
}

function faasbench(extra: readonly string[], work: string): Measured {
  const out = path.join(work, 'day.fbplan');
  const { stdout, ...measured } = timed(process.execPath, [FAASBENCH, 'trace', 'plan', FIVE_FN, '--out', out, '--json', ...extra], {}, work);
  rmSync(out);
  return { ...measured, calls: (JSON.parse(stdout) as { calls: number }).calls };
}

/** What `trace map` writes when every function gets a profiled proxy: one named-input proxy each. */
async function writeMapping(file: string): Promise<void> {
  const trace = await readTrace(FIVE_FN);
  const entries = trace.functions.map((fn) => ({ key: fn.key, trigger: fn.trigger, traceDurationP75Ms: 0, traceMemoryP75Mb: 0, proxy: 'proxy:default', proxyDurationP75Ms: 0, proxyMemoryP75Mb: 0, durationError: null, memoryError: null, distance: 0 }));
  writeFileSync(file, JSON.stringify({ version: 1, method: 'nearest', maxError: null, entries }, null, 2));
}

function vswarmMissing(): string | undefined {
  if (vswarmDir === undefined) return 'no --vswarm <tools/load-generator dir> given';
  if (!existsSync(path.join(vswarmDir, 'main.py'))) return `${vswarmDir} has no main.py`;
  const imports = spawnSync(python, ['-c', 'import numpy, scipy, matplotlib, yaml'], { encoding: 'utf8' });
  if (imports.status !== 0) return `${python} cannot import vSwarm's dependencies (apt-get install python3-numpy python3-scipy python3-matplotlib python3-yaml)`;
  return undefined;
}

interface Row {
  readonly tool: string;
  readonly mode: string;
  readonly runs: Measured[];
  readonly skipped?: string;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const spread = (values: readonly number[], digits: number): string =>
  values.length === 0 ? '—' : values.length === 1 ? fixed(values[0], digits) : `${fixed(Math.min(...values), digits)} / ${fixed(median(values), digits)} / ${fixed(Math.max(...values), digits)}`;

if (spawnSync(GNU_TIME, ['--version']).error) {
  console.error(`${GNU_TIME} not found: install Debian's time package (apt-get install time)`);
  process.exit(EXIT.usage);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'fbvswarm-'));
try {
  const machine = await describeMachine();
  const mapping = path.join(work, 'mapping.json');
  await writeMapping(mapping);
  const missing = vswarmMissing();
  const modes = ['uniform', 'equidistant'] as const;
  const rows = {
    vswarm: Object.fromEntries(modes.map((m) => [m, { tool: 'vSwarm load generator (main.py loadgen)', mode: m, runs: [] as Measured[], ...(missing ? { skipped: `skipped: ${missing}` } : {}) }])) as Record<string, Row>,
    mapped: Object.fromEntries(modes.map((m) => [m, { tool: 'faasbench trace plan --mapping', mode: m, runs: [] as Measured[] }])) as Record<string, Row>,
    synthetic: { tool: 'faasbench trace plan (synthetic, default)', mode: 'uniform', runs: [] as Measured[] } as Row,
  };
  for (let round = 1; round <= rounds; round++) {
    for (const mode of modes) {
      if (!missing) {
        progress(`round ${round}: vSwarm, ${mode}...`);
        rows.vswarm[mode]!.runs.push(await vswarm(mode, work));
      }
      progress(`round ${round}: faasbench trace plan --mapping --arrivals ${mode}...`);
      rows.mapped[mode]!.runs.push(faasbench(['--mapping', mapping, '--arrivals', mode], work));
    }
    progress(`round ${round}: faasbench trace plan (synthetic)...`);
    rows.synthetic.runs.push(faasbench([], work));
  }

  const ratios = modes.map((mode) => {
    const v = rows.vswarm[mode]!.runs;
    const f = rows.mapped[mode]!.runs;
    if (v.length === 0) return { mode, rate: undefined, memory: undefined };
    return { mode, rate: median(v.map((r) => r.wallS)) / median(f.map((r) => r.wallS)), memory: median(v.map((r) => r.peakRssMb)) / median(f.map((r) => r.peakRssMb)) };
  });
  const all: Row[] = [...modes.flatMap((m) => [rows.vswarm[m]!, rows.mapped[m]!]), rows.synthetic];
  if (json) printJson({ machine, rounds, rows: all, ratios, aim: AIM });
  else {
    console.log(machineLine(machine));
    console.log(`\nPlanning invitro-5fn-1440min (25,268,396 calls); ${rounds} round(s), min / median / max where more than one:\n`);
    console.log(
      markdownTable(
        ['generator', 'arrivals', 'wall s', 'peak RSS MB', 'CPU s', 'calls written'],
        all.map((r) => [r.tool, r.mode, r.skipped ?? spread(r.runs.map((m) => m.wallS), 1), r.skipped ? '' : spread(r.runs.map((m) => m.peakRssMb), 0), r.skipped ? '' : spread(r.runs.map((m) => m.cpuS), 1), r.skipped ? '' : spread(r.runs.map((m) => m.calls), 0)]),
        ['left', 'left', 'right', 'right', 'right', 'right'],
      ),
    );
    console.log('');
    for (const r of ratios) {
      if (r.rate === undefined) continue;
      console.log(`${r.mode}: faasbench ${fixed(r.rate, 1)}x vSwarm's rate (aim ${AIM.rate}x: ${verdict(r.rate >= AIM.rate)}), ${fixed(r.memory, 1)}x less memory (aim ${AIM.memory}x: ${verdict((r.memory ?? 0) >= AIM.memory)})`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

