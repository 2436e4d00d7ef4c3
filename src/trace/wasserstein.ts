/**
 * The 1-D Wasserstein-1 (earth mover's) distance the sampler scores samples with, exact between
 * two empirical distributions, and a log-binned histogram that stands in for a distribution too
 * large to keep (a full Azure day has 46,000 functions per minute column, 1,440 columns).
 *
 * W1(P, Q) = integral over u in (0, 1) of |F^-1(u) - G^-1(u)| du. Both quantile functions of an
 * empirical distribution are step functions, so the integral is an exact finite sum over the
 * merged breakpoints; positions are kept as integers (u scaled by the product of the two total
 * weights) so unequal sizes cost no rounding in where the steps fall.
 */

/** W1 between two samples, each value weighing 1/length. Neither input is modified. */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return wasserstein1Sorted(sortedCopy(a), sortedCopy(b));
}

/** W1 between two samples already sorted ascending (not checked: a caller's hot loop sorts once). */
export function wasserstein1Sorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return atomsDistance(a, null, a.length, b, null, b.length);
}

/** Values below this are binned one integer per bin, so whole numbers 0..63 are kept exactly. */
export const EXACT_BELOW = 64;
export const BINS_PER_DOUBLING = 64;
/**
 * A log bin [x, x * 2^(1/64)) is at most this much wider than the lowest value it holds (about
 * 1.09%). Each bin's mass sits at the mean of the values added to it, so a value moves by less
 * than one bin width: W1(true distribution, histogram) <= RELATIVE_BIN_WIDTH * mean, plus less
 * than 1 for the share of values that are fractional and below EXACT_BELOW (0 for whole numbers).
 * W1(histogram, S) therefore differs from W1(true distribution, S) by at most that, for any S.
 */
export const RELATIVE_BIN_WIDTH = 2 ** (1 / BINS_PER_DOUBLING) - 1;

/**
 * A distribution of non-negative values in bounded memory: one count and one sum per bin up to
 * the highest occupied one (3,776 bins cover 0..2^64), whatever the number of values added (up
 * to 2^32 per bin). The sum
 * and the mean are exact (up to floating-point addition).
 */
export class LogHistogram {
  private counts = new Uint32Array(0);
  private sums = new Float64Array(0);
  private total = 0;
  private valueSum = 0;
  private atoms: { readonly values: Float64Array; readonly weights: Uint32Array } | null = null;

  add(value: number): void {
    this.addAll([value]);
  }

  /** Adds values[0..length): a whole batch in one call, for the sampler's pass over a full day. */
  addAll(values: ArrayLike<number>, length = values.length): void {
    let counts = this.counts;
    let sums = this.sums;
    let sum = 0;
    // Most cells of a trace are 0: counted apart, they cost no binning and no store.
    let zeros = 0;
    let i = 0;
    try {
      for (; i < length; i++) {
        const value = values[i]!;
        if (value === 0) {
          zeros++;
          continue;
        }
        if (!(value >= 0 && value < Infinity)) throw new RangeError(`LogHistogram: expected a finite value >= 0, got ${value}`);
        const bin = binOf(value);
        if (bin >= counts.length) {
          this.grow(bin);
          counts = this.counts;
          sums = this.sums;
        }
        counts[bin]!++;
        sums[bin]! += value;
        sum += value;
      }
    } finally {
      if (zeros > 0) {
        if (this.counts.length === 0) this.grow(0);
        this.counts[0]! += zeros;
      }
      // Also when a value is refused halfway: the totals keep matching the bins.
      this.total += i;
      this.valueSum += sum;
      this.atoms = null;
    }
  }

  /** How many values were added. */
  get count(): number {
    return this.total;
  }

  get sum(): number {
    return this.valueSum;
  }

  /** NaN when empty. */
  get mean(): number {
    return this.valueSum / this.total;
  }

  /** W1 between this distribution and a sample sorted ascending (see RELATIVE_BIN_WIDTH for the error). */
  distanceToSorted(sample: ArrayLike<number>): number {
    const { values, weights } = this.compact();
    return atomsDistance(values, weights, this.total, sample, null, sample.length);
  }

  /** The occupied bins as (mean of the bin, count) atoms, ascending; cached until the next add. */
  private compact(): { readonly values: Float64Array; readonly weights: Uint32Array } {
    if (this.atoms) return this.atoms;
    let occupied = 0;
    for (const c of this.counts) if (c > 0) occupied++;
    const values = new Float64Array(occupied);
    const weights = new Uint32Array(occupied);
    let k = 0;
    for (let bin = 0; bin < this.counts.length; bin++) {
      const c = this.counts[bin]!;
      if (c === 0) continue;
      values[k] = this.sums[bin]! / c;
      weights[k++] = c;
    }
    this.atoms = { values, weights };
    return this.atoms;
  }

  private grow(bin: number): void {
    let size = Math.max(16, this.counts.length);
    while (size <= bin) size *= 2;
    const counts = new Uint32Array(size);
    counts.set(this.counts);
    const sums = new Float64Array(size);
    sums.set(this.sums);
    this.counts = counts;
    this.sums = sums;
  }
}

/** Bin index: one per integer below EXACT_BELOW, then BINS_PER_DOUBLING per doubling. */
export function binOf(value: number): number {
  if (value < EXACT_BELOW) return Math.floor(value);
  return EXACT_BELOW + Math.floor(BINS_PER_DOUBLING * Math.log2(value / EXACT_BELOW));
}

/**
 * W1 between two weighted atom lists sorted ascending (weights null: 1 each). Atom i of `a` ends
 * at (cumulative weight of a up to i) * bTotal on a common integer scale of aTotal * bTotal, and
 * likewise for `b`, so every breakpoint of either quantile function is hit exactly.
 */
function atomsDistance(
  aValues: ArrayLike<number>,
  aWeights: ArrayLike<number> | null,
  aTotal: number,
  bValues: ArrayLike<number>,
  bWeights: ArrayLike<number> | null,
  bTotal: number,
): number {
  if (aTotal === 0 || bTotal === 0) throw new RangeError('wasserstein1: both distributions need at least one value');
  let i = 0;
  let j = 0;
  let position = 0;
  let aEnd = (aWeights ? aWeights[0]! : 1) * bTotal;
  let bEnd = (bWeights ? bWeights[0]! : 1) * aTotal;
  let area = 0;
  while (i < aValues.length && j < bValues.length) {
    const next = aEnd < bEnd ? aEnd : bEnd;
    area += (next - position) * Math.abs(aValues[i]! - bValues[j]!);
    position = next;
    if (aEnd === next && ++i < aValues.length) aEnd += (aWeights ? aWeights[i]! : 1) * bTotal;
    if (bEnd === next && ++j < bValues.length) bEnd += (bWeights ? bWeights[j]! : 1) * aTotal;
  }
  return area / (aTotal * bTotal);
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}
