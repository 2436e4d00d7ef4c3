// The synthetic function: trace replay's stand-in for a traced function no benchmark resembles.
// It holds the traced memory (allocated and written, so it is resident) and keeps the CPU busy
// until the traced duration has passed since the call began, then reports what it actually did.
import v8 from 'node:v8';
import vm from 'node:vm';
import { setTimeout as sleepFor } from 'node:timers/promises';

const MiB = 1024 * 1024;
/** Node caps one Buffer at 4 GiB; functions may have up to 10 GiB. */
const CHUNK_BYTES = 256 * MiB;
/** Iterations between clock reads in the busy loop: reading the clock costs more than one. */
const BATCH = 10_000;
const FIELDS = ['durationMs', 'memoryMb'];
const RELEASE_WAIT_MS = 2000;
/** What the resident set may keep after a call: allocator caches and V8's own growth. */
const RELEASE_SLACK_BYTES = 16 * MiB;

// A full collection after each call hands the block back to the OS before the instance goes idle,
// so every call starts from the same resident baseline and the memory check below sees the truth.
// The flag is set here rather than on the command line, which Lambda does not let a function set.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

/** Where the busy loop leaves its result, so the compiler cannot drop the loop as dead. */
let _sink = 0;

class InvalidInput extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidInput';
  }
}

const show = (value) => (value === undefined ? 'nothing' : JSON.stringify(value));

export const handler = async (event, context) => {
  const started = performance.now();
  const request = readRequest(event ?? {}, context);
  const rssBefore = process.memoryUsage.rss();
  try {
    return occupy(request, started);
  } finally {
    await release(rssBefore);
  }
};

/**
 * Collects the block and waits (at most RELEASE_WAIT_MS) until the resident set is back where the
 * call found it: V8 frees large buffers on a background thread, which the platform would freeze
 * mid-way once the call returns. The wait lengthens the platform's duration, not durationMs.
 */
async function release(rssBefore) {
  collectGarbage();
  const giveUp = performance.now() + RELEASE_WAIT_MS;
  while (process.memoryUsage.rss() > rssBefore + RELEASE_SLACK_BYTES && performance.now() < giveUp) await sleepFor(1);
}

function occupy(request, started) {
  const chunks = allocate(request.memoryMb);
  const rssAfterAllocation = process.memoryUsage.rss();
  busyUntil(started + request.durationMs);
  const peakRss = Math.max(rssAfterAllocation, process.memoryUsage.rss());
  const allocated = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  return { requested: request, durationMs: performance.now() - started, memoryMb: allocated / MiB, rssMb: peakRss / MiB };
}

/** Written, not just reserved: untouched pages would never become resident. */
function allocate(memoryMb) {
  const chunks = [];
  for (let left = Math.round(memoryMb * MiB); left > 0; left -= CHUNK_BYTES) {
    chunks.push(Buffer.allocUnsafeSlow(Math.min(left, CHUNK_BYTES)).fill(0xa5));
  }
  return chunks;
}

function busyUntil(deadline) {
  let x = 1;
  while (performance.now() < deadline) {
    for (let i = 0; i < BATCH; i++) x = Math.sqrt(x * 1.000001 + i);
  }
  _sink = x;
}

function readNumber(event, key, unit) {
  const value = event[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidInput(`field "${key}": expected a number of ${unit} >= 0, got ${show(value)}`);
  return value;
}

function readRequest(event, context) {
  if (typeof event !== 'object' || Array.isArray(event)) throw new InvalidInput(`the event must be a JSON object {durationMs, memoryMb}, got ${show(event)}`);
  for (const key of Object.keys(event)) {
    if (!FIELDS.includes(key)) throw new InvalidInput(`field "${key}": unknown; expected ${FIELDS.join(', ')}`);
  }
  const durationMs = readNumber(event, 'durationMs', 'milliseconds');
  const memoryMb = readNumber(event, 'memoryMb', 'MB');
  const leftMs = context?.getRemainingTimeInMillis?.() ?? Infinity;
  if (durationMs > leftMs) throw new InvalidInput(`field "durationMs": ${durationMs} ms does not fit in the ${Math.floor(leftMs)} ms left before the function times out`);
  checkMemory(memoryMb);
  return { durationMs, memoryMb };
}

/**
 * A request that cannot fit is refused up front, with a message, instead of being killed with
 * Runtime.OutOfMemory: the instance survives. A request that only just fits may still be killed,
 * since the memory limit also counts what the kernel charges beside the resident pages.
 */
function checkMemory(memoryMb) {
  const limitMb = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (!Number.isFinite(limitMb)) return;
  const residentMb = process.memoryUsage.rss() / MiB;
  if (memoryMb <= limitMb - residentMb) return;
  throw new InvalidInput(
    `field "memoryMb": ${memoryMb} MB does not fit: the function has ${limitMb} MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE), ${Math.ceil(residentMb)} MB of it resident already`,
  );
}
