/**
 * The load-pattern interface (after k6's executors): a pattern turns checked options and a target
 * (function and payload) into a WorkloadPlan. Patterns are pure: no clock, no timers, no I/O
 * (except `rates`, which reads its CSV while its options are parsed), so a plan is a function of
 * its options and seed.
 */
import type { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';
import { createPrng } from '../core/prng.ts';
import { parseOptions } from './options.ts';
import { CumulativeInverse, expectedCalls, poissonOffsets, uniformCount, uniformOffsets, type RateSegment } from './rate-curve.ts';

/** A LoadPlan made by a pattern; how an invoker runs one is the contract on `Pattern`. */
export interface WorkloadPlan extends LoadPlan {
  /** The registry name of the pattern that made the plan. */
  readonly pattern: string;
  readonly count: number;
  readonly closedLoop?: { readonly gapUs: number };
  /** The planned rate over time for rate patterns, e.g. to draw next to the achieved rate. */
  readonly rateCurve?: readonly RateSegment[];
}

/** What the calls invoke. Every call of a plan carries the same payload object. */
export interface PlanTarget {
  readonly fn: string;
  readonly payload: PlannedInvocation['payload'];
}

/**
 * A load pattern: checks its options, then plans calls of one function. How an invoker runs the
 * WorkloadPlan it returns (the contract):
 *
 * 1. Open loop (no `closedLoop`, every pattern but `sequential`): send call `seq` at
 *    run start + `offsetUs`, whatever happened to earlier calls; never wait for a response before
 *    sending the next call. Offsets are whole µs, non-decreasing, and may repeat (`concurrent`
 *    puts all N calls at 0: send them at once; the in-flight bound applies and overload is
 *    counted, not absorbed by shifting the schedule).
 * 2. Closed loop (`closedLoop` set, `sequential`): at most one call in flight. Send call k+1 at
 *    max(run start + its `offsetUs`, completion of call k + `closedLoop.gapUs`), where completion is
 *    the response, an error or a timeout of call k. `sequential` plans every offset at 0, so
 *    only completions pace them; `durationUs` is absent because it depends on the responses.
 *    A closed-loop plan cannot be split with `--shard` (shardOf drops the marker): refuse it.
 * 3. `phase: 'warmup'` calls are sent and recorded like the others, with their phase, so
 *    analysis can leave them out.
 * 4. The plan yields exactly `count` calls, `seq` 0..count-1 in order, and the same calls on every
 *    iteration. Nothing is held in memory: iterate it, never spread it. On a Poisson plan the
 *    first read of `count` or `durationUs` runs the PRNG once through the plan (time grows with
 *    the count, memory does not).
 */
export interface Pattern<Options = unknown> {
  readonly name: string;
  /** One line for help: `constant --rate R --duration D`. */
  readonly usage: string;
  readonly description: string;
  /** Option keys (camelCase; the CLI spells them `--kebab-case`); `count` is the CLI's positional N. */
  readonly optionNames: readonly string[];
  /** Checks CLI-ish options (strings or numbers), fills defaults. */
  readonly schema: z.ZodType<Options>;
  /** `schema`, with failures thrown as FaasbenchError('InvalidParameterValue') naming each option. */
  parse(raw: unknown): Options;
  plan(options: Options, target: PlanTarget): WorkloadPlan;
}

/** A pattern from its option schema and planner; `parse` and `optionNames` follow from the schema. */
export function definePattern<Options>(def: {
  name: string;
  usage: string;
  description: string;
  schema: z.ZodObject & z.ZodType<Options>;
  plan(options: Options, target: PlanTarget): WorkloadPlan;
}): Pattern<Options> {
  const optionNames = Object.keys(def.schema.shape);
  return { ...def, optionNames, parse: (raw) => parseOptions(def.name, def.schema, optionNames, raw) };
}

/** Which calls are warm-up and how each is tagged. */
export interface CallOptions {
  readonly warmupCalls: number;
  /** Calls planned before this offset are warm-up too (rate patterns only). */
  readonly warmup?: number;
  readonly tag?: string | undefined;
}

/** The planned invocations at `offsets`, numbered from 0. */
export function* invocationsAt(offsets: Iterable<number>, target: PlanTarget, options: CallOptions): Generator<PlannedInvocation> {
  const warmupUs = options.warmup ?? 0;
  const tag = options.tag === undefined ? {} : { tag: options.tag };
  let seq = 0;
  for (const offsetUs of offsets) {
    const phase = seq < options.warmupCalls || offsetUs < warmupUs ? 'warmup' : 'measure';
    yield { seq, offsetUs, fn: target.fn, payload: target.payload, phase, ...tag };
    seq++;
  }
}

/** `count` calls all planned at offset 0 (a burst, or a closed loop paced by completions). */
export function* atZero(count: number): Generator<number> {
  for (let k = 0; k < count; k++) yield 0;
}

export interface RateOptions extends CallOptions {
  readonly arrivals: 'uniform' | 'poisson';
  readonly seed: number;
}

/** The plan of a rate pattern: `segments` turned into uniform or Poisson arrivals. */
export function ratePlan(pattern: string, segments: readonly RateSegment[], options: RateOptions, target: PlanTarget): WorkloadPlan {
  const expected = expectedCalls(segments);
  if (!(expected > 0)) throw new FaasbenchError('InvalidParameterValue', `${pattern}: the rate is 0 throughout, so the plan has no calls`);
  const offsets =
    options.arrivals === 'poisson'
      ? () => poissonOffsets(segments, createPrng(options.seed, `pattern:${target.fn}`))
      : () => uniformOffsets(segments);
  const base = { pattern, functions: [target.fn], rateCurve: segments, [Symbol.iterator]: () => invocationsAt(offsets(), target, options) };
  if (options.arrivals === 'uniform') {
    const count = uniformCount(expected);
    return { ...base, count, durationUs: count === 0 ? 0 : Math.round(new CumulativeInverse(segments).timeAt(count - 1)) };
  }
  return withLazyTotals(base, offsets);
}

/** Poisson plans learn their count and last offset from one pass over the draws, on first use. */
function withLazyTotals(base: Omit<WorkloadPlan, 'count' | 'durationUs'>, offsets: () => Iterable<number>): WorkloadPlan {
  let totals: { count: number; durationUs: number } | undefined;
  const measure = (): { count: number; durationUs: number } => {
    if (totals) return totals;
    let count = 0;
    let durationUs = 0;
    for (const offset of offsets()) {
      count++;
      durationUs = offset;
    }
    return (totals = { count, durationUs });
  };
  return {
    ...base,
    get count() {
      return measure().count;
    },
    get durationUs() {
      return measure().durationUs;
    },
  };
}
