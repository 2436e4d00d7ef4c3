/**
 * Load generation against HTTP targets with undici: sequential latency samples, and throughput
 * at a fixed number of connections over a fixed time; autocannon as a second opinion on
 * throughput. Every reply is checked, so a target that answers fast but wrongly counts as errors.
 */
import autocannon from 'autocannon';
import { Pool, type Dispatcher } from 'undici';
import { isNoopResponse } from './bench-functions.ts';
import { elapsedUs } from './samples.ts';

export interface Target {
  readonly label: string;
  readonly origin: string;
  readonly path: string;
  /** Platform targets report `x-faasbench-cold`; a cold start while measuring the warm path is an error. */
  readonly platform: boolean;
}

/** Every target is called the same way: a POST of an empty JSON event. */
const REQUEST_BODY = '{}';
const REQUEST_HEADERS = { 'content-type': 'application/json' };

export interface Reply {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData['headers'];
  readonly body: string;
  /** Request sent to body fully read. */
  readonly us: number;
}

/** A keep-alive pool of `connections`, one request at a time on each; a stuck target fails within 10 s instead of hanging the bench. */
export function benchPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
}

export function header(reply: Reply, name: string): string | undefined {
  const value = reply.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export async function send(pool: Pool, target: Target, signal: AbortSignal): Promise<Reply> {
  const start = process.hrtime.bigint();
  const res = await pool.request({ method: 'POST', path: target.path, body: REQUEST_BODY, headers: REQUEST_HEADERS, signal });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body, us: elapsedUs(start) };
}

/** Why a reply does not count as a warm, correct answer; undefined when it does. */
function warmProblem(reply: Reply, target: Target): string | undefined {
  if (reply.status !== 200) return `status ${reply.status}: ${reply.body.slice(0, 200)}`;
  if (!isNoopResponse(reply.body)) return `unexpected body ${reply.body.slice(0, 200)}`;
  if (target.platform && header(reply, 'x-faasbench-cold') !== 'false') return 'a cold start while measuring the warm path';
  return undefined;
}

export interface ErrorCount {
  readonly errors: number;
  /** The first error, to say what went wrong without flooding the output. */
  readonly firstError?: string;
}

/** Counts good replies and errors as they come. */
class Tally {
  ok = 0;
  errors = 0;
  firstError: string | undefined;
  readonly samplesUs: number[] = [];

  constructor(private readonly target: Target) {}

  readonly add = (reply: Reply | Error): void => {
    const problem = reply instanceof Error ? reply.message : warmProblem(reply, this.target);
    if (problem === undefined && !(reply instanceof Error)) {
      this.ok += 1;
      this.samplesUs.push(reply.us);
      return;
    }
    this.errors += 1;
    this.firstError ??= problem;
  };

  errorCount(): ErrorCount {
    return this.firstError === undefined ? { errors: this.errors } : { errors: this.errors, firstError: this.firstError };
  }
}

/** Runs `concurrency` request loops on `pool` while `keepGoing()` says so. */
async function drive(pool: Pool, target: Target, concurrency: number, keepGoing: () => boolean, onReply: (reply: Reply | Error) => void, signal: AbortSignal): Promise<void> {
  const loop = async (): Promise<void> => {
    while (keepGoing() && !signal.aborted) {
      try {
        onReply(await send(pool, target, signal));
      } catch (err) {
        if (signal.aborted) return;
        onReply(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

function forCount(n: number): () => boolean {
  let started = 0;
  return () => started++ < n;
}

function forMs(ms: number): () => boolean {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  return () => process.hrtime.bigint() < deadline;
}

const ignore = (): void => {};

export interface LatencyResult extends ErrorCount {
  /** One sample per good reply, in microseconds. */
  readonly samplesUs: readonly number[];
}

/**
 * Concurrency 1: `requests` calls per target, one after another on one kept-alive connection each,
 * after `warmup` calls to every target. The targets take turns in `blocks` blocks, so that a drift
 * in the machine's state (other work, CPU idle states, the JIT) reaches every target alike rather
 * than whichever happened to be measured at the time.
 */
export async function measureLatencies(
  targets: readonly Target[],
  options: { warmup: number; requests: number; blocks: number },
  signal: AbortSignal,
): Promise<LatencyResult[]> {
  const runs = targets.map((target) => ({ target, pool: benchPool(target.origin, 1), tally: new Tally(target) }));
  try {
    for (const { target, pool } of runs) await drive(pool, target, 1, forCount(options.warmup), ignore, signal);
    for (let block = 0; block < options.blocks; block++) {
      const size = Math.floor(options.requests / options.blocks) + (block < options.requests % options.blocks ? 1 : 0);
      for (const { target, pool, tally } of runs) await drive(pool, target, 1, forCount(size), tally.add, signal);
    }
    return runs.map(({ tally }) => ({ samplesUs: tally.samplesUs, ...tally.errorCount() }));
  } finally {
    await Promise.all(runs.map(({ pool }) => pool.close()));
  }
}

export interface ThroughputResult extends ErrorCount {
  readonly completed: number;
  readonly seconds: number;
  /** Good replies per second. */
  readonly rps: number;
}

/**
 * `connections` closed loops for `durationMs`. The warm-up runs at the same concurrency, so that the
 * platform has started one instance per connection before the clock starts.
 */
export async function measureThroughput(
  target: Target,
  options: { connections: number; warmupMs: number; durationMs: number },
  signal: AbortSignal,
): Promise<ThroughputResult> {
  const pool = benchPool(target.origin, options.connections);
  try {
    await drive(pool, target, options.connections, forMs(options.warmupMs), ignore, signal);
    const tally = new Tally(target);
    const start = process.hrtime.bigint();
    await drive(pool, target, options.connections, forMs(options.durationMs), tally.add, signal);
    const seconds = elapsedUs(start) / 1e6;
    return { completed: tally.ok, seconds, rps: tally.ok / seconds, ...tally.errorCount() };
  } finally {
    await pool.close();
  }
}

export interface AutocannonResult {
  readonly rps: number;
  readonly requests: number;
  readonly seconds: number;
  /** Non-2xx replies, connection errors and timeouts. */
  readonly errors: number;
}

/** The same closed-loop load from autocannon, a cross-check on measureThroughput's client. */
export function autocannonThroughput(target: Target, options: { connections: number; durationMs: number }, signal: AbortSignal): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const stop = (): void => instance.stop();
    const instance = autocannon(
      {
        url: `${target.origin}${target.path}`,
        method: 'POST',
        headers: REQUEST_HEADERS,
        body: REQUEST_BODY,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationMs / 1000,
      },
      (err, result) => {
        signal.removeEventListener('abort', stop);
        if (err) return reject(err);
        const requests = result.requests.total;
        resolve({ rps: requests / result.duration, requests, seconds: result.duration, errors: result.non2xx + result.errors + result.timeouts });
      },
    );
    signal.addEventListener('abort', stop, { once: true });
  });
}
