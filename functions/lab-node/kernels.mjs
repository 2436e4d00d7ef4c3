// Monolith mode: one named compute kernel, run from its args and a seed alone. Inputs come from
// mulberry32, written bit for bit as in ../lab-py/lab_kernels.py, and every digest is taken over
// bytes both languages produce alike, so the two labs give the same digest for the same event.
// Loaded only in monolith mode: the other modes do not pay for crypto and zlib on a cold start.
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { InvalidInput, isPlainObject, show } from './invalid-input.mjs';

const MAX_U32 = 0xffffffff;
const MAX_JSON_LEAVES = 1_000_000;
const DEFAULT_PATTERN = '\\b[aeiou][a-z]*[aeiou]\\b';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const VOCABULARY_SIZE = 512;

/** mulberry32: 32 bits of state, small enough to write identically in any language. */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function seededRandom(seed) {
  const u32 = mulberry32(seed);
  // Integer modulo, not float scaling, so both languages pick the same index without rounding doubt.
  return { u32, float: () => u32() / 4294967296, below: (k) => u32() % k };
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
/** Doubles as little-endian bytes (Float64Array's own order on every Lambda architecture). */
const doublesBytes = (values) => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

function seededFloats(rng, n) {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.float();
  return values;
}

/** n bytes: each u32 written little-endian, the last one cut short. */
function seededBytes(rng, n) {
  const bytes = Buffer.alloc(Math.ceil(n / 4) * 4);
  for (let i = 0; i < n; i += 4) bytes.writeUInt32LE(rng.u32(), i);
  return bytes.subarray(0, n);
}

function seededWord(rng) {
  const length = 2 + rng.below(8);
  let word = '';
  for (let i = 0; i < length; i++) word += LETTERS[rng.below(26)];
  return word;
}

/** n characters of words drawn from a seeded vocabulary: compressible, and regex-friendly. */
function seededText(rng, n) {
  const vocabulary = Array.from({ length: VOCABULARY_SIZE }, () => seededWord(rng));
  const parts = [];
  let length = 0;
  while (length < n) {
    const word = vocabulary[rng.below(VOCABULARY_SIZE)];
    parts.push(word, rng.below(16) === 0 ? '\n' : ' ');
    length += word.length + 1;
  }
  return parts.join('').slice(0, n);
}

function seededLeaf(rng) {
  switch (rng.below(4)) {
    case 0:
      return rng.u32();
    case 1:
      return seededWord(rng);
    case 2:
      return rng.below(2) === 1;
    default:
      return null;
  }
}

/** Objects on even levels, arrays on odd ones; integers and ASCII only, which both JSON libraries print alike. */
function seededTree(rng, depth, breadth) {
  if (depth === 0) return seededLeaf(rng);
  if (depth % 2 === 1) return Array.from({ length: breadth }, () => seededTree(rng, depth - 1, breadth));
  const node = {};
  for (let i = 0; i < breadth; i++) node[`k${i}`] = seededTree(rng, depth - 1, breadth);
  return node;
}

function fibonacci(n) {
  return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}

function sieve(n) {
  const composite = new Uint8Array(n + 1);
  const primes = [];
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j <= n; j += i) composite[j] = 1;
  }
  return primes;
}

/** C = A·B, each element summed in ascending k from 0, the order the python lab uses too. */
function multiply(a, b, n) {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
  }
  return c;
}

function chainedSha256(data, rounds) {
  let digest = createHash('sha256').update(data).digest();
  for (let r = 1; r < rounds; r++) digest = createHash('sha256').update(digest).update(data).digest();
  return digest.toString('hex');
}

function compileRegex(pattern) {
  try {
    return new RegExp(pattern, 'g');
  } catch (err) {
    throw new InvalidInput(`field "args.pattern": not a valid regular expression (${err.message})`);
  }
}

const integer = (fallback, min, max) => ({ kind: 'integer', fallback, min, max });
const string = (fallback) => ({ kind: 'string', fallback });

/**
 * Each kernel: its arguments, whether it draws inputs from the seed, `prepare` (input
 * generation, timed apart) and `compute` (the timed work, returning a digest and maybe a value).
 */
const KERNELS = {
  fibonacci: {
    args: { n: integer(25, 0, 40) },
    seeded: false,
    compute: ({ n }) => {
      const value = fibonacci(n);
      return { value, digest: sha256(String(value)) };
    },
  },
  primes: {
    args: { n: integer(100_000, 2, 50_000_000) },
    seeded: false,
    compute: ({ n }) => {
      const primes = sieve(n);
      return { value: primes.length, digest: sha256(primes.join(',')) };
    },
  },
  matmul: {
    args: { n: integer(64, 1, 1000) },
    seeded: true,
    prepare: ({ n }, rng) => ({ a: seededFloats(rng, n * n), b: seededFloats(rng, n * n) }),
    compute: ({ n }, { a, b }) => ({ digest: sha256(doublesBytes(multiply(a, b, n))) }),
  },
  sort: {
    args: { n: integer(100_000, 1, 20_000_000) },
    seeded: true,
    prepare: ({ n }, rng) => seededFloats(rng, n),
    compute: (_args, values) => ({ digest: sha256(doublesBytes(values.sort())) }),
  },
  hash: {
    args: { n: integer(65_536, 1, 64 * 1024 * 1024), rounds: integer(16, 1, 100_000) },
    seeded: true,
    prepare: ({ n }, rng) => seededBytes(rng, n),
    compute: ({ rounds }, data) => ({ digest: chainedSha256(data, rounds) }),
  },
  regex: {
    args: { n: integer(100_000, 1, 20_000_000), pattern: string(DEFAULT_PATTERN) },
    seeded: true,
    prepare: ({ n, pattern }, rng) => ({ regex: compileRegex(pattern), text: seededText(rng, n) }),
    compute: (_args, { regex, text }) => {
      const matches = text.match(regex) ?? [];
      return { value: matches.length, digest: sha256(matches.join('\n')) };
    },
  },
  json: {
    args: { depth: integer(4, 1, 8), breadth: integer(6, 1, 50), rounds: integer(3, 1, 1000) },
    seeded: true,
    check: ({ depth, breadth }) => {
      if (breadth ** depth > MAX_JSON_LEAVES) {
        throw new InvalidInput(`field "args": depth ${depth} and breadth ${breadth} make ${breadth ** depth} leaves; at most ${MAX_JSON_LEAVES}`);
      }
    },
    prepare: ({ depth, breadth }, rng) => seededTree(rng, depth, breadth),
    compute: ({ rounds }, tree) => {
      let text = JSON.stringify(tree);
      for (let r = 0; r < rounds; r++) text = JSON.stringify(JSON.parse(text));
      return { value: text.length, digest: sha256(text) };
    },
  },
  compression: {
    args: { n: integer(262_144, 1, 64 * 1024 * 1024), level: integer(6, 0, 9) },
    seeded: true,
    prepare: ({ n }, rng) => Buffer.from(seededText(rng, n), 'latin1'),
    // The digest covers the restored data: deflate's bytes differ between Node's zlib and python's.
    compute: ({ level }, data) => {
      const packed = deflateSync(data, { level });
      const restored = inflateSync(packed);
      if (!restored.equals(data)) throw new Error('compression: inflate did not restore the input');
      return { value: packed.length, digest: sha256(restored) };
    },
  },
};

export const KERNEL_NAMES = Object.keys(KERNELS);

function readArgument(key, spec, value) {
  if (value === undefined) return spec.fallback;
  if (spec.kind === 'string') {
    if (typeof value !== 'string') throw new InvalidInput(`field "args.${key}": expected a string, got ${show(value)}`);
    return value;
  }
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new InvalidInput(`field "args.${key}": expected an integer from ${spec.min} to ${spec.max}, got ${show(value)}`);
  }
  return value;
}

function readArguments(name, specs, raw) {
  if (raw === undefined) raw = {};
  if (!isPlainObject(raw)) throw new InvalidInput(`field "args": expected an object of arguments for kernel ${name}, got ${show(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(specs, key)) throw new InvalidInput(`field "args.${key}": unknown argument for kernel ${name}; expected ${Object.keys(specs).join(', ')}`);
  }
  return Object.fromEntries(Object.entries(specs).map(([key, spec]) => [key, readArgument(key, spec, raw[key])]));
}

function readSeed(seed) {
  if (seed === undefined) return 42;
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_U32) throw new InvalidInput(`field "seed": expected an integer from 0 to ${MAX_U32}, got ${show(seed)}`);
  return seed;
}

/** Runs `{run_function, args, seed}`: returns the kernel's digest, its value if it has one, and timings. */
export function runKernel({ run_function: name, args: rawArgs, seed: rawSeed }) {
  if (typeof name !== 'string' || !Object.hasOwn(KERNELS, name)) {
    throw new InvalidInput(`field "run_function": unknown kernel ${show(name)}; expected one of ${KERNEL_NAMES.join(', ')}`);
  }
  const kernel = KERNELS[name];
  const args = readArguments(name, kernel.args, rawArgs);
  kernel.check?.(args);
  const seed = readSeed(rawSeed);
  const t0 = performance.now();
  const input = kernel.prepare?.(args, seededRandom(seed));
  const t1 = performance.now();
  const { value, digest } = kernel.compute(args, input);
  const t2 = performance.now();
  return {
    kernel: name,
    args,
    seed: kernel.seeded ? seed : null,
    ...(value === undefined ? {} : { value }),
    result_digest: digest,
    setup_ms: t1 - t0,
    compute_ms: t2 - t1,
  };
}
