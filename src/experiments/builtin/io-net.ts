/**
 * io-net: disk and network inside a function at each memory size (after faas_measure's io and
 * network tests). Per size, measure's `io` writes `rd` rounds of `cnt` synced blocks of random
 * bytes to the instance's /tmp (write speed per round), and its `net` runs an iperf3 client
 * against a server (bits per second and the sender's RTTs). Both are CPU work too (random bytes,
 * TCP), so where CPU follows memory they follow it as well.
 *
 * The iperf3 server: by default the experiment starts its own on loopback at a free port (local
 * platform instances share the host's network) and always stops it in cleanup; `server=host:port`
 * uses one already running instead (what a cloud function needs: loopback is its own). Without an
 * iperf3 binary the disk is still measured and every row says why the network is not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { median } from '../../analysis/percentile.ts';
import type { Bench } from '../bench.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';

/** measure's io sizes: plain bytes, kB/MB/GB (powers of 1000), K/M/G (powers of 1024), as dd reads them. */
const SIZE_UNITS: Record<string, number> = { '': 1, kB: 1000, K: 1024, MB: 1000 ** 2, M: 1024 ** 2, GB: 1000 ** 3, G: 1024 ** 3 };
const SIZE = /^([1-9][0-9]*)(kB|K|MB|M|GB|G)?$/;
const SERVER_START_MS = 5000;
const SERVER_STOP_MS = 3000;

export function ioBytes(size: string | number): number {
  if (typeof size === 'number') return size;
  const match = SIZE.exec(size)!;
  return Number(match[1]) * SIZE_UNITS[match[2] ?? '']!;
}

const params = z.object({
  fn: z.string().default('measure-node'),
  sizes: z.array(z.number().int().min(128).max(10_240)).min(1).default([128, 256, 512, 1024, 1769]),
  /** Calls per size, each one io and one net measurement, after a warm-up call. */
  calls: z.number().int().min(1).max(100).default(1),
  io: z
    .object({
      rd: z.number().int().min(1).max(1000),
      size: z.union([z.number().int().positive(), z.string().regex(SIZE, 'expected a size like 4096, 64kB, 1K, 1MB or 1M')]),
      cnt: z.number().int().min(1).max(1_000_000),
    })
    .default({ rd: 3, size: '1M', cnt: 5 }),
  /** Seconds of each iperf3 test. */
  netSeconds: z.number().int().min(1).max(10).default(2),
  /** `local`: start an iperf3 server on loopback; or `host:port` of one already running. */
  server: z
    .string()
    .regex(/^(local|[A-Za-z0-9][A-Za-z0-9.:-]*:\d{1,5})$/, 'expected local or host:port')
    .default('local'),
  /** The iperf3 binary the local server runs. */
  iperf3: z.string().min(1).default('iperf3'),
});

type Params = z.output<typeof params>;

interface Server {
  readonly host: string;
  readonly port: number;
  readonly process: ChildProcess | null;
}

/** Per run: the server it started, or why there is none; cleanup stops what is here. */
const servers = new Map<string, Server | { readonly error: string }>();

interface SizeRow {
  readonly memoryMb: number;
  /** MB/s (10^6 bytes) of every io round of every call, in order. */
  readonly ioMBps: readonly number[];
  readonly bps: number | null;
  readonly meanRttUs: number | null;
  readonly minRttUs: number | null;
  readonly maxRttUs: number | null;
  readonly errors: string | null;
}

export default defineExperiment({
  name: 'io-net',
  description: "Disk write speed (measure's io: synced writes to /tmp) and network throughput and RTT (measure's net: iperf3) inside a function, per memory size.",
  params,
  async prepare(bench, p) {
    if (p.server !== 'local') {
      const at = p.server.lastIndexOf(':');
      servers.set(bench.runId, { host: p.server.slice(0, at), port: Number(p.server.slice(at + 1)), process: null });
      return;
    }
    try {
      const server = await startIperf3(p.iperf3);
      servers.set(bench.runId, server);
      bench.log(`io-net: iperf3 server listening on ${server.host}:${server.port}`);
    } catch (err) {
      servers.set(bench.runId, { error: (err as Error).message });
      bench.log(`io-net: ${(err as Error).message}`);
    }
  },
  async run(bench, p) {
    const server = servers.get(bench.runId) ?? { error: 'no iperf3 server' };
    const name = await bench.deploy(p.fn, { as: `${p.fn}-io-net`, memoryMb: p.sizes[0]!, timeoutS: 120 });
    const rows: SizeRow[] = [];
    for (const [i, memoryMb] of p.sizes.entries()) {
      if (bench.signal.aborted) break;
      if (i > 0) await bench.updateConfig(name, { memoryMb });
      const row = await measureSize(bench, name, memoryMb, p, server);
      rows.push(row);
      await bench.record('size', { ...row, ioMBps: [...row.ioMBps] });
      bench.progress(i + 1, p.sizes.length, `${memoryMb} MB`);
    }
    return resultOf(rows, p, server);
  },
  async cleanup(bench) {
    const server = servers.get(bench.runId);
    servers.delete(bench.runId);
    if (server && 'process' in server && server.process) await stopProcess(server.process);
  },
});

async function measureSize(bench: Bench, name: string, memoryMb: number, p: Params, server: Server | { readonly error: string }): Promise<SizeRow> {
  const errors: string[] = [];
  // The cold start goes to a call of its own.
  const warm = await bench.invoke(name, { event: { cmds: { stat: { argv: 1 } } } }, { tag: `warmup-${memoryMb}` });
  if (warm.record.status !== 'ok') errors.push(`warm-up: ${failureOf(warm.record.errorClass, warm.response)}`);
  const ioMBps: number[] = [];
  const nets: Array<{ bps: number; meanr: number; minr: number; maxr: number }> = [];
  const bytes = ioBytes(p.io.size) * p.io.cnt;
  for (let c = 0; c < p.calls && !bench.signal.aborted; c++) {
    const io = await bench.invoke(name, { event: { cmds: { io: p.io } } }, { tag: `io-${memoryMb}` });
    const rounds = (io.response as { io?: unknown } | null)?.io;
    if (io.record.status === 'ok' && Array.isArray(rounds) && rounds.every((r: { time?: unknown }) => typeof r?.time === 'number' && r.time > 0)) {
      const speeds = (rounds as Array<{ time: number; speed: string }>).map((r) => bytes / r.time / 1e6);
      ioMBps.push(...speeds);
      await bench.record('io', { memoryMb, call: c, rounds: rounds as Array<{ time: number; speed: string }>, MBps: speeds });
    } else errors.push(`io: ${failureOf(io.record.errorClass, io.response)}`);
    if ('error' in server) continue;
    const net = await bench.invoke(name, { event: { cmds: { net: { server_ip: server.host, port: server.port, seconds: p.netSeconds } } } }, { tag: `net-${memoryMb}` });
    const report = (net.response as { net?: { bps?: unknown; meanr?: unknown; minr?: unknown; maxr?: unknown } } | null)?.net;
    if (net.record.status === 'ok' && report && [report.bps, report.meanr, report.minr, report.maxr].every((v) => typeof v === 'number')) {
      const r = report as { bps: number; meanr: number; minr: number; maxr: number };
      nets.push(r);
      await bench.record('net', { memoryMb, call: c, ...r });
    } else errors.push(`net: ${failureOf(net.record.errorClass, net.response)}`);
  }
  if ('error' in server) errors.push(`net not measured: ${server.error}`);
  return {
    memoryMb,
    ioMBps,
    bps: median(nets.map((n) => n.bps)),
    meanRttUs: median(nets.map((n) => n.meanr)),
    minRttUs: nets.length ? Math.min(...nets.map((n) => n.minr)) : null,
    maxRttUs: nets.length ? Math.max(...nets.map((n) => n.maxr)) : null,
    errors: errors.length ? [...new Set(errors)].join('; ') : null,
  };
}

export function resultOf(rows: readonly SizeRow[], p: Params, server: Server | { readonly error: string }): ExperimentResult {
  const where = 'error' in server ? null : `${server.host}:${server.port}`;
  const measured = rows.filter((r) => r.bps !== null || r.ioMBps.length);
  return {
    columns: ['memory MB', 'io rounds', 'io MB/s by round', 'io p50 MB/s', 'net Mbit/s', 'RTT mean µs', 'RTT min µs', 'RTT max µs', 'errors'],
    rows: rows.map((r) => [
      r.memoryMb,
      r.ioMBps.length,
      r.ioMBps.map((v) => v.toFixed(1)).join(', ') || null,
      round(median(r.ioMBps), 2),
      r.bps === null ? null : round(r.bps / 1e6, 1),
      round(r.meanRttUs, 1),
      r.minRttUs,
      r.maxRttUs,
      r.errors,
    ]),
    notes: [
      measured.length
        ? `by memory: ${measured.map((r) => `${r.memoryMb} MB io ${round(median(r.ioMBps), 1) ?? '-'} MB/s, net ${r.bps === null ? '-' : round(r.bps / 1e6, 0)} Mbit/s`).join('; ')}`
        : 'nothing was measured',
      'error' in server
        ? `network not measured: ${server.error}`
        : `net: iperf3 client in the function against ${where}${p.server === 'local' ? ' (a server started on loopback for this run, stopped at its end)' : ''}, ${p.netSeconds} s per test; bits per second received, the sender's RTTs`,
      `io: ${p.io.rd} rounds of ${p.io.cnt} x ${p.io.size} blocks of random bytes, each synced (dd oflag=dsync), to the instance's /tmp; MB/s = 10^6 bytes per second of a round`,
    ],
    summary: { server: where, serverError: 'error' in server ? server.error : null, sizes: rows.map((r) => ({ ...r, ioMBps: [...r.ioMBps] })) },
    charts: [
      { title: 'disk write speed per memory size', mark: 'line', x: { column: 'memory MB' }, y: { column: 'io p50 MB/s' } },
      { title: 'network throughput per memory size', mark: 'line', x: { column: 'memory MB' }, y: { column: 'net Mbit/s' } },
    ],
  };
}

/** An iperf3 server on loopback at a free port, once it says it listens. */
async function startIperf3(binary: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(binary, ['-s', '-B', '127.0.0.1', '-p', String(port), '--forceflush'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Errors after start (a failed kill) must not crash the run; start failures are caught below.
  child.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${binary} -s did not listen on port ${port} within ${SERVER_START_MS / 1000} s`)), SERVER_START_MS);
      const done = (err?: Error): void => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      child.once('error', (err: NodeJS.ErrnoException) =>
        done(new Error(err.code === 'ENOENT' ? `iperf3 not found (${binary}): install iperf3 (apt-get install iperf3), or give -p server=host:port of a running one` : `cannot start ${binary}: ${err.message}`)),
      );
      child.once('exit', (code) => done(new Error(`${binary} -s exited with code ${code} before listening: ${stderr.trim() || 'no message'}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('Server listening')) done();
      });
    });
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { host: '127.0.0.1', port, process: child };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL if it lingers; resolves once it has exited. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_MS);
  await exited;
  clearTimeout(timer);
}

function failureOf(errorClass: string | null, response: unknown): string {
  const message = (response as { errorMessage?: unknown } | null)?.errorMessage;
  return [errorClass ?? 'no answer', typeof message === 'string' ? message : null].filter(Boolean).join(': ');
}

function round(value: number | null, digits: number): number | null {
  return value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;
}
