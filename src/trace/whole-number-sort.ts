/**
 * Ascending sort of a Float64Array of whole numbers, in place: what a unit's offsets (whole µs)
 * and merge keys are. A least-significant-digit radix sort (11-bit digits) when every value is a
 * whole number below 2^32, which is linear where the native sort is n log n and was most of a
 * plan's time; anything else (fractions, larger values, short arrays) takes the native sort.
 * Equal values are indistinguishable, so either way the result is the native sort's exactly.
 */

/** Below this the native sort is as fast, and the digit counts would cost more than the sort. */
const RADIX_MIN = 512;
const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const MASK = BUCKETS - 1;
const LARGEST = 0xffff_ffff;

// Grown on demand and kept: a plan sorts thousands of arrays of similar length.
let values32 = new Uint32Array(0);
let scratch32 = new Uint32Array(0);
const counts = new Uint32Array(3 * BUCKETS);

export function sortWholeNumbers(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  if (values32.length < n) {
    values32 = new Uint32Array(n);
    scratch32 = new Uint32Array(n);
  }
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // -0 is excluded too (Object.is): it would come back as +0.
    if (!(v >= 0 && v <= LARGEST && Number.isInteger(v)) || Object.is(v, -0)) return values.sort();
    values32[i] = v;
    if (v > max) max = v;
  }
  const passes = max <= MASK ? 1 : max < BUCKETS * BUCKETS ? 2 : 3;
  const sorted = radixPasses(n, passes);
  for (let i = 0; i < n; i++) values[i] = sorted[i]!;
  return values;
}

/** Sorts values32[0, n) by `passes` digits; returns the array that holds the result. */
function radixPasses(n: number, passes: number): Uint32Array {
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const v = values32[i]!;
    counts[v & MASK]!++;
    counts[BUCKETS + ((v >>> DIGIT_BITS) & MASK)]!++;
    counts[2 * BUCKETS + (v >>> (2 * DIGIT_BITS))]!++;
  }
  let from = values32;
  let to = scratch32;
  for (let p = 0; p < passes; p++) {
    const base = p * BUCKETS;
    const shift = p * DIGIT_BITS;
    let sum = 0;
    for (let b = base; b < base + BUCKETS; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = from[i]!;
      to[counts[base + ((v >>> shift) & MASK)]!++] = v;
    }
    [from, to] = [to, from];
  }
  return from;
}
