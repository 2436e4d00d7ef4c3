/**
 * The invoker as users meet it: `faasbench invoke` run through its CLI, side by side with the
 * open-loop tools people already use (`hey -q`, `loadtest --rps`, Artillery's arrivalRate) and the
 * least a Node sender can do (bare-sender.mjs, the physical limit for lateness) at the
 * same constant rates against one bare node:http server, in interleaved rounds (each round runs
 * every tool once per rate, the order rotating; the server answers 2 s of calls first, so no tool
 * meets it cold), plus the closed-loop maxima of autocannon and wrk.
 * Every tool runs in a process of its own under GNU time, whose maximum RSS is the figure given.
 * faasbench's lateness is read back from its store, per second of the run as well as overall.
 *
 *   node bin/run-ts.mjs bench/cli-capacity.bench.ts [--rates 1000,3000,10000] [--seconds 10]
 *     [--rounds 3] [--peers-dir /var/tmp/bench-peers] [--tools faasbench,hey -q] [--json]
 *
 * faasbench runs compiled (build/, as `npm install` leaves it): the bench builds first, and a run
 * after src/ changed mid-bench is refused rather than measured through tsx.
 *
 * hey, wrk and GNU time come from Debian (`apt-get install hey wrk time`); loadtest and Artillery
 * from npm into a folder of their own (`npm install --prefix /var/tmp/bench-peers loadtest artillery`).
 * A tool that is missing gets a row saying so.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { percentileOfSorted } from '../src/analysis/percentile.ts';
import { describeMachine, interruptSignal, machineLine, positiveFlag, printJson, progress } from './bench-cli.ts';
import { REPO } from './bench-functions.ts';
import { latenessBySecond, type SecondLateness } from './cli-capacity-lateness.ts';
import { closedLoopPeers, openLoopTools, type OpenLoopResult, type ToolRun } from './cli-capacity-tools.ts';
import { fixed, markdownTable } from './markdown-table.ts';
import { startBareServer } from './server-processes.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const rates = (flag('rates') ?? '1000,3000,10000').split(',').map((r) => positiveFlag(r, 'rates', 1000));
const seconds = positiveFlag(flag('seconds'), 'seconds', 10);
const rounds = positiveFlag(flag('rounds'), 'rounds', 3);
const peersDir = flag('peers-dir') ?? '/var/tmp/bench-peers';
/** Only these tools (names as in the tables, comma-separated: `--tools faasbench,hey -q`); default all. */
const only = flag('tools')?.split(',');
const json = args.includes('--json');
const execFileAsync = promisify(execFile);

interface Row extends OpenLoopResult {
  readonly tool: string;
  readonly rate: number;
  readonly round: number;
  readonly perSecond?: readonly SecondLateness[];
}

const signal = interruptSignal();
const machine = await describeMachine();
const server = await startBareServer();
const work = mkdtempSync(path.join(os.tmpdir(), 'fbclicap-'));
const rows: Row[] = [];
const closed: Array<{ tool: string; round: number; callsPerSecond: number | null; note: string }> = [];
try {
  await warmServer(server.url, Math.max(...rates));
  const tools = openLoopTools({ repo: REPO, peersDir, work }).filter((t) => only === undefined || only.includes(t.name));
  for (let round = 1; round <= rounds && !signal.aborted; round++) {
    for (const rate of rates) {
      // Rotating the order spreads whatever the machine does meanwhile over every tool.
      const order = tools.map((_, i) => tools[(i + round + rate) % tools.length]!);
      for (const tool of order) {
        if (signal.aborted) break;
        progress(`round ${round}/${rounds}, ${rate}/s: ${tool.name}...`);
        const run: ToolRun = await tool.run(server.url, rate, seconds);
        const perSecond = run.perSecond ?? (run.store ? await latenessBySecond(run.store.path, run.store.runId) : undefined);
        rows.push({ tool: tool.name, rate, round, ...run.result, ...(perSecond ? { perSecond } : {}) });
      }
    }
    for (const peer of closedLoopPeers({ repo: REPO, peersDir, work }).filter((t) => only === undefined || only.includes(t.name))) {
      if (signal.aborted) break;
      progress(`round ${round}/${rounds}: ${peer.name} closed loop...`);
      closed.push({ tool: peer.name, round, ...(await peer.run(server.url, seconds)) });
    }
  }
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}

if (json) printJson({ machine, rates, seconds, rounds, rows, closed });
else {
  console.log(machineLine(machine));
  console.log('\n' + summaryTable(rows));
  console.log('\n' + closedTable(closed));
  for (const rate of rates) {
    for (const tool of new Set(rows.filter((r) => r.perSecond).map((r) => r.tool))) {
      const seconds = rows.filter((r) => r.tool === tool && r.rate === rate && r.perSecond);
      if (seconds.length > 0) console.log(`\n${tool} at ${rate}/s, p99 lateness ms per second of the run (one line per round):\n` + seconds.map((r) => `  round ${r.round}: ${r.perSecond!.map((s) => fixed(s.p99Ms, 1)).join(' ')}`).join('\n'));
    }
  }
}

/**
 * Two seconds of calls at the highest rate before the first round, from the bare sender: a fresh
 * node:http server compiles its own path while it answers its first calls, and whichever tool ran
 * first met it cold.
 */
async function warmServer(url: string, rate: number): Promise<void> {
  if (signal.aborted) return;
  progress(`warming the server: 2 s at ${rate}/s...`);
  // A warm-up that fails is said and the rounds go on: each tool's own row then says what it met.
  await execFileAsync(process.execPath, [path.join(REPO, 'bench/bare-sender.mjs'), url, String(rate), '2'], { timeout: 60_000 }).catch((err: Error) => progress(`warming the server failed: ${err.message}`));
}

/** min / median / max of one figure over the rounds, as "min / median / max". */
function spread(values: readonly (number | null)[], digits: number): string {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return 'n/a';
  const mid = percentileOfSorted(known, 50);
  return known.length === 1 ? fixed(mid, digits) : `${fixed(known[0]!, digits)} / ${fixed(mid, digits)} / ${fixed(known[known.length - 1]!, digits)}`;
}

function summaryTable(all: readonly Row[]): string {
  const groups = new Map<string, Row[]>();
  for (const r of all) groups.set(`${r.rate}\u0000${r.tool}`, [...(groups.get(`${r.rate}\u0000${r.tool}`) ?? []), r]);
  const body = [...groups.values()].map((g) => {
    const first = g[0]!;
    if (first.missing) return [String(first.rate), first.tool, first.missing, '', '', '', '', '', ''];
    return [
      first.rate.toLocaleString('en-US'),
      first.tool,
      spread(g.map((r) => r.achievedPerSecond), 0),
      spread(g.map((r) => (r.achievedPerSecond === null ? null : (r.achievedPerSecond / first.rate) * 100)), 1),
      spread(g.map((r) => r.errors), 0),
      spread(g.map((r) => r.dropped), 0),
      spread(g.map((r) => r.latencyP99Ms), 1),
      spread(g.map((r) => r.latenessP99Ms), 1),
      spread(g.map((r) => r.peakRssMb), 0),
    ];
  });
  return markdownTable(
    ['rate/s', 'tool', 'achieved/s (min / median / max)', '% of rate', 'errors', 'dropped', 'p99 latency ms', 'p99 lateness ms', 'peak RSS MB'],
    body,
    ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

function closedTable(all: readonly { tool: string; callsPerSecond: number | null; note: string }[]): string {
  const tools = [...new Set(all.map((c) => c.tool))];
  return markdownTable(
    ['closed loop', 'calls/s (min / median / max)', 'note'],
    tools.map((t) => [t, spread(all.filter((c) => c.tool === t).map((c) => c.callsPerSecond), 0), all.find((c) => c.tool === t)!.note]),
    ['left', 'right', 'left'],
  );
}
