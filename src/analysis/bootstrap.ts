/**
 * Seeded bootstrap confidence intervals for quantiles (median, p99) and for the difference of a
 * quantile between two samples, by the percentile method, plus the bounded reservoir the samples
 * come from.
 *
 * Definitions (the tests recompute them by brute force):
 * - A quantile is the nearest rank (percentile.ts, the one definition every figure uses): the p-th
 *   percentile of n sorted values is the ceil(p/100 * n)-th smallest, so a CI and the point figure
 *   it is centred on speak of the same thing.
 * - One resample draws n indices with `prng.int(0, n - 1)`, in order, from `createPrng(seed, key)`;
 *   its statistic is the nearest-rank quantile of the drawn values.
 * - The interval at level L over B resamples is the ceil(a*B)-th and ceil((1 - a)*B)-th smallest
 *   of the B statistics (a = (1 - L)/2), both nearest rank.
 *
 * Large samples: at most `maxSample` values (default 10,000) are kept, a uniform reservoir of the
 * whole run, so memory and time stay bounded. A bootstrap over m kept values of n measures the
 * spread of a quantile at sample size m, which is wider than at n by about sqrt(n/m); the
 * deviations are therefore scaled by sqrt(m/n) about the full-data estimate (the m-out-of-n
 * bootstrap, Bickel, Götze & van Zwet 1997). Results say when that happened (`scale` < 1).
 */
import { createPrng, type Prng } from '../core/prng.ts';
import { indexDraws, type IndexDraws } from './index-draws.ts';
import { nearestRank, percentileOfSorted } from './percentile.ts';

export const DEFAULT_RESAMPLES = 2_000;
export const DEFAULT_LEVEL = 0.95;
export const DEFAULT_MAX_SAMPLE = 10_000;

/**
 * A uniform sample of at most `capacity` values from a stream of any length (Algorithm R), seeded
 * so that the same records always keep the same values.
 */
export class Reservoir {
  readonly capacity: number;
  #seen = 0;
  readonly #values: number[] = [];
  readonly #prng: Prng;

  constructor(seed: number, key: string, capacity = DEFAULT_MAX_SAMPLE) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`reservoir capacity ${capacity}: expected a whole number >= 1`);
    this.capacity = capacity;
    this.#prng = createPrng(seed, `reservoir:${key}`);
  }

  add(value: number): void {
    this.#seen += 1;
    if (this.#values.length < this.capacity) {
      this.#values.push(value);
      return;
    }
    const j = this.#prng.int(0, this.#seen - 1);
    if (j < this.capacity) this.#values[j] = value;
  }

  /** How many values were offered: the n the kept sample stands for. */
  get seen(): number {
    return this.#seen;
  }

  /** The kept values, sorted ascending (a copy). */
  sorted(): Float64Array {
    return Float64Array.from(this.#values).sort();
  }
}

export interface BootstrapOptions {
  /** B. Default 2,000. */
  readonly resamples?: number;
  readonly seed?: number;
  /** Names the PRNG stream, so two statistics of one run draw independent numbers. */
  readonly key?: string;
  /** Default 0.95. */
  readonly level?: number;
}

export interface QuantileCi {
  /** Percentile, 0 < p <= 100. */
  readonly p: number;
  /** The quantile the interval is centred on: of the full data when given, else of the sample. */
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

export interface QuantileBootstrap {
  readonly level: number;
  readonly resamples: number;
  /** Values resampled (m). */
  readonly sample: number;
  /** Values the sample stands for (n >= m). */
  readonly n: number;
  /** sqrt(m/n): 1 when the whole data was resampled. */
  readonly scale: number;
  readonly quantiles: readonly QuantileCi[];
}

interface Resolved {
  readonly resamples: number;
  readonly seed: number;
  readonly key: string;
  readonly level: number;
}

function resolve(options: BootstrapOptions): Resolved {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? DEFAULT_LEVEL;
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`resamples ${resamples}: expected a whole number >= 1`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level ${level}: expected a number between 0 and 1`);
  return { resamples, level, seed: options.seed ?? 42, key: options.key ?? '' };
}

/**
 * B bootstrap statistics of each percentile in `ps`, one Float64Array of length B per entry, the
 * resamples drawn from `draws` (indexDraws(seed, key, m)). Drawing into per-index counts over the
 * sorted sample and walking them finds the k-th smallest of a resample exactly as sorting it
 * would, in O(m) instead of O(m log m), and reads all the percentiles of one resample in one walk.
 */
export function resampleQuantiles(sorted: ArrayLike<number>, ps: readonly number[], resamples: number, draws: IndexDraws): Float64Array[] {
  const m = sorted.length;
  if (m === 0) throw new RangeError('cannot resample an empty sample');
  const order = ps.map((p, i) => ({ rank: nearestRank(p, m), i })).sort((a, b) => a.rank - b.rank);
  const out = ps.map(() => new Float64Array(resamples));
  const counts = new Int32Array(m);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    draws.countInto(counts, m);
    let cumulative = 0;
    let index = 0;
    for (const { rank, i } of order) {
      while (cumulative + counts[index]! < rank) cumulative += counts[index++]!;
      out[i]![b] = sorted[index]!;
    }
  }
  return out;
}

/** The nearest-rank interval of B statistics at `level`: sorts `stats` in place. */
export function percentileInterval(stats: Float64Array, level: number): { lo: number; hi: number } {
  stats.sort();
  const alpha = (1 - level) / 2;
  const B = stats.length;
  const at = (q: number): number => stats[Math.min(B, Math.max(1, Math.ceil(q * B - 1e-9))) - 1]!;
  return { lo: at(alpha), hi: at(1 - alpha) };
}

export interface SampleSpec {
  /** The kept values, sorted ascending. */
  readonly sorted: ArrayLike<number>;
  /** How many values they stand for; defaults to their count. */
  readonly n?: number;
  /** Full-data estimates, one per percentile asked, to centre the intervals on (the exact figures of every value). */
  readonly estimates?: readonly number[];
}

function scaleOf(spec: SampleSpec): { m: number; n: number; scale: number } {
  const m = spec.sorted.length;
  const n = Math.max(m, spec.n ?? m);
  return { m, n, scale: Math.sqrt(m / n) };
}

/**
 * Bootstrap CIs for percentiles `ps` of one sample. Null when the sample is empty. Each interval
 * is centre + scale * (resampled - sample estimate), which for the whole data (scale 1, centre =
 * the sample's estimate) is the plain percentile interval.
 */
export function bootstrapQuantiles(spec: SampleSpec, ps: readonly number[], options: BootstrapOptions = {}): QuantileBootstrap | null {
  const o = resolve(options);
  const { m, n, scale } = scaleOf(spec);
  if (m === 0) return null;
  const stats = resampleQuantiles(spec.sorted, ps, o.resamples, indexDraws(o.seed, o.key, m));
  const quantiles = ps.map((p, i) => {
    const own = percentileOfSorted(spec.sorted, p);
    const centre = spec.estimates?.[i] ?? own;
    const { lo, hi } = percentileInterval(stats[i]!, o.level);
    return { p, estimate: centre, lo: centre + scale * (lo - own), hi: centre + scale * (hi - own) };
  });
  return { level: o.level, resamples: o.resamples, sample: m, n, scale, quantiles };
}

export interface DifferenceCi {
  readonly p: number;
  /** b - a, of the centres. */
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
  /** The interval excludes 0. */
  readonly significant: boolean;
}

export interface DifferenceBootstrap {
  readonly level: number;
  readonly resamples: number;
  readonly a: { readonly sample: number; readonly n: number; readonly scale: number };
  readonly b: { readonly sample: number; readonly n: number; readonly scale: number };
  readonly differences: readonly DifferenceCi[];
}

/**
 * Bootstrap CIs for quantile(b) - quantile(a), the two samples resampled independently (streams
 * `key:a` and `key:b`), the b-th differences paired by resample number. Null when either is empty.
 */
export function bootstrapDifference(a: SampleSpec, b: SampleSpec, ps: readonly number[], options: BootstrapOptions = {}): DifferenceBootstrap | null {
  const o = resolve(options);
  const sa = scaleOf(a);
  const sb = scaleOf(b);
  if (sa.m === 0 || sb.m === 0) return null;
  const statsA = resampleQuantiles(a.sorted, ps, o.resamples, indexDraws(o.seed, `${o.key}:a`, sa.m));
  const statsB = resampleQuantiles(b.sorted, ps, o.resamples, indexDraws(o.seed, `${o.key}:b`, sb.m));
  const differences = ps.map((p, i) => {
    const ownA = percentileOfSorted(a.sorted, p);
    const ownB = percentileOfSorted(b.sorted, p);
    const centreA = a.estimates?.[i] ?? ownA;
    const centreB = b.estimates?.[i] ?? ownB;
    const d = new Float64Array(o.resamples);
    for (let r = 0; r < o.resamples; r++) {
      d[r] = centreB + sb.scale * (statsB[i]![r]! - ownB) - (centreA + sa.scale * (statsA[i]![r]! - ownA));
    }
    const { lo, hi } = percentileInterval(d, o.level);
    return { p, estimate: centreB - centreA, lo, hi, significant: lo > 0 || hi < 0 };
  });
  return { level: o.level, resamples: o.resamples, a: { sample: sa.m, n: sa.n, scale: sa.scale }, b: { sample: sb.m, n: sb.n, scale: sb.scale }, differences };
}
