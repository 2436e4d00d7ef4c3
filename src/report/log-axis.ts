/**
 * Tick values for log-scale axes: 1, 2 and 5 of each decade. Vega's own log ticks draw a grid line
 * at every integer multiple (2, 3, ... 9), which buries the marks under lines on a five-decade axis.
 */

/** Ticks in [from, to]; every decade's 1 and, when the range spans few decades, its 2 and 5. */
export function logTicks(from: number, to: number): number[] {
  if (!(from > 0 && to >= from && Number.isFinite(to))) throw new RangeError(`logTicks: need 0 < from <= to, finite; got ${from}, ${to}`);
  const first = Math.floor(Math.log10(from));
  const last = Math.ceil(Math.log10(to));
  // Past six decades a 1-2-5 axis holds more labels than fit across a chart.
  const steps = last - first > 6 ? [1] : [1, 2, 5];
  const ticks: number[] = [];
  for (let decade = first; decade <= last; decade++) {
    for (const step of steps) {
      // Rounded through a string: 2 * 10 ** -1 is 0.2 in print only if built as "2e-1".
      const tick = Number(`${step}e${decade}`);
      if (tick >= from * (1 - 1e-12) && tick <= to * (1 + 1e-12)) ticks.push(tick);
    }
  }
  return ticks;
}

/** The whole decades around [low, high], at least one: a log axis that starts and ends on a labelled tick. */
export function decadeDomain(low: number, high: number): [number, number] {
  if (!(low > 0 && high >= low && Number.isFinite(high))) throw new RangeError(`decadeDomain: need 0 < low <= high, finite; got ${low}, ${high}`);
  const first = Math.floor(Math.log10(low) + 1e-12);
  const last = Math.max(first + 1, Math.ceil(Math.log10(high) - 1e-12));
  return [Number(`1e${first}`), Number(`1e${last}`)];
}
