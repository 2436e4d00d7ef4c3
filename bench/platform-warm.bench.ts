/**
 * The warm path: a no-op nodejs function through the Lambda API and the HTTP trigger, against a
 * bare node:http server answering the same JSON (the physical limit). The platform and the bare
 * server each run in a child process of their own; this process is only the load generator.
 *
 *   node bin/run-ts.mjs bench/platform-warm.bench.ts [--json] [--requests N] [--warmup N]
 *        [--duration S] [--no-autocannon] [--no-freeze]
 *
 * Aims (from the issue): p50 at most 0.5 ms over the bare server; throughput at least a third of it.
 */
import { parseArgs } from 'node:util';
import { EXIT, describeMachine, interruptSignal, machineLine, positiveFlag, printJson, progress, type Machine } from './bench-cli.ts';
import { benchDataDir, ONE_VCPU_MB, writeNoopFunctions } from './bench-functions.ts';
import { autocannonThroughput, measureLatencies, measureThroughput, type AutocannonResult, type ErrorCount, type Target, type ThroughputResult } from './http-load.ts';
import { summarize, type Summary } from './samples.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';
import { startBareServer, startPlatformServer, stopAll, type ServerProcess } from './server-processes.ts';

/** Two closed loops: one per core of the 2-core machine the aims were set for. */
const CONCURRENCY = 2;
const THROUGHPUT_WARMUP_MS = 1000;
/** With a few hundred warm-up calls the platform's JIT had visibly not settled: the first platform target measured came out slower. */
const DEFAULT_WARMUP = 2000;
/** Latency samples are taken in this many turns per target. */
const LATENCY_BLOCKS = 10;
const AIM_OVERHEAD_MS = 0.5;
const AIM_THROUGHPUT_RATIO = 1 / 3;

interface Settings {
  readonly json: boolean;
  readonly requests: number;
  readonly warmup: number;
  readonly durationMs: number;
  readonly autocannon: boolean;
  readonly freeze: boolean;
}

interface TargetResult {
  readonly target: Target;
  readonly latencyUs: Summary;
  readonly latencyErrors: ErrorCount;
  readonly throughput: ThroughputResult;
  readonly autocannon: AutocannonResult | undefined;
}

interface Aim {
  readonly target: string;
  readonly aim: string;
  readonly measured: string;
  readonly met: boolean;
}

function parseSettings(): Settings {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      'no-autocannon': { type: 'boolean', default: false },
      'no-freeze': { type: 'boolean', default: false },
    },
  });
  return {
    json: values.json,
    requests: Math.round(positiveFlag(values.requests, 'requests', 2000)),
    warmup: Math.round(positiveFlag(values.warmup, 'warmup', DEFAULT_WARMUP)),
    durationMs: positiveFlag(values.duration, 'duration', 5) * 1000,
    autocannon: !values['no-autocannon'],
    freeze: !values['no-freeze'],
  };
}

function targetsOf(bare: ServerProcess, platform: ServerProcess): Target[] {
  return [
    { label: 'bare node:http (limit)', origin: bare.url, path: '/', platform: false },
    { label: 'Lambda API (POST /2015-03-31/functions/noop/invocations)', origin: platform.url, path: '/2015-03-31/functions/noop/invocations', platform: true },
    { label: 'HTTP trigger (POST /fn/noop/)', origin: platform.url, path: '/fn/noop/', platform: true },
  ];
}

async function measureThroughputs(target: Target, settings: Settings, signal: AbortSignal): Promise<Pick<TargetResult, 'throughput' | 'autocannon'>> {
  progress(`${target.label}: throughput, ${CONCURRENCY} connections for ${settings.durationMs / 1000} s`);
  const throughput = await measureThroughput(target, { connections: CONCURRENCY, warmupMs: THROUGHPUT_WARMUP_MS, durationMs: settings.durationMs }, signal);
  if (!settings.autocannon || signal.aborted) return { throughput, autocannon: undefined };
  progress(`${target.label}: autocannon, ${CONCURRENCY} connections for ${settings.durationMs / 1000} s`);
  return { throughput, autocannon: await autocannonThroughput(target, { connections: CONCURRENCY, durationMs: settings.durationMs }, signal) };
}

/** Latency for all targets in turns, then throughput target by target. */
async function measureAll(targets: readonly Target[], settings: Settings, signal: AbortSignal): Promise<TargetResult[]> {
  progress(`latency: ${settings.warmup} warm-up + ${settings.requests} sequential requests per target, in ${LATENCY_BLOCKS} turns`);
  const latencies = await measureLatencies(targets, { warmup: settings.warmup, requests: settings.requests, blocks: LATENCY_BLOCKS }, signal);
  const results: TargetResult[] = [];
  for (const [i, target] of targets.entries()) {
    const latency = latencies[i];
    if (signal.aborted || !latency) break;
    const rest = await measureThroughputs(target, settings, signal);
    const { samplesUs, ...latencyErrors } = latency;
    // A target cut short by Ctrl-C is left out rather than reported from a partial run.
    if (!signal.aborted) results.push({ target, latencyUs: summarize(samplesUs), latencyErrors, ...rest });
  }
  return results;
}

/** The physical limit every platform target is compared with. */
function bareOf(results: readonly TargetResult[]): TargetResult | undefined {
  return results.find((r) => !r.target.platform);
}

function aimsOf(results: readonly TargetResult[]): Aim[] {
  const bare = bareOf(results);
  if (!bare) return [];
  return results.filter((r) => r.target.platform).flatMap((r) => {
    const overheadMs = (r.latencyUs.p50 - bare.latencyUs.p50) / 1000;
    const ratio = r.throughput.rps / bare.throughput.rps;
    return [
      { target: r.target.label, aim: `p50 overhead ≤ ${AIM_OVERHEAD_MS} ms`, measured: `${overheadMs.toFixed(3)} ms`, met: overheadMs <= AIM_OVERHEAD_MS },
      { target: r.target.label, aim: 'throughput ≥ 1/3 of bare', measured: `${ratio.toFixed(2)} × bare`, met: ratio >= AIM_THROUGHPUT_RATIO },
    ];
  });
}

function table(results: readonly TargetResult[]): string {
  const bare = bareOf(results);
  const rows = results.map((r) => [
    r.target.label,
    fixed(r.latencyUs.p50, 0),
    fixed(r.latencyUs.p99, 0),
    r === bare || !bare ? '—' : fixed((r.latencyUs.p50 - bare.latencyUs.p50) / 1000, 3),
    fixed(r.throughput.rps, 0),
    bare ? fixed(r.throughput.rps / bare.throughput.rps, 2) : '—',
    fixed(r.autocannon?.rps, 0),
  ]);
  const header = ['target', 'p50 µs', 'p99 µs', 'p50 overhead vs bare (ms)', 'throughput req/s', 'ratio to bare', 'autocannon req/s'];
  return markdownTable(header, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right']);
}

function errorLines(results: readonly TargetResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    for (const [phase, e] of [['latency', r.latencyErrors], ['throughput', r.throughput]] as const) {
      if (e.errors > 0) lines.push(`${r.target.label}, ${phase}: ${e.errors} errors (first: ${e.firstError ?? '?'})`);
    }
    if (r.autocannon && r.autocannon.errors > 0) lines.push(`${r.target.label}, autocannon: ${r.autocannon.errors} non-2xx or failed requests`);
  }
  return lines;
}

function printMarkdown(results: readonly TargetResult[], aims: readonly Aim[], settings: Settings, facts: Record<string, unknown>, machine: Machine, interrupted: boolean): void {
  const lines = [
    '### Warm path: no-op nodejs function vs bare node:http',
    '',
    `function: \`noop\` (nodejs, \`async () => ({ ok: true })\`), memoryMb ${ONE_VCPU_MB} = 1 vCPU, so the CPU quota does not dominate`,
    `platform: isolation ${String(facts.isolation)}, memory ${String(facts.memoryLimit)}, cpu ${String(facts.cpuLimit)}, freeze ${String(facts.freeze)}; ` +
      'platform and bare server each in their own child process, the client (undici Pool) in the bench process',
    `latency: concurrency 1, ${settings.warmup} warm-up + ${settings.requests} sequential requests per target, the targets taking ${LATENCY_BLOCKS} turns; ` +
      `throughput: ${CONCURRENCY} connections for ${settings.durationMs / 1000} s after a ${THROUGHPUT_WARMUP_MS / 1000} s warm-up` +
      (settings.autocannon ? `; autocannon: ${CONCURRENCY} connections for ${settings.durationMs / 1000} s` : ''),
    machineLine(machine),
    '',
    table(results),
    '',
    ...aims.map((a) => `- ${a.target}: ${a.aim}: ${a.measured}: **${verdict(a.met)}**`),
  ];
  const errors = errorLines(results);
  if (errors.length) lines.push('', 'ERRORS:', ...errors.map((e) => `- ${e}`));
  if (interrupted) lines.push('', 'INTERRUPTED: only the targets measured in full before Ctrl-C are shown.');
  console.log(lines.join('\n'));
}

function printJsonReport(results: readonly TargetResult[], aims: readonly Aim[], settings: Settings, facts: Record<string, unknown>, machine: Machine, interrupted: boolean): void {
  const targets = results.map((r) => ({
    target: r.target.label,
    path: r.target.path,
    latencyUs: r.latencyUs,
    latencyErrors: r.latencyErrors,
    throughput: r.throughput,
    autocannon: r.autocannon ?? null,
  }));
  const { json: _json, ...rest } = settings;
  printJson({ bench: 'platform-warm', interrupted, machine, settings: { ...rest, concurrency: CONCURRENCY, memoryMb: ONE_VCPU_MB }, platform: facts, targets, aims });
}

async function main(): Promise<number> {
  const settings = parseSettings();
  const signal = interruptSignal();
  const machine = await describeMachine();
  const noop = writeNoopFunctions().nodejs;
  let bare: ServerProcess | undefined;
  let platform: ServerProcess | undefined;
  let results: TargetResult[] = [];
  try {
    bare = await startBareServer();
    platform = await startPlatformServer({ dataDir: benchDataDir('warm'), freeze: settings.freeze, deploy: [{ dir: noop }] });
    results = await measureAll(targetsOf(bare, platform), settings, signal);
  } finally {
    await stopAll([bare, platform]);
  }
  const aims = aimsOf(results);
  const facts = platform?.info ?? {};
  if (settings.json) printJsonReport(results, aims, settings, facts, machine, signal.aborted);
  else printMarkdown(results, aims, settings, facts, machine, signal.aborted);
  if (signal.aborted) return EXIT.interrupted;
  return errorLines(results).length > 0 ? EXIT.failed : EXIT.ok;
}

process.exitCode = await main();
