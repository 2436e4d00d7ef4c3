/**
 * Open-loop capacity of the invoker, through the real path (`runLoad`: http provider, SQLite store,
 * summary), against a bare node:http server in its own process: the highest constant rate it holds
 * with p99 lateness at most 1 ms and nothing dropped, next to the closed-loop maximum of autocannon
 * and wrk on the same server in the same run; then the lateness distribution at 1,000 and 5,000/s.
 *
 *   node bin/run-ts.mjs bench/invoker-capacity.bench.ts [--trial-s 5] [--json]
 *
 * wrk comes from Debian (`apt-get install wrk`); without it its row says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { describeMachine, machineLine, positiveFlag, printJson, progress } from './bench-cli.ts';
import { capacity, complete, onTime, trial } from './capacity-search.ts';
import { httpTarget } from './invoker-runs.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';
import { startBareServer, stopAll, type ServerProcess } from './server-processes.ts';

const args = process.argv.slice(2);
const trialS = positiveFlag(args[args.indexOf('--trial-s') + 1], '--trial-s', 5);
const json = args.includes('--json');
const CONNECTIONS = 16;
const BODY = '{}';

function autocannonMax(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon({ url, method: 'POST', body: BODY, connections: CONNECTIONS, duration: trialS }, (err, result) => (err ? reject(err) : resolve(result.requests.average)));
  });
}

function wrkMax(url: string): number | undefined {
  if (spawnSync('wrk', ['--version']).error) return undefined;
  const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'fbwrk-')), 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["content-type"] = "application/json"\n`);
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${trialS}s`, '-s', script, url], { encoding: 'utf8' });
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return match ? Number(match[1]) : undefined;
}

const servers: ServerProcess[] = [];
try {
  const machine = await describeMachine();
  const bare = await startBareServer();
  servers.push(bare);
  const store = path.join(mkdtempSync(path.join(os.tmpdir(), 'fbcap-')), 'runs.db');
  const target = httpTarget(`${bare.url}/`, 64);
  progress('closed-loop peers on the bare server');
  const ac = await autocannonMax(bare.url);
  const wrk = wrkMax(bare.url);
  // The first load run of a process also compiles the invoker's and the store's code paths: it is
  // run once, untimed, so the first trial measures the invoker rather than the JIT.
  progress('warm-up: one untimed 2 s run at 2,000/s');
  await trial(target, 2000, 2, store);
  progress('open-loop capacity of the invoker (runLoad: http provider + SQLite store), p99 lateness <= 1 ms');
  const { best, trials } = await capacity(target, store, 500, trialS, onTime);
  progress('highest rate with every call sent and answered, lateness aside');
  const { best: throughput, trials: throughputTrials } = await capacity(target, store, 2000, trialS, complete);
  progress('lateness at 1,000 and 5,000 calls/s (10 s each)');
  const at = [await trial(target, 1000, 10, store), await trial(target, 5000, 10, store)];
  const ratio = best ? best.rate / ac : 0;
  if (json) {
    printJson({ machine, trialS, autocannon: ac, wrk, capacity: best, trials, throughput, throughputTrials, lateness: at, ratioToAutocannon: ratio, aimMet: ratio >= 0.8 });
  } else {
    console.log(machineLine(machine));
    console.log(`\nOpen-loop capacity (p99 lateness <= 1 ms, nothing dropped; ${trialS} s per trial) vs closed-loop maximum (${CONNECTIONS} connections):\n`);
    console.log(
      markdownTable(
        ['load generator', 'mode', 'calls/s', 'ratio to autocannon'],
        [
          ['faasbench invoker (runLoad, SQLite store)', 'open loop, p99 lateness <= 1 ms', fixed(best?.rate, 0), fixed(ratio, 2)],
          ['faasbench invoker (runLoad, SQLite store)', 'open loop, nothing dropped', fixed(throughput?.rate, 0), fixed(throughput ? throughput.rate / ac : undefined, 2)],
          ['autocannon', 'closed loop', fixed(ac, 0), '1.00'],
          ['wrk (1 thread)', 'closed loop', wrk === undefined ? 'wrk not installed' : fixed(wrk, 0), wrk === undefined ? '—' : fixed(wrk / ac, 2)],
        ],
        ['left', 'left', 'right', 'right'],
      ),
    );
    console.log(`\nAim: at least 0.8x autocannon: ${verdict(ratio >= 0.8)}\n`);
    console.log(
      markdownTable(
        ['rate', 'calls', 'lateness p50 ms', 'p99 ms', 'max ms', 'dropped'],
        at.map((t) => [`${t.rate}/s`, String(t.ok + t.dropped), fixed(t.p50Ms, 3), fixed(t.p99Ms, 3), fixed(t.maxMs, 3), String(t.dropped)]),
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
  }
} finally {
  await stopAll(servers);
}
