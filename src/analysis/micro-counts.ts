/**
 * MicroCounts: whole-microsecond values (in ms) kept as a count per value instead of one number per
 * value. Every time faasbench measures is a whole number of µs divided by 1000 (latency, lateness),
 * and a run's values crowd into a few thousand distinct µs however many calls it makes: counted,
 * a 600,000-call run's latency takes a few pages of counts where its values took 4.8 MB, and the
 * figures stay exact (a counted value is given back as `us / 1000`, the same double it was).
 *
 * Pages of counts (4,096 µs each, 16 KB) are made as values reach them, and only while the pages
 * cost at most PAGE_BUDGET_FLOOR plus 4 bytes per value counted: values spread thinly (a stall's
 * lateness, a slow function's seconds) are refused rather than given a page each, so counting never
 * costs much more than keeping. The caller keeps whatever is refused (those, fractions of a µs,
 * negatives, 16.8 s and more) as it kept every value before.
 */

/** Values from 0 up to here (exclusive) are counted: 2^24 µs, 16.8 s. */
export const COUNTED_BELOW_US = 1 << 24;
const PAGE_BITS = 12;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGES = COUNTED_BELOW_US >> PAGE_BITS;
/** A count that would overflow its Uint32 is refused (the caller keeps the value). */
const MAX_COUNT = 0xffff_ffff;
/** Pages any counts may have, however few values: 16 pages, 256 KB. */
export const PAGE_BUDGET_FLOOR = 16 * PAGE_SIZE * 4;

export class MicroCounts {
  readonly #pages: Array<Uint32Array | undefined> = new Array<Uint32Array | undefined>(PAGES);
  /** Values counted per page, so a walk skips empty pages whole. */
  readonly #pageTotals = new Float64Array(PAGES);
  #count = 0;
  #pagesMade = 0;

  get count(): number {
    return this.#count;
  }

  /** Counts `ms` when it is a whole number of µs in [0, COUNTED_BELOW_US); false otherwise (nothing counted). */
  tryAdd(ms: number): boolean {
    // -0 is not 0 to a reader of exact values: the caller keeps it as it came.
    if (Object.is(ms, -0)) return false;
    const us = Math.round(ms * 1000);
    if (!(us >= 0 && us < COUNTED_BELOW_US) || us / 1000 !== ms) return false;
    const p = us >>> PAGE_BITS;
    const page = this.#pages[p] ?? this.#newPage(p);
    if (page === undefined) return false;
    const at = us & (PAGE_SIZE - 1);
    if (page[at] === MAX_COUNT) return false;
    page[at]! += 1;
    this.#pageTotals[p]! += 1;
    this.#count += 1;
    return true;
  }

  #newPage(p: number): Uint32Array | undefined {
    if ((this.#pagesMade + 1) * PAGE_SIZE * 4 > PAGE_BUDGET_FLOOR + this.#count * 4) return undefined;
    this.#pagesMade += 1;
    return (this.#pages[p] = new Uint32Array(PAGE_SIZE));
  }

  /** Each counted value (ms) with its count, ascending. */
  *ascending(): Generator<readonly [ms: number, times: number]> {
    for (let p = 0; p < PAGES; p++) {
      if (this.#pageTotals[p] === 0) continue;
      const page = this.#pages[p]!;
      for (let i = 0; i < PAGE_SIZE; i++) {
        const times = page[i]!;
        if (times > 0) yield [((p << PAGE_BITS) | i) / 1000, times];
      }
    }
  }

  /** Forgets every count (the values moved elsewhere). */
  clear(): void {
    this.#pages.fill(undefined);
    this.#pageTotals.fill(0);
    this.#count = 0;
    this.#pagesMade = 0;
  }
}
