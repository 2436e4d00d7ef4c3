/**
 * Open-loop capacity of the invoker over gRPC, through the real path (`runLoad`: grpc provider,
 * SQLite store, summary), against a bare grpc-js server (helloworld.Greeter/SayHello) in its own
 * process: the highest constant rate on time (nothing dropped, every call ok, p99 lateness
 * <= 1 ms) and the highest complete rate. Beside it, in the same run: the same two searches with
 * the http provider against a bare node:http server, and the physical limit of the gRPC server,
 * a closed-loop grpc-js client (N unary calls always in flight on one channel; `ghz` is not in
 * Debian).
 *
 *   node bin/run-ts.mjs bench/grpc-capacity.bench.ts [--trial-s 5] [--concurrency 16] [--json]
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { DEFAULT_METHOD, HELLOWORLD_PROTO, loadGrpcMethod } from '../src/platform/grpc-method.ts';
import { describeMachine, machineLine, positiveFlag, printJson, progress } from './bench-cli.ts';
import { capacity, complete, onTime, trial, type Search } from './capacity-search.ts';
import { grpcTarget, httpTarget, type RunTarget } from './invoker-runs.ts';
import { fixed, markdownTable } from './markdown-table.ts';
import { startBareGrpcServer, startBareServer, stopAll, type ServerProcess } from './server-processes.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const trialS = positiveFlag(flag('trial-s'), 'trial-s', 5);
const concurrency = positiveFlag(flag('concurrency'), 'concurrency', 16);
const json = args.includes('--json');

/** Calls per second of `concurrency` unary calls kept in flight on one channel for `seconds`. */
async function closedLoop(address: string, seconds: number): Promise<{ callsPerS: number; errors: number }> {
  const method = loadGrpcMethod(HELLOWORLD_PROTO, DEFAULT_METHOD, { proto: 'proto', method: 'method' });
  const client = new Client(address, credentials.createInsecure());
  const call = (): Promise<boolean> =>
    new Promise((resolve) => {
      client.makeUnaryRequest(method.definition.path, method.definition.requestSerialize, method.definition.responseDeserialize, { name: 'bench' }, new Metadata(), {}, (err) => resolve(!err));
    });
  let done = 0;
  let errors = 0;
  const loop = async (ms: number): Promise<number> => {
    const started = performance.now();
    const until = started + ms;
    const worker = async (): Promise<void> => {
      while (performance.now() < until) {
        if (await call()) done++;
        else errors++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return (performance.now() - started) / 1000;
  };
  // One untimed second first: the channel connects and both sides' code compiles before the clock starts.
  await loop(1000);
  done = errors = 0;
  const elapsedS = await loop(seconds * 1000);
  client.close();
  return { callsPerS: done / elapsedS, errors };
}

interface ProviderResult {
  readonly onTime: Search;
  readonly complete: Search;
}

async function searches(label: string, target: RunTarget, store: string, onTimeFrom: number): Promise<ProviderResult> {
  // The first load run of a process also compiles the invoker's, the provider's and the store's
  // code: it is run once, untimed, so the first trial measures the invoker rather than the JIT.
  progress(`${label}: warm-up, one untimed 2 s run at 2,000/s`);
  await trial(target, 2000, 2, store);
  progress(`${label}: highest rate on time (nothing dropped, every call ok, p99 lateness <= 1 ms)`);
  const onTimeSearch = await capacity(target, store, onTimeFrom, trialS, onTime);
  progress(`${label}: highest rate with every call sent and answered, lateness aside`);
  const completeSearch = await capacity(target, store, 2000, trialS, complete);
  return { onTime: onTimeSearch, complete: completeSearch };
}

const servers: ServerProcess[] = [];
try {
  const machine = await describeMachine();
  const grpcServer = await startBareGrpcServer();
  servers.push(grpcServer);
  const httpServer = await startBareServer();
  servers.push(httpServer);
  const address = grpcServer.url.replace('grpc://', '');
  const store = path.join(mkdtempSync(path.join(os.tmpdir(), 'fbgrpccap-')), 'runs.db');

  progress(`closed-loop grpc-js client on the bare gRPC server (${concurrency} calls in flight, ${trialS} s)`);
  const peer = await closedLoop(address, trialS);
  // gRPC's on-time search starts lower: a first run missed the bar at 500/s.
  const grpc = await searches('grpc provider', grpcTarget(address), store, 100);
  const http = await searches('http provider', httpTarget(`${httpServer.url}/`, 64), store, 500);

  const rate = (s: Search): number | undefined => s.best?.rate;
  const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b);
  const out = { machine, trialS, concurrency, closedLoop: peer, grpc, http, grpcOnTimeToHttp: ratio(rate(grpc.onTime), rate(http.onTime)), grpcOnTimeToClosedLoop: ratio(rate(grpc.onTime), peer.callsPerS) };
  if (json) printJson(out);
  else {
    console.log(machineLine(machine));
    console.log(`\nOpen-loop capacity (${trialS} s per trial) against bare servers, and the gRPC server's closed-loop maximum (${concurrency} calls in flight, one channel):\n`);
    const row = (generator: string, mode: string, search: Search | undefined, value = search?.best?.rate): string[] => [generator, mode, fixed(value, 0), fixed(search?.best?.p99Ms, 2), fixed(ratio(value, peer.callsPerS), 3), fixed(ratio(value, rate(http.onTime)), 2)];
    console.log(
      markdownTable(
        ['load generator', 'mode', 'calls/s', 'p99 lateness ms', 'x grpc-js closed loop', 'x http on time'],
        [
          row('faasbench invoker, grpc provider (runLoad, SQLite store)', 'open loop, on time (p99 lateness <= 1 ms)', grpc.onTime),
          row('faasbench invoker, grpc provider (runLoad, SQLite store)', 'open loop, complete (nothing dropped)', grpc.complete),
          row('faasbench invoker, http provider (runLoad, SQLite store)', 'open loop, on time (p99 lateness <= 1 ms)', http.onTime),
          row('faasbench invoker, http provider (runLoad, SQLite store)', 'open loop, complete (nothing dropped)', http.complete),
          row(`grpc-js client (${concurrency} in flight)`, 'closed loop', undefined, peer.callsPerS),
        ],
        ['left', 'left', 'right', 'right', 'right', 'right'],
      ),
    );
    const trialsLine = (label: string, s: Search): string => `${label}: ${s.trials.map((t) => `${t.rate}/s p99 ${t.p99Ms.toFixed(2)} ms${t.dropped ? ` ${t.dropped} dropped` : ''}${t.holds ? '' : ' (failed calls)'}`).join(', ')}`;
    console.log(['', trialsLine('grpc on time', grpc.onTime), trialsLine('grpc complete', grpc.complete), trialsLine('http on time', http.onTime), trialsLine('http complete', http.complete)].join('\n'));
    if (peer.errors) console.log(`closed loop: ${peer.errors} calls failed`);
  }
} finally {
  await stopAll(servers);
}
