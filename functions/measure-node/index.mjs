// The measure function (after faas_measure): runs the commands in `event.cmds` and reports what
// each measured, with the handler's start and end times. See README.md for the commands.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { expectFlag, expectInteger, expectNumber, expectObject, InvalidCommand, show } from './args.mjs';
import { sleepFor, sleepTill, wallClock } from './clock.mjs';
import { stat } from './sysinfo.mjs';
import { io, parseSize } from './disk.mjs';
import { net } from './network.mjs';
import { cpu, cpuu } from './compute.mjs';

/** Lambda's longest timeout: no sleep can usefully be longer. */
const MAX_SLEEP_MS = 900_000;
const DAY_MS = 86_400_000;
const MAX_NET_SECONDS = 10;
const MAX_FACTORIAL = 200_000;
const MAX_CPUU = 10_000_000;

function parseSleepTill(value, now) {
  const current = now();
  // A target more than a day back is almost surely epoch seconds rather than ms.
  if (typeof value !== 'number' || !(value >= current - DAY_MS && value <= current + MAX_SLEEP_MS)) {
    throw new InvalidCommand(`sleep_till: expected an epoch time in ms within the last day or the next ${MAX_SLEEP_MS} ms, got ${show(value)}`);
  }
  return value;
}

function parseStat(value) {
  const { pub_ip_url: url } = expectFlag('stat', value, ['argv', 'pub_ip_url']);
  if (url !== undefined && !(typeof url === 'string' && /^https?:\/\/[^\s]+$/.test(url) && URL.canParse(url))) {
    throw new InvalidCommand(`stat.pub_ip_url: expected an http(s) URL, got ${show(url)}`);
  }
  return { pubIpUrl: url ?? null };
}

/** A block must fit in memory beside the runtime: a quarter of the function's memory at most. */
function maxBlockBytes() {
  return (Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || 128) * 1024 * 1024 / 4;
}

function parseIo(value) {
  const args = expectObject('io', value, ['rd', 'size', 'cnt']);
  const size = parseSize(args.size);
  if (size === null) throw new InvalidCommand(`io.size: expected a size like 4096, 64kB, 1K, 1MB or 1M, got ${show(args.size)}`);
  if (size > maxBlockBytes()) throw new InvalidCommand(`io.size: ${show(args.size)} is over ${maxBlockBytes()} bytes, a quarter of the function's memory`);
  return { rd: expectInteger('io', 'rd', args.rd, 1, 1000), size, cnt: expectInteger('io', 'cnt', args.cnt, 1, 1_000_000) };
}

function parseNet(value) {
  const args = expectObject('net', value, ['server_ip', 'port', 'seconds']);
  // No leading "-": iperf3 would read it as an option.
  if (typeof args.server_ip !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9.:-]*$/.test(args.server_ip)) {
    throw new InvalidCommand(`net.server_ip: expected an IP address or host name, got ${show(args.server_ip)}`);
  }
  return {
    serverIp: args.server_ip,
    port: expectInteger('net', 'port', args.port, 1, 65535),
    seconds: args.seconds === undefined ? 2 : expectInteger('net', 'seconds', args.seconds, 1, MAX_NET_SECONDS),
  };
}

const nArg = (cmd, value, max) => ({ n: expectInteger(cmd, 'n', expectObject(cmd, value, ['n']).n, 1, max) });

/** Every command, in the order they run: the sleeps first, so the rest start at a synchronised moment. */
const COMMANDS = {
  sleep: { parse: (v) => expectNumber('sleep', null, v, 0, MAX_SLEEP_MS), run: (ms, now) => sleepFor(now, ms) },
  sleep_till: { parse: parseSleepTill, run: (target, now) => sleepTill(now, target) },
  stat: { parse: parseStat, run: stat },
  io: { parse: parseIo, run: io },
  net: { parse: parseNet, run: net },
  cpu: { parse: (v) => nArg('cpu', v, MAX_FACTORIAL), run: cpu },
  cpuu: { parse: (v) => nArg('cpuu', v, MAX_CPUU), run: cpuu },
  // Last, so it shows what the other commands left in the temp dir.
  ls_tmp: { parse: (v) => expectFlag('ls_tmp', v), run: () => readdirSync(os.tmpdir()).sort() },
};

/** Checks every command before any runs, so bad input costs nothing and leaves nothing behind. */
function plan(cmds, now) {
  if (cmds === null || typeof cmds !== 'object' || Array.isArray(cmds)) {
    throw new InvalidCommand(`cmds: expected an object of commands, got ${show(cmds)}`);
  }
  for (const name of Object.keys(cmds)) {
    if (!Object.hasOwn(COMMANDS, name)) throw new InvalidCommand(`unknown command "${name}" (known: ${Object.keys(COMMANDS).join(', ')})`);
  }
  return Object.keys(COMMANDS)
    .filter((name) => Object.hasOwn(cmds, name))
    .map((name) => [name, COMMANDS[name].parse(cmds[name], now)]);
}

export const handler = async (event) => {
  const now = wallClock();
  const startTime = now();
  const steps = plan(event?.cmds, now);
  const results = {};
  for (const [name, args] of steps) results[name] = await COMMANDS[name].run(args, now);
  const endTime = now();
  return { start_time: startTime, end_time: endTime, elapsed_time: endTime - startTime, ...results };
};
