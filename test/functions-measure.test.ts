// The measure function (functions/measure-node and functions/measure-py): every command, bad
// input, and the two versions answering with the same shapes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { invokeHttp, REPO, startPlatform, type HttpReply } from './support/platform.ts';

const VERSIONS = ['measure-node', 'measure-py'];
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const IO_PREFIX = 'faasbench-measure-io-';
const ID_FILE = 'faasbench-measure-id';

interface Stat {
  exist_id: string;
  new_id: string;
  vm_id: string;
  inst_id: string;
  vm_priv_ip: string | null;
  vm_pub_ip: string | null;
  vm_pub_ip_error?: string;
  inst_priv_ip: string | null;
  uptime: string;
  cpu_info: string;
}

interface Measured {
  start_time: number;
  end_time: number;
  elapsed_time: number;
  sleep?: number;
  sleep_till?: number;
  stat?: Stat;
  io?: { time: number; speed: string }[];
  net?: { bps: number; meanr: number; minr: number; maxr: number };
  cpu?: number;
  cpuu?: number[];
  ls_tmp?: string[];
}

let platform: LocalPlatform;
let pubIpServer: Server;
let pubIpUrl: string;
beforeAll(async () => {
  platform = await startPlatform();
  for (const name of VERSIONS) platform.deployFolder(path.join(REPO, 'functions', name));
  // Stands in for a "what is my IP" service, with the padding such services send.
  pubIpServer = createHttpServer((_req, res) => res.end('  198.51.100.7\n'));
  await new Promise<void>((resolve) => pubIpServer.listen(0, '127.0.0.1', resolve));
  pubIpUrl = `http://127.0.0.1:${(pubIpServer.address() as AddressInfo).port}/ip`;
});
afterAll(async () => {
  await new Promise((resolve) => pubIpServer.close(resolve));
  await platform.stop();
});

async function measure(name: string, cmds: Record<string, unknown>): Promise<{ reply: HttpReply; body: Measured }> {
  const reply = await invokeHttp(platform, name, { cmds });
  expect(reply.headers['x-amz-function-error'], reply.text).toBeUndefined();
  expect(reply.status).toBe(200);
  return { reply, body: reply.json() as Measured };
}

const errorOf = (reply: HttpReply): { errorType: string; errorMessage: string } => reply.json() as { errorType: string; errorMessage: string };

function firstPrivateIpv4(): string | null {
  for (const addresses of Object.values(os.networkInterfaces())) {
    const found = (addresses ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A one-shot iperf3 server on loopback; resolves once it listens, and returns how to kill it. */
async function iperf3Server(port: number): Promise<() => void> {
  const child = spawn('iperf3', ['-s', '-1', '-p', String(port), '-B', '127.0.0.1', '--forceflush'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`iperf3 -s did not listen within 5 s: ${out}`)), 5000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Server listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('error', (err) => reject(err));
      child.on('exit', (code) => reject(new Error(`iperf3 -s exited (${code}) before listening: ${out}`)));
    });
  } catch (err) {
    kill();
    throw err;
  }
  return kill;
}

/** A dd-style rate (" 8.5 MB/s") in bytes per second, and half its last digit: its rounding error. */
function parseRate(speed: string): { value: number; halfStep: number } {
  const match = /^ (\d+(?:\.\d)?) ([kMGTPE])B\/s$/.exec(speed);
  expect(match, speed).not.toBeNull();
  const [, digits, prefix] = match as RegExpExecArray;
  const unit = 1000 ** ('kMGTPE'.indexOf(prefix as string) + 1);
  return { value: Number(digits) * unit, halfStep: (digits?.includes('.') ? 0.05 : 0.5) * unit };
}

/** The structure of a value: keys and types, arrays by their first element. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return [value.length ? shape(value[0]) : 'empty'];
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return value === null ? 'null' : typeof value;
}

describe.each(VERSIONS)('%s', (name) => {
  it('stat: a new instance stores its id, a reused one shows it; ids match the platform', async () => {
    const first = await measure(name, { stat: { argv: 1 } });
    expect(first.reply.headers['x-faasbench-cold']).toBe('true');
    const a = first.body.stat as Stat;
    expect(a.new_id).toMatch(UUID4);
    expect(a.exist_id).toBe(a.new_id);

    const second = await measure(name, { stat: { argv: 1 } });
    expect(second.reply.headers['x-faasbench-cold']).toBe('false');
    const b = second.body.stat as Stat;
    expect(b.exist_id).toBe(a.new_id);
    expect(b.new_id).toMatch(UUID4);
    expect(b.new_id).not.toBe(b.exist_id);

    const instance = first.reply.headers['x-faasbench-instance-id'];
    expect(second.reply.headers['x-faasbench-instance-id']).toBe(instance);
    expect(a.inst_id).toBe(instance);
    expect(b.inst_id).toBe(instance);
    expect(a.vm_id).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(a.vm_priv_ip).toBe(firstPrivateIpv4());
    expect(a.inst_priv_ip).toBe(a.vm_priv_ip);
    expect(a.vm_pub_ip).toBeNull();
    expect(a).not.toHaveProperty('vm_pub_ip_error');
    expect(a.uptime).toMatch(/^\d+\.\d+,\d+\.\d+$/);
    expect(a.cpu_info.startsWith(`${os.cpus().length},`)).toBe(true);
    expect(first.body.end_time - first.body.start_time).toBeCloseTo(first.body.elapsed_time, 6);
  });

  it('stat: vm_pub_ip comes from pub_ip_url only, trimmed; a dead URL gives null and the reason', async () => {
    const { body } = await measure(name, { stat: { argv: 1, pub_ip_url: pubIpUrl } });
    expect(body.stat?.vm_pub_ip).toBe('198.51.100.7');
    expect(body.stat).not.toHaveProperty('vm_pub_ip_error');
    const deadUrl = `http://127.0.0.1:${await freePort()}/ip`;
    const dead = await measure(name, { stat: { pub_ip_url: deadUrl } });
    expect(dead.body.stat?.vm_pub_ip).toBeNull();
    const reason = dead.body.stat?.vm_pub_ip_error ?? '';
    expect(reason.startsWith(`${deadUrl}: `), reason).toBe(true);
    expect(reason).toMatch(/refused/i);
  });

  it('sleep 200: slept at least 200 ms, by its own report and by elapsed_time', async () => {
    const { body } = await measure(name, { sleep: 200 });
    expect(body.sleep).toBeGreaterThanOrEqual(200);
    expect(body.elapsed_time).toBeGreaterThanOrEqual(body.sleep as number);
    expect(body.elapsed_time).toBeGreaterThanOrEqual(200);
  });

  it('sleep_till 300 ms ahead ends within 5 ms after the target', async () => {
    // Never early, every time; within 5 ms on at least one of three tries, because other tests
    // share the two cores and can hold the instance off the CPU for a few ms at the wrong moment.
    const lateness: number[] = [];
    while (lateness.length < 3 && !lateness.some((ms) => ms <= 5)) {
      const target = Date.now() + 300;
      const { body } = await measure(name, { sleep_till: target });
      expect(body.sleep_till).toBeGreaterThanOrEqual(target);
      expect(body.end_time).toBeGreaterThanOrEqual(body.sleep_till as number);
      lateness.push(body.end_time - target);
    }
    expect(Math.min(...lateness)).toBeLessThanOrEqual(5);
  });

  it('io: rd rounds of synced writes, reported like dd, and no file left behind', async () => {
    const { reply, body } = await measure(name, { io: { rd: 2, size: '64kB', cnt: 4 }, ls_tmp: true });
    expect(body.io).toHaveLength(2);
    for (const round of body.io ?? []) {
      expect(round.time).toBeGreaterThan(0);
      // 64kB is 64,000 bytes (64K would be 65,536): the rate is that over the time, as dd rounds it.
      const rate = parseRate(round.speed);
      expect(Math.abs(rate.value - (4 * 64_000) / round.time)).toBeLessThanOrEqual(rate.halfStep * 1.0001);
    }
    expect(body.ls_tmp).toContain(ID_FILE);
    expect(body.ls_tmp?.filter((f) => f.startsWith(IO_PREFIX))).toEqual([]);
    const after = await measure(name, { ls_tmp: true });
    expect(after.reply.headers['x-faasbench-instance-id']).toBe(reply.headers['x-faasbench-instance-id']);
    expect(after.body.ls_tmp).toContain(ID_FILE);
    expect(after.body.ls_tmp?.filter((f) => f.startsWith(IO_PREFIX))).toEqual([]);
  });

  it('net: iperf3 against a loopback server; then a clear error once the server is gone', async () => {
    const port = await freePort();
    const kill = await iperf3Server(port);
    try {
      const { body } = await measure(name, { net: { server_ip: '127.0.0.1', port, seconds: 1 } });
      const result = body.net as NonNullable<Measured['net']>;
      expect(result.bps).toBeGreaterThan(0);
      expect(result.minr).toBeGreaterThan(0);
      expect(result.minr).toBeLessThanOrEqual(result.meanr);
      expect(result.meanr).toBeLessThanOrEqual(result.maxr);
    } finally {
      kill();
    }
    const gone = await invokeHttp(platform, name, { cmds: { net: { server_ip: '127.0.0.1', port, seconds: 1 } } });
    expect(gone.headers['x-amz-function-error']).toBe('Unhandled');
    expect(errorOf(gone).errorType).toBe('CommandFailed');
    // iperf3's own words, which vary a little between its versions.
    expect(errorOf(gone).errorMessage).toMatch(new RegExp(`^net: iperf3 could not measure against 127\\.0\\.0\\.1:${port}: unable to connect to server.*: Connection refused$`));
  });

  it('net without iperf3: CommandFailed naming iperf3, and the instance keeps serving', async () => {
    // The platform sets PATH itself, as Lambda does; MEASURE_IPERF3 names the binary instead, here
    // a command that is on no PATH, which is what a host without iperf3 looks like to the function.
    const bare = `${name}-no-iperf3`;
    platform.deployFolder(path.join(REPO, 'functions', name), { name: bare, environment: { MEASURE_IPERF3: 'iperf3-absent' } });
    const reply = await invokeHttp(platform, bare, { cmds: { net: { server_ip: '127.0.0.1', port: await freePort(), seconds: 1 } } });
    expect(reply.headers['x-amz-function-error']).toBe('Unhandled');
    // toMatchObject: the error also carries its stack trace, as Lambda's do.
    expect(errorOf(reply)).toMatchObject({
      errorType: 'CommandFailed',
      errorMessage: 'net: iperf3 is not installed (MEASURE_IPERF3 is "iperf3-absent", which is neither on PATH nor an executable file)',
    });
    const after = await invokeHttp(platform, bare, { cmds: { ls_tmp: true } });
    expect(after.status).toBe(200);
    expect(after.headers['x-amz-function-error']).toBeUndefined();
    expect(after.headers['x-faasbench-instance-id']).toBe(reply.headers['x-faasbench-instance-id']);
  });

  it('cpu times the factorial; cpuu returns strictly increasing integer ms timestamps', async () => {
    const { body } = await measure(name, { cpu: { n: 10000 }, cpuu: { n: 300_000 } });
    expect(body.cpu).toBeGreaterThan(0);
    const stamps = body.cpuu ?? [];
    expect(stamps.length).toBeGreaterThanOrEqual(2);
    for (const [i, t] of stamps.entries()) {
      expect(Number.isInteger(t)).toBe(true);
      if (i > 0) expect(t).toBeGreaterThan(stamps[i - 1] as number);
    }
    expect(stamps[0]).toBeGreaterThanOrEqual(Math.floor(body.start_time) - 1);
    expect(stamps.at(-1)).toBeLessThanOrEqual(Math.ceil(body.end_time) + 1);
  });

  it('bad input: a function error naming the command and field; the same warm instance keeps serving', async () => {
    const instance = (await measure(name, {})).reply.headers['x-faasbench-instance-id'];
    const cases: [Record<string, unknown>, string][] = [
      [{ nope: 1 }, 'unknown command "nope" (known: sleep, sleep_till, stat, io, net, cpu, cpuu, ls_tmp)'],
      [{ io: { rd: 1, size: '12Q', cnt: 1 } }, 'io.size: expected a size like 4096, 64kB, 1K, 1MB or 1M, got "12Q"'],
      [{ sleep: '100' }, 'sleep: expected a number from 0 to 900000, got "100"'],
      [{ net: { server_ip: '-h', port: 5201 } }, 'net.server_ip: expected an IP address or host name, got "-h"'],
      [{ io: { rd: 1, size: 1024 } }, 'io.cnt: expected an integer from 1 to 1000000, got nothing'],
      [{ ls_tmp: 5 }, 'ls_tmp: expected true or an object, got 5'],
    ];
    for (const [cmds, message] of cases) {
      const reply = await invokeHttp(platform, name, { cmds });
      expect(reply.headers['x-amz-function-error']).toBe('Unhandled');
      expect(errorOf(reply)).toMatchObject({ errorType: 'InvalidCommand', errorMessage: message });
      expect(reply.headers['x-faasbench-instance-id']).toBe(instance);
    }
    const after = await measure(name, { ls_tmp: true });
    expect(after.reply.headers['x-faasbench-cold']).toBe('false');
    expect(after.reply.headers['x-faasbench-instance-id']).toBe(instance);
  });
});

it('both versions answer the same commands with the same shape', async () => {
  const cmds = { sleep: 1, stat: { argv: 1 }, io: { rd: 1, size: '1K', cnt: 1 }, cpu: { n: 10 }, cpuu: { n: 10 }, ls_tmp: true };
  const [node, python] = await Promise.all(VERSIONS.map((name) => measure(name, cmds)));
  expect(shape(python?.body)).toEqual(shape(node?.body));
  expect(Object.keys(node?.body ?? {})).toEqual(['start_time', 'end_time', 'elapsed_time', 'sleep', 'stat', 'io', 'cpu', 'cpuu', 'ls_tmp']);
});
