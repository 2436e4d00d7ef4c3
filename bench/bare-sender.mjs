/**
 * The physical limit of an open-loop sender written in Node on this host: the least a Node
 * process can do to send calls at their planned times. Keep-alive sockets opened before offset 0,
 * one request's bytes built once, no records kept beyond two numbers a call, no store, no thread
 * of its own, nothing compiled ahead. cli-capacity.bench.ts runs it beside faasbench, so the
 * lateness faasbench shows can be read against what no Node sender here could beat.
 *
 *   node bench/bare-sender.mjs <http://host:port/path> <calls per second> <seconds>
 *
 * Prints one JSON object: achieved calls/s (2xx), errors, p99 latency and lateness (sent minus
 * planned) in ms, and the lateness per second of the run. It reads answers framed by
 * Content-Length only (as the bench's bare server sends them); any other answer is an error.
 */
import net from 'node:net';
import { setImmediate } from 'node:timers';

const [url, rateArg, secondsArg] = process.argv.slice(2);
const target = new URL(url ?? '');
const rate = Number(rateArg);
const seconds = Number(secondsArg);
if (!(rate > 0) || !(seconds > 0)) {
  console.error('usage: node bench/bare-sender.mjs <url> <calls per second> <seconds>');
  process.exit(2);
}
const PREPARED = 64;
const body = '{}';
const request = Buffer.from(`POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 'latin1');
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

const count = Math.round(rate * seconds);
const plannedUs = new Float64Array(count);
const sentUs = new Float64Array(count);
const latencyMs = new Float64Array(count).fill(NaN);
let ok = 0;
let errors = 0;
let answered = 0;
const idle = [];
const sockets = [];

/**
 * One keep-alive connection: the calls it carries, in order, and what it has read of the current
 * answer. Usable at once: a call written before the connection is up goes out when it is.
 */
function open() {
  const socket = net.connect(Number(target.port || 80), target.hostname);
  socket.setNoDelay(true);
  const carrying = [];
  let pending = Buffer.alloc(0);
  socket.send = (seq) => {
    carrying.push(seq);
    socket.write(request);
  };
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = pending.toString('latin1', 0, end);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!length) {
        socket.destroy(new Error('an answer without Content-Length'));
        return;
      }
      const total = end + 4 + Number(length[1]);
      if (pending.length < total) return;
      const seq = carrying.shift();
      const status = Number(head.slice(9, 12));
      latencyMs[seq] = (nowUs() - sentUs[seq]) / 1000;
      if (status >= 200 && status < 300) ok++;
      else errors++;
      answered++;
      pending = pending.subarray(total);
      idle.push(socket);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    for (const seq of carrying.splice(0)) {
      latencyMs[seq] = NaN;
      errors++;
      answered++;
    }
    const at = idle.indexOf(socket);
    if (at >= 0) idle.splice(at, 1);
  });
  sockets.push(socket);
  return socket;
}

/** A connection opened before offset 0; rejects when it cannot be. */
function prepared() {
  const socket = open();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket)).once('error', reject);
  });
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

try {
  for (let i = 0; i < PREPARED; i++) idle.push(await prepared());
} catch (err) {
  console.error(`bare-sender: cannot connect to ${target.host}: ${err.message}`);
  process.exit(1);
}
const startUs = nowUs() + 20_000;
let lastTurnUs = nowUs();
for (let seq = 0; seq < count; seq++) {
  const due = startUs + (seq * 1e6) / rate;
  plannedUs[seq] = due;
  // Yield to I/O while there is time (and at least every 500 µs); spin the last 150 µs.
  while (nowUs() < due - 150 || nowUs() - lastTurnUs > 500) {
    await turn();
    lastTurnUs = nowUs();
  }
  while (nowUs() < due) {
    /* spin */
  }
  const socket = idle.pop() ?? open();
  sentUs[seq] = nowUs();
  socket.send(seq);
}
const drainUntil = nowUs() + 10_000_000;
while (answered < count && nowUs() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 10));
for (const socket of sockets) socket.destroy();

// Nearest rank, as src/analysis/percentile.ts, which this file cannot import: node runs no
// TypeScript without tsx, whose loader would count in the RSS this process is measured by.
const p = (values, q) => {
  const sorted = Float64Array.from(values).sort();
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)];
};
const lateness = Array.from(sentUs, (s, i) => Math.max(0, s - plannedUs[i]) / 1000);
const perSecond = [];
for (let second = 0; Math.round(second * rate) < count; second++) {
  const slice = lateness.slice(Math.round(second * rate), Math.round((second + 1) * rate));
  perSecond.push({ second, calls: slice.length, p50Ms: p(slice, 50), p99Ms: p(slice, 99) });
}
console.log(
  JSON.stringify({
    achievedPerSecond: ok / seconds,
    errors: errors + (count - answered),
    latencyP99Ms: p(Array.from(latencyMs).filter((v) => !Number.isNaN(v)), 99),
    latenessP99Ms: p(lateness, 99),
    perSecond,
  }),
);
