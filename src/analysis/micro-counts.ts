/**
 * MicroCounts: values in ms that are whole quarters of a µs, kept as a count per value instead of
 * one number per value. Every time faasbench measures is one: the clock's epoch µs (clock.ts) are
 * doubles near 1.8e15, whose step is a quarter µs, so a latency or lateness (a difference of two,
 * divided by 1000) is a whole number of quarter µs over 1000. A run's values crowd into a few
 * thousand distinct quarters however many calls it makes: counted, a 600,000-call run's latency
 * takes a few pages of counts where its values took 4.8 MB, and the figures stay exact (a counted
 * value is given back as `quarters / 4000`, the same double it was).
 *
 * Pages of counts (4,096 quarter µs each, 1.024 ms, 16 KB) are made as values reach them, and only while the pages
 * cost at most PAGE_BUDGET_FLOOR plus 4 bytes per value counted: values spread thinly (a stall's
 * lateness, a slow function's seconds) are refused rather than given a page each, so counting never
 * costs much more than keeping. The caller keeps whatever is refused (those, fractions of a µs,
 * negatives, 16.8 s and more) as it kept every value before.
 */

/** Values from 0 up to here (exclusive) are counted: 2^24 µs, 16.8 s. */
export const COUNTED_BELOW_US = 1 << 24;
/** The unit counted: a quarter µs, in ms per unit's reciprocal (value = units / UNITS_PER_MS). */
const UNITS_PER_MS = 4000;
const COUNTED_BELOW_UNITS = COUNTED_BELOW_US * 4;
const PAGE_BITS = 12;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGES = COUNTED_BELOW_UNITS >> PAGE_BITS;
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

  /** Counts `ms` when it is a whole number of quarter µs in [0, COUNTED_BELOW_US); false otherwise (nothing counted). */
  tryAdd(ms: number): boolean {
    // -0 is not 0 to a reader of exact values: the caller keeps it as it came.
    if (Object.is(ms, -0)) return false;
    const units = Math.round(ms * UNITS_PER_MS);
    if (!(units >= 0 && units < COUNTED_BELOW_UNITS) || units / UNITS_PER_MS !== ms) return false;
    const p = units >>> PAGE_BITS;
    const page = this.#pages[p] ?? this.#newPage(p);
    if (page === undefined) return false;
    const at = units & (PAGE_SIZE - 1);
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
        if (times > 0) yield [((p << PAGE_BITS) | i) / UNITS_PER_MS, times];
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
