/**
 * Turns trace functions (counts per unit) into the time-ordered calls of a replay, unit by unit:
 * each function's offsets come from its own PRNG stream, derived from (seed, function key), so
 * adding or removing a function changes no other function's timestamps; the calls of a unit are
 * then merged in time order (ties keep the function order). Calls are produced in batches of one
 * unit held in typed arrays, which is what keeps a 25-million-call day fast and small.
 */
import { planOf, type LoadPlan, type PlannedInvocation } from '../core/load-plan.ts';
import type { Prng } from '../core/prng.ts';
import { unitOffsets, type ArrivalOptions } from './arrivals.ts';
import { durationPoints, memoryPoints, percentileDrawer, type SamplingMode } from './execution-spec.ts';
import { functionStream } from './function-stream.ts';
import { sortWholeNumbers } from './whole-number-sort.ts';
import { keyString, UNIT_US, type FunctionKey, type TraceFunction, type TraceUnit } from './trace-function.ts';

export interface ScheduledFunction {
  /** The deployed function the calls go to. */
  readonly name: string;
  readonly key: FunctionKey;
  /** `name:input` of the proxy, `synthetic`, or the endpoint name of an imported load. */
  readonly proxy: string;
  readonly payload: CallPayload;
}

/**
 * What a call sends: a named input of the proxy (resolved once before the run), a duration and
 * memory drawn per call for `synthetic`, or a fixed event (imported loads carry no payloads).
 */
export type CallPayload = { readonly kind: 'input'; readonly input: string } | { readonly kind: 'synthetic' } | { readonly kind: 'event'; readonly event: unknown };

export interface ScheduleSettings {
  readonly unit: TraceUnit;
  readonly seed: number;
  readonly arrivals: ArrivalOptions;
  readonly sampling: SamplingMode;
}

export interface Schedule extends ScheduleSettings {
  readonly functions: readonly ScheduledFunction[];
  /** Units in the plan; counts of every function have this length. */
  readonly units: number;
  readonly count: number;
}

/** Time-ordered calls (one unit when scheduled, a chunk when read from a file); durationMs/memoryMb are NaN for calls with a named input. */
export interface CallBatch {
  readonly offsetsUs: Float64Array;
  readonly fns: Uint32Array;
  readonly durationMs: Float64Array;
  readonly memoryMb: Float64Array;
}

export interface ScheduleInput {
  readonly fn: TraceFunction;
  readonly target: ScheduledFunction;
}

export function describeSchedule(inputs: readonly ScheduleInput[], settings: ScheduleSettings): Schedule {
  const units = inputs[0]?.fn.counts.length ?? 0;
  let count = 0;
  for (const { fn } of inputs) {
    if (fn.counts.length !== units) throw new RangeError(`function ${fn.key.fn}: ${fn.counts.length} units, expected ${units}`);
    for (const c of fn.counts) count += c;
  }
  return { ...settings, functions: inputs.map((i) => i.target), units, count };
}

export function* unitBatches(inputs: readonly ScheduleInput[], schedule: Schedule): Generator<CallBatch> {
  const unitUs = UNIT_US[schedule.unit];
  const width = inputs.length;
  const arrivals = inputs.map(({ fn }) => functionStream(schedule.seed, keyString(fn.key)));
  const specs = inputs.map(({ fn, target }) => (target.payload.kind === 'synthetic' ? specDrawer(fn, schedule, schedule.sampling) : null));
  let scratch = new Float64Array(1024);
  for (let unit = 0; unit < schedule.units; unit++) {
    let total = 0;
    for (const { fn } of inputs) total += fn.counts[unit]!;
    // Offset and function index in one number, so one native sort orders the unit.
    const keys = new Float64Array(total);
    let at = 0;
    for (let f = 0; f < width; f++) {
      const count = inputs[f]!.fn.counts[unit]!;
      if (count === 0) continue;
      if (scratch.length < count) scratch = new Float64Array(count);
      const offsets = unitOffsets(count, unitUs, schedule.arrivals, arrivals[f]!, scratch);
      for (let i = 0; i < count; i++) keys[at++] = offsets[i]! * width + f;
    }
    sortWholeNumbers(keys);
    yield decode(keys, width, unit * unitUs, specs);
  }
}

function decode(keys: Float64Array, width: number, baseUs: number, specs: ReadonlyArray<((out: [number, number]) => void) | null>): CallBatch {
  const batch: CallBatch = { offsetsUs: new Float64Array(keys.length), fns: new Uint32Array(keys.length), durationMs: new Float64Array(keys.length), memoryMb: new Float64Array(keys.length) };
  const spec: [number, number] = [Number.NaN, Number.NaN];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    // Floor division, not %: keys are doubles, and a double's % is a slow library call. Exact for
    // whole keys below 2^53 / width's quotient error, far above offset * width + f.
    const offset = Math.floor(key / width);
    const f = key - offset * width;
    batch.offsetsUs[i] = baseUs + offset;
    batch.fns[i] = f;
    const draw = specs[f];
    if (draw) draw(spec);
    else spec[0] = spec[1] = Number.NaN;
    batch.durationMs[i] = spec[0];
    batch.memoryMb[i] = spec[1];
  }
  return batch;
}

/** Draws of one synthetic function, from its own stream (apart from its arrival stream). */
function specDrawer(fn: TraceFunction, settings: ScheduleSettings, mode: SamplingMode): (out: [number, number]) => void {
  const prng: Prng = functionStream(settings.seed, `${keyString(fn.key)}\0execution`);
  // Duration first, then memory, from the one stream: the order every plan was drawn in.
  const duration = percentileDrawer(durationPoints(fn.duration), mode, prng);
  const memory = percentileDrawer(memoryPoints(fn.memory), mode, prng);
  return (out) => {
    out[0] = duration();
    out[1] = memory();
  };
}

/** Why a replay speed is refused, or null: a factor, finite and above 0 (1 is the trace's own time). */
export function speedProblem(speed: number): string | null {
  return Number.isFinite(speed) && speed > 0 ? null : `expected a number above 0 (1 replays in the trace's own time, 4 four times faster), got ${speed}`;
}

/**
 * The calls `speed` times sooner: each offset divided by it, floored to a whole µs (which keeps
 * their order); what each call asks (a duration, memory) stays as drawn. At speed 4 a minute's
 * calls go out in 15 s at four times the trace's rate: a quicker check of a mapping or a platform,
 * not the trace's own load.
 */
export function* atSpeed(batches: Iterable<CallBatch>, speed: number): Generator<CallBatch> {
  const problem = speedProblem(speed);
  if (problem) throw new RangeError(`replay speed: ${problem}`);
  for (const batch of batches) yield speed === 1 ? batch : { ...batch, offsetsUs: batch.offsetsUs.map((us) => Math.floor(us / speed)) };
}

/**
 * A replay as a LoadPlan: batches become planned invocations, tagged with the trace function's
 * hash; at `speed` (see atSpeed) the plan and its offsets are that many times shorter.
 */
export function batchesToPlan(schedule: Schedule, batches: () => Iterable<CallBatch>, speed = 1): LoadPlan {
  const names = schedule.functions.map((f) => f.name);
  const tags = schedule.functions.map((f) => f.key.fn);
  const payloads = schedule.functions.map((f) => f.payload);
  return planOf({ functions: [...new Set(names)], count: schedule.count, durationUs: Math.floor((schedule.units * UNIT_US[schedule.unit]) / speed) }, function* () {
    let seq = 0;
    for (const batch of atSpeed(batches(), speed)) {
      for (let i = 0; i < batch.fns.length; i++) {
        const f = batch.fns[i]!;
        const payload = payloadOf(payloads[f]!, batch, i);
        const call: PlannedInvocation = { seq: seq++, offsetUs: batch.offsetsUs[i]!, fn: names[f]!, payload, phase: 'measure', tag: tags[f]! };
        yield call;
      }
    }
  });
}

function payloadOf(payload: CallPayload, batch: CallBatch, i: number): PlannedInvocation['payload'] {
  if (payload.kind === 'input') return { input: payload.input };
  if (payload.kind === 'event') return { event: payload.event };
  return { event: { durationMs: batch.durationMs[i]!, memoryMb: batch.memoryMb[i]! } };
}
