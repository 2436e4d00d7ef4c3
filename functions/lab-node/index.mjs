// The lab function (after faas-benchmarker): sleeps, computes and invokes nested functions as the
// event asks, and answers with a tree of nodes saying which instance served each call, whether it
// was cold, and when it ran. `run_function` switches to monolith mode (kernels.mjs).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { InvalidInput, isPlainObject, show } from './invalid-input.mjs';

const LAB_FIELDS = ['sleep', 'throughput_time', 'invoke_nested'];
const MONOLITH_FIELDS = ['run_function', 'args', 'seed'];
const NESTED_FIELDS = ['function_name', 'invoke_payload'];
/** Iterations between clock reads in the throughput loop: reading the clock costs more than one. */
const THROUGHPUT_BATCH = 1000;

const IDENTIFIER = instanceIdentifier();
let invocations = 0;
/** Where the throughput loop leaves its result, so the compiler cannot drop the loop as dead. */
let _throughputSink = 0;
let lambdaClient;

export const handler = async (event, context) => {
  const start = nowMs();
  const head = { function_name: context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME, identifier: IDENTIFIER, cold: invocations === 0, uptime: process.uptime(), start };
  invocations += 1;
  const request = readEvent(event ?? {});
  if (request.monolith) {
    const { runKernel } = await import('./kernels.mjs');
    const result = runKernel(request.monolith);
    return { ...head, end: nowMs(), ...result };
  }
  checkTimeBudget(request, context);
  const work = {};
  if (request.sleep !== undefined) Object.assign(work, { sleep: request.sleep, sleep_time: await sleepSeconds(request.sleep) });
  if (request.throughputTime !== undefined) Object.assign(work, computeFor(request.throughputTime));
  const nested = await Promise.all(request.nested.map(invokeNested));
  return { ...head, end: nowMs(), ...work, nested };
};

/**
 * Epoch milliseconds with sub-millisecond digits (Date.now() has none), comparable between the
 * instances of a call tree. performance.timeOrigin is not: Node samples the wall clock at another
 * point of its start-up than its monotonic origin, so two processes' origins disagree by up to
 * about a millisecond and a child could seem to start before its parent. One anchor per process,
 * taken at a tick of Date.now() (the narrowest of up to three, so a preemption while it is taken
 * does not shift it), puts every instance on the wall clock to within microseconds. The same anchor
 * as faasbench's src/core/clock.ts, kept here because a function folder deploys alone.
 */
const anchor = (() => {
  // A tick of Date.now() happens between the last read that saw the old value and the first that saw
  // the new one; a preemption between the two widens that window. Keep the narrowest window of up
  // to three ticks (one is enough when it is tight) and anchor at its middle.
  let best = { wallMs: 0, monotonicMs: 0, windowMs: Infinity };
  let prevBefore = performance.now();
  let prevWall = Date.now();
  for (let ticks = 0; ticks < 3 && best.windowMs > 0.05; ) {
    const before = performance.now();
    const wall = Date.now();
    const after = performance.now();
    if (wall !== prevWall) {
      ticks += 1;
      if (wall === prevWall + 1 && after - prevBefore < best.windowMs) best = { wallMs: wall, monotonicMs: (prevBefore + after) / 2, windowMs: after - prevBefore };
    }
    prevBefore = before;
    prevWall = wall;
  }
  // A clock stepping by more than 1 ms at each tick leaves no window: the last read is as good as any.
  return best.windowMs === Infinity ? { wallMs: Date.now(), monotonicMs: performance.now() } : { wallMs: best.wallMs, monotonicMs: best.monotonicMs };
})();
const nowMs = () => anchor.wallMs + (performance.now() - anchor.monotonicMs);

/**
 * The instance's id: the last segment of its memory cgroup (cgroup v1) or unified cgroup (v2) in
 * /proc/self/cgroup: the instance id on the local platform, and the sandbox's name wherever each
 * sandbox gets a cgroup of its own. Where that path is the root (a microVM per instance, as on
 * Lambda today), the boot id names the VM; the hostname is added for hosts that share a kernel.
 */
function instanceIdentifier() {
  const leaf = cgroupLeaf();
  if (leaf) return leaf;
  let bootId = 'no-boot-id';
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    /* not Linux: the hostname alone */
  }
  return `${bootId}-${hostname()}`;
}

function cgroupLeaf() {
  let text;
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return '';
  }
  const entries = text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, controllers, ...rest] = line.split(':');
      return { id, controllers: controllers.split(','), path: rest.join(':') };
    });
  const entry = entries.find((e) => e.controllers.includes('memory')) ?? entries.find((e) => e.id === '0' && e.controllers.join('') === '');
  return entry?.path.split('/').filter(Boolean).pop() ?? '';
}

function readEvent(event) {
  if (!isPlainObject(event)) throw new InvalidInput(`the event must be a JSON object, got ${show(event)}`);
  const monolith = Object.hasOwn(event, 'run_function');
  for (const key of Object.keys(event)) {
    if (monolith && LAB_FIELDS.includes(key)) throw new InvalidInput(`field "${key}": cannot be combined with run_function (monolith mode runs one kernel alone)`);
    if (!LAB_FIELDS.includes(key) && !MONOLITH_FIELDS.includes(key)) {
      throw new InvalidInput(`field "${key}": not a lab field; expected ${LAB_FIELDS.join(', ')}, or run_function with args and seed`);
    }
    if (!monolith && MONOLITH_FIELDS.includes(key)) throw new InvalidInput(`field "${key}": only used with run_function`);
  }
  if (monolith) return { monolith: event };
  return { sleep: readSeconds(event, 'sleep'), throughputTime: readSeconds(event, 'throughput_time'), nested: readNested(event.invoke_nested) };
}

function readSeconds(event, key) {
  const value = event[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidInput(`field "${key}": expected a number of seconds >= 0, got ${show(value)}`);
  return value;
}

/** Work that cannot end before the timeout is bad input, not a reason to lose the instance. */
function checkTimeBudget({ sleep = 0, throughputTime = 0 }, context) {
  const leftS = (context?.getRemainingTimeInMillis?.() ?? Infinity) / 1000;
  if (sleep + throughputTime <= leftS) return;
  const names = [sleep ? '"sleep"' : '', throughputTime ? '"throughput_time"' : ''].filter(Boolean);
  throw new InvalidInput(`${names.length > 1 ? 'fields' : 'field'} ${names.join(' and ')}: ${sleep + throughputTime} s of work does not fit in the ${leftS.toFixed(1)} s left before the function times out`);
}

function readNested(list) {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new InvalidInput(`field "invoke_nested": expected a list of {function_name, invoke_payload}, got ${show(list)}`);
  return list.map((item, i) => {
    const at = `invoke_nested[${i}]`;
    if (!isPlainObject(item)) throw new InvalidInput(`field "${at}": expected {function_name, invoke_payload}, got ${show(item)}`);
    for (const key of Object.keys(item)) {
      if (!NESTED_FIELDS.includes(key)) throw new InvalidInput(`field "${at}.${key}": unknown; expected ${NESTED_FIELDS.join(', ')}`);
    }
    const { function_name: functionName, invoke_payload: payload = {} } = item;
    if (typeof functionName !== 'string' || functionName === '') throw new InvalidInput(`field "${at}.function_name": expected a function name, got ${show(functionName)}`);
    if (!isPlainObject(payload)) throw new InvalidInput(`field "${at}.invoke_payload": expected an object (the nested function's event), got ${show(payload)}`);
    return { functionName, payload };
  });
}

/**
 * Sleeps at least `seconds` and returns the seconds slept. Timers run on the event loop's
 * millisecond clock, which can fire up to a millisecond early: what is left is slept again.
 */
async function sleepSeconds(seconds) {
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  for (let left = until - t0; left > 0; left = until - performance.now()) await sleepFor(Math.ceil(left));
  return (performance.now() - t0) / 1000;
}

/** Busy arithmetic for `seconds` of wall time; the count is comparable within one language only. */
function computeFor(seconds) {
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let count = 0;
  let x = 1;
  while (performance.now() < until) {
    for (let i = 0; i < THROUGHPUT_BATCH; i++) x = Math.sqrt(x * 1.000001 + i);
    count += THROUGHPUT_BATCH;
  }
  _throughputSink = x;
  const cpu = process.cpuUsage(cpuBefore);
  return { throughput: count, throughput_time: (performance.now() - t0) / 1000, throughput_process_time: (cpu.user + cpu.system) / 1e6 };
}

/** One child's tree, or a node carrying the error that kept it from giving one. */
async function invokeNested({ functionName, payload }) {
  try {
    const base = process.env.FAASBENCH_INVOKE_URL;
    const outcome = base ? await invokeLocal(base, functionName, payload) : await invokeAws(functionName, payload);
    if (outcome.error) return { function_name: functionName, error: outcome.error, nested: [] };
    return JSON.parse(outcome.payload);
  } catch (err) {
    return { function_name: functionName, error: { errorType: err.code ?? err.name ?? 'Error', errorMessage: err.message ?? String(err) }, nested: [] };
  }
}

/** Through the local platform's Lambda API. A fresh connection per call: a kept-alive socket would go stale while the instance is frozen. */
function invokeLocal(base, functionName, payload) {
  const body = Buffer.from(JSON.stringify(payload));
  const headers = { 'content-type': 'application/json', 'content-length': body.length };
  if (process.env.FAASBENCH_INVOKE_TOKEN) headers.authorization = `Bearer ${process.env.FAASBENCH_INVOKE_TOKEN}`;
  // As the AWS SDK does inside Lambda: the invocation's trace passed on, so the child joins it.
  if (process.env._X_AMZN_TRACE_ID) headers['x-amzn-trace-id'] = process.env._X_AMZN_TRACE_ID;
  const url = `${base.replace(/\/+$/, '')}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve(lambdaOutcome(res.statusCode, res.headers, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function parseOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The API refused the call (status), or the function failed (X-Amz-Function-Error), or its payload. */
function lambdaOutcome(status, headers, text) {
  const body = parseOrNull(text);
  if (status !== 200) return { error: { errorType: headers['x-amzn-errortype'] ?? `HTTP ${status}`, errorMessage: body?.Message ?? body?.message ?? text } };
  if (headers['x-amz-function-error']) return { error: { errorType: body?.errorType ?? headers['x-amz-function-error'], errorMessage: body?.errorMessage ?? text } };
  return { payload: text };
}

/** On Lambda, where the SDK is part of the runtime: loaded only on this path, never locally. */
async function invokeAws(functionName, payload) {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  lambdaClient ??= new LambdaClient({});
  const out = await lambdaClient.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }));
  const text = Buffer.from(out.Payload ?? []).toString('utf8');
  if (!out.FunctionError) return { payload: text };
  const body = parseOrNull(text);
  return { error: { errorType: body?.errorType ?? out.FunctionError, errorMessage: body?.errorMessage ?? text } };
}
