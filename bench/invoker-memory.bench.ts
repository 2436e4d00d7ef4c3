/**
 * Memory of a long replay: the invoker's peak resident set while it replays a plan of 10 million
 * invocations (by default) through the real path (`runLoad`: http provider, SQLite store) against a
 * bare node:http server in its own process. Plans are lazy and records stream to the store, so the
 * peak must not grow with the plan: aim under 300 MB.
 *
 *   node bin/run-ts.mjs bench/invoker-memory.bench.ts [--calls 10000000] [--rate 25000] [--json]
 *
 * At rates beyond what the invoker holds, calls are recorded as dropped: every planned call still
 * becomes a stored record, which is what the memory bound is about.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/store/index.ts';
import { describeMachine, machineLine, positiveFlag, printJson, progress } from './bench-cli.ts';
import { constantRun } from './invoker-runs.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';
import { startBareServer, stopAll, type ServerProcess } from './server-processes.ts';
import { summarize } from './samples.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const calls = positiveFlag(flag('calls'), 'calls', 10_000_000);
const rate = positiveFlag(flag('rate'), 'rate', 25_000);
const json = args.includes('--json');
const LIMIT_MB = 300;

function statusMb(key: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const servers: ServerProcess[] = [];
try {
  const machine = await describeMachine();
  const bare = await startBareServer();
  servers.push(bare);
  const store = path.join(mkdtempSync(path.join(os.tmpdir(), 'fbmem-')), 'runs.db');
  const samples: number[] = [];
  const sampler = setInterval(() => {
    samples.push(statusMb('VmRSS'));
    if (samples.length % 30 === 0) progress(`  ${samples.length} s: RSS ${statusMb('VmRSS').toFixed(0)} MB`);
  }, 1000);
  const started = Date.now();
  const result = await constantRun({ url: `${bare.url}/`, rate, seconds: calls / rate, store, connections: 32, showProgress: !json });
  clearInterval(sampler);
  const db = await openStore(store);
  const stored = await db.countRecords(result.runId);
  await db.close();
  const peak = statusMb('VmHWM');
  const s = result.summary;
  const out = { machine, calls, rate, seconds: (Date.now() - started) / 1000, peakRssMb: peak, medianRssMb: summarize(samples).p50, stored, byStatus: s.byStatus, aimMet: peak < LIMIT_MB && stored === calls };
  if (json) printJson(out);
  else {
    console.log(machineLine(machine));
    console.log(
      '\n' +
        markdownTable(
          ['planned calls', 'rate', 'wall s', 'stored records', 'ok', 'dropped', 'median RSS MB', 'peak RSS MB'],
          [[String(calls), `${rate}/s`, fixed(out.seconds, 0), String(stored), String(s.byStatus.ok ?? 0), String(s.byStatus.dropped ?? 0), fixed(out.medianRssMb, 0), fixed(peak, 0)]],
          ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
        ),
    );
    console.log(`\nAim: peak RSS under ${LIMIT_MB} MB with every planned call stored: ${verdict(out.aimMet)}`);
  }
} finally {
  await stopAll(servers);
}
