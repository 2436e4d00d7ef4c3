/**
 * Picks a subset of a trace's functions that behaves like the whole trace (after invitro's
 * sampler): the best of several seeded random draws, judged per unit (minute or second) by the
 * Wasserstein-1 distance between the sample's and the whole trace's distributions of
 *   - the per-function invocation count in that unit, and
 *   - the per-function resource in that unit: count x duration.averageMs x memory.averageMb (ms.MB).
 *
 * Score of a draw (lower is better, 0 for the whole trace):
 *   for each unit u and each of the two quantities q, d(q, u) = W1(sample, whole) / mean(whole),
 *   defined only where mean(whole) > 0 (a quantity that is 0 for every function has nothing to
 *   match); unit score = the mean of the defined d(q, u) (both, or the one defined); score =
 *   the mean of the unit scores over the units where at least one is defined (0 if none).
 * Dividing by the whole trace's mean makes busy and quiet minutes, and the two quantities, count
 * alike: a score of 0.1 means the sample's distribution is off by a tenth of a typical value.
 * A size equal to the number of functions is the whole trace: one try, score 0, nothing drawn.
 * (docs/trace.md, "Sampling", gives the same definition for users.)
 *
 * Bounded memory: pass 1 streams invocations.csv once and keeps, per unit, a log-binned histogram
 * of each quantity (see wasserstein.ts for its error bound); pass 2 streams it again and keeps
 * only the drawn functions. The whole trace is never held.
 */
import { FaasbenchError } from '../core/errors.ts';
import { createPrng } from '../core/prng.ts';
import type { TraceStream } from './azure-trace-reader.ts';
import { totalInvocations, type TraceFunction, type TraceWindow } from './trace-function.ts';
import { LogHistogram } from './wasserstein.ts';

export interface SampleOptions {
  /** How many functions to pick. */
  readonly size: number;
  /** How many random draws to score; the best one wins. */
  readonly tries: number;
  readonly seed: number;
  /** Called as functions are read (about every 256 and at the end of each pass), for a progress line. */
  readonly onProgress?: (progress: SampleProgress) => void;
}

export interface SampleProgress {
  readonly pass: 1 | 2;
  readonly functionsRead: number;
  /** Known from pass 2 on. */
  readonly functionsTotal: number | null;
}

export interface SampleTry {
  /** 0-based; its draw uses createPrng(seed, `sample:${index}`). */
  readonly index: number;
  readonly score: number;
  /** Mean over units of d(invocation count, u), where defined; the two parts of the score. */
  readonly invocationDistance: number;
  readonly resourceDistance: number;
}

export interface SampleResult extends TraceWindow {
  readonly dir: string;
  /** The chosen functions, in invocations.csv order. */
  readonly functions: readonly TraceFunction[];
  readonly tries: readonly SampleTry[];
  /** Index of the winning try (the first of equal scores). */
  readonly best: number;
  readonly score: number;
  /** Functions in the whole trace (F). */
  readonly functionsTotal: number;
  readonly invocationsTotal: number;
  readonly invocationsSampled: number;
}

/** Progress is reported every this many functions. */
const PROGRESS_EVERY = 256;

export async function sampleTrace(stream: TraceStream, options: SampleOptions): Promise<SampleResult> {
  const { size, tries, seed } = options;
  if (!Number.isInteger(size) || size < 1) throw new FaasbenchError('InvalidParameterValue', `sample size ${size}: expected a whole number >= 1`);
  if (!Number.isInteger(tries) || tries < 1) throw new FaasbenchError('InvalidParameterValue', `sample tries ${tries}: expected a whole number >= 1`);
  const whole = await describeWhole(stream, options.onProgress);
  const total = whole.functions;
  if (size > total) throw new FaasbenchError('InvalidParameterValue', `sample size ${size} is larger than the trace: ${stream.dir} has ${total} function(s) in the selected window`);

  // All of them: nothing to choose, and the sample is the trace itself.
  const draws = size === total ? [allIndices(total)] : Array.from({ length: tries }, (_, t) => drawIndices(total, size, seed, t));
  const wanted = new Set<number>();
  for (const draw of draws) for (const i of draw) wanted.add(i);
  const kept = await collect(stream, wanted, total, options.onProgress);

  const scored = draws.map((draw, index): SampleTry => {
    if (size === total) return { index, score: 0, invocationDistance: 0, resourceDistance: 0 };
    return { index, ...scoreDraw(whole, draw.map((i) => kept.get(i)!), stream.labels.length) };
  });
  let best = 0;
  for (const t of scored) if (t.score < scored[best]!.score) best = t.index;
  const functions = draws[best]!.map((i) => kept.get(i)!);
  return {
    dir: stream.dir,
    unit: stream.unit,
    labels: stream.labels,
    functions,
    tries: scored,
    best,
    score: scored[best]!.score,
    functionsTotal: total,
    invocationsTotal: whole.invocations,
    invocationsSampled: functions.reduce((sum, fn) => sum + totalInvocations(fn), 0),
  };
}

/** The per-function resource factor: resource in a unit = count x this. */
export function resourceFactor(fn: TraceFunction): number {
  return fn.duration.averageMs * fn.memory.averageMb;
}

interface Whole {
  readonly functions: number;
  readonly invocations: number;
  readonly counts: readonly LogHistogram[];
  readonly resources: readonly LogHistogram[];
}

/** Pass 1: the whole trace's distributions, one histogram per unit and quantity. */
async function describeWhole(stream: TraceStream, onProgress: SampleOptions['onProgress']): Promise<Whole> {
  const builder = new WholeBuilder(stream.labels.length);
  for await (const fn of stream.functions()) {
    const factor = resourceFactor(fn);
    checkFactor(stream, fn, factor);
    builder.add(fn.counts, factor);
    if (builder.functions % PROGRESS_EVERY === 0) onProgress?.({ pass: 1, functionsRead: builder.functions, functionsTotal: null });
  }
  builder.flush();
  onProgress?.({ pass: 1, functionsRead: builder.functions, functionsTotal: null });
  return builder;
}

/** Functions are added to the histograms a batch at a time, unit by unit. */
const BATCH = 1024;

/**
 * Adding a row straight away touches every unit's histograms once per function, a cache miss
 * each on a full day; a batch of rows added unit by unit keeps one unit's histograms hot for
 * BATCH values (pass 1 of a synthetic 46,000 x 1,440 day: about 14 s down to 9 s). The batch
 * holds only references to the reader's rows.
 */
class WholeBuilder implements Whole {
  readonly counts: LogHistogram[];
  readonly resources: LogHistogram[];
  functions = 0;
  invocations = 0;
  private readonly rows: Uint32Array[] = [];
  private readonly factors: number[] = [];
  /** One unit's values of the batch, handed to a histogram in one call. */
  private readonly countColumn = new Float64Array(BATCH);
  private readonly resourceColumn = new Float64Array(BATCH);

  constructor(private readonly units: number) {
    this.counts = Array.from({ length: units }, () => new LogHistogram());
    this.resources = Array.from({ length: units }, () => new LogHistogram());
  }

  add(row: Uint32Array, factor: number): void {
    this.rows.push(row);
    this.factors.push(factor);
    this.functions++;
    if (this.rows.length === BATCH) this.flush();
  }

  flush(): void {
    const { rows, factors, countColumn, resourceColumn } = this;
    const n = rows.length;
    let invocations = 0;
    for (let u = 0; u < this.units; u++) {
      for (let k = 0; k < n; k++) {
        const count = rows[k]![u]!;
        countColumn[k] = count;
        resourceColumn[k] = count * factors[k]!;
        invocations += count;
      }
      this.counts[u]!.addAll(countColumn, n);
      this.resources[u]!.addAll(resourceColumn, n);
    }
    this.invocations += invocations;
    rows.length = 0;
    factors.length = 0;
  }
}

/** A negative duration or memory would make a negative resource, which no distance here allows. */
function checkFactor(stream: TraceStream, fn: TraceFunction, factor: number): void {
  if (factor >= 0 && factor < Infinity) return;
  throw new FaasbenchError(
    'InvalidParameterValue',
    `${stream.dir}: function HashFunction=${fn.key.fn} (invocations.csv line ${fn.line}): durations.csv Average ${fn.duration.averageMs} ms x memory.csv AverageAllocatedMb ${fn.memory.averageMb} MB: expected both >= 0`,
  );
}

/** Pass 2: the drawn functions, by their 0-based position in invocations.csv. */
async function collect(stream: TraceStream, wanted: ReadonlySet<number>, total: number, onProgress: SampleOptions['onProgress']): Promise<Map<number, TraceFunction>> {
  const kept = new Map<number, TraceFunction>();
  let index = 0;
  for await (const fn of stream.functions()) {
    if (wanted.has(index)) kept.set(index, fn);
    if (++index % PROGRESS_EVERY === 0) onProgress?.({ pass: 2, functionsRead: index, functionsTotal: total });
  }
  onProgress?.({ pass: 2, functionsRead: index, functionsTotal: total });
  if (index !== total) throw new FaasbenchError('InvalidParameterValue', `${stream.dir}/invocations.csv: changed while being sampled (${total} functions on the first read, ${index} on the second)`);
  return kept;
}

/**
 * `size` distinct indices out of 0..total-1, ascending (Floyd's algorithm: `size` draws, no
 * array of `total`). Each try has its own PRNG stream, so try t draws the same set whatever
 * `--tries` is.
 */
export function drawIndices(total: number, size: number, seed: number, tryIndex: number): number[] {
  const prng = createPrng(seed, `sample:${tryIndex}`);
  const chosen = new Set<number>();
  for (let j = total - size; j < total; j++) {
    const t = prng.int(0, j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

function allIndices(total: number): number[] {
  return Array.from({ length: total }, (_, i) => i);
}

/** The score of one draw, as defined in the header. */
function scoreDraw(whole: Whole, sample: readonly TraceFunction[], units: number): Omit<SampleTry, 'index'> {
  const factors = sample.map(resourceFactor);
  const values = new Float64Array(sample.length);
  const sum = { score: 0, scored: 0, invocations: 0, invocationUnits: 0, resource: 0, resourceUnits: 0 };
  for (let u = 0; u < units; u++) {
    const counts = whole.counts[u]!;
    const resources = whole.resources[u]!;
    let unitSum = 0;
    let unitParts = 0;
    if (counts.mean > 0) {
      for (let k = 0; k < sample.length; k++) values[k] = sample[k]!.counts[u]!;
      const d = counts.distanceToSorted(values.sort()) / counts.mean;
      sum.invocations += d;
      sum.invocationUnits++;
      unitSum += d;
      unitParts++;
    }
    if (resources.mean > 0) {
      for (let k = 0; k < sample.length; k++) values[k] = sample[k]!.counts[u]! * factors[k]!;
      const d = resources.distanceToSorted(values.sort()) / resources.mean;
      sum.resource += d;
      sum.resourceUnits++;
      unitSum += d;
      unitParts++;
    }
    if (unitParts > 0) {
      sum.score += unitSum / unitParts;
      sum.scored++;
    }
  }
  const mean = (value: number, n: number): number => (n === 0 ? 0 : value / n);
  return { score: mean(sum.score, sum.scored), invocationDistance: mean(sum.invocations, sum.invocationUnits), resourceDistance: mean(sum.resource, sum.resourceUnits) };
}
