/**
 * What a run does before its offset 0, so its first second is as punctual as its tenth, in order:
 * the thread gives up V8's no-detached-buffer assumption (detach-protector.ts), which the run's
 * first transferred batch would otherwise break, throwing the compiled path away; the heap is
 * collected, so start-up's garbage is not collected during the run; the provider opens the
 * connections the plan will need (never by invoking a function: a call sent as warm-up would
 * change what is measured) and runs its request path against a server of its own; and the
 * invoker's own send and record path runs off the schedule against a provider that does nothing,
 * so it is compiled before it counts. The warm-ups' own garbage is left to the run's collections:
 * collecting it before offset 0 discarded the code optimised against it (see prepareRun).
 *
 * Without it a run at 3,000 calls/s opened a connection per call for its first second, compiled
 * its send path while calls fell due, and started a second or more late.
 */
import { epochMicros } from '../core/clock.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import { planOf } from '../core/load-plan.ts';
import type { InvokeResult, Provider } from '../core/provider.ts';
import { CallRecords } from './call-records.ts';
import { giveUpNoDetachAssumption } from '../core/detach-protector.ts';
import { Progress } from './progress.ts';
import { sendLoop } from './send-loop.ts';
import { settleHeap } from '../core/settle-heap.ts';
import { within } from '../core/within.ts';

/** Below this many calls a plan is a probe, not a load: nothing to compile or collect for. */
export const LOAD_MIN_CALLS = 100;
/** A caller's start sooner than this leaves time only for connections and the collection. */
const LEAD_FOR_WARM_UP_US = 250_000;
/** A caller's start sooner than this leaves time only for connections: a full collection takes 10-30 ms. */
const LEAD_FOR_COLLECTION_US = 50_000;
/** Connections still opening after this are left to finish during the run: a dead host must not hold the start. */
const PREPARE_TIMEOUT_MS = 3_000;
/** Enough calls for the send path's functions to be optimised; about 10 ms of sending. */
const WARM_UP_CALLS = 5_000;

export interface Preparation {
  readonly functions: readonly string[];
  /** Calls in the plan, when known; a plan of unknown length is taken for a load. */
  readonly count: number | undefined;
  readonly provider: Provider;
  /** Connections for this many calls at once are opened (expected-in-flight.ts). */
  readonly expectedInFlight: number;
  /** The caller's offset 0, when it fixed one: only what fits before it is done. */
  readonly startUs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Whether a plan of `count` calls (undefined: unknown) is a load rather than a probe. */
export function isLoad(count: number | undefined): boolean {
  return count === undefined || count >= LOAD_MIN_CALLS;
}

export async function prepareRun(p: Preparation): Promise<void> {
  // Before anything is compiled for the run, even when there is no time to warm up.
  giveUpNoDetachAssumption();
  const load = isLoad(p.count);
  const leadUs = p.startUs === undefined ? Infinity : p.startUs - epochMicros();
  // Collected before the warm-ups, not after: a full collection after them found the warm-up's
  // throwaway server and connections dead and discarded the code optimised against them (undici's
  // parser, Node's stream and tick code), compiled again in the run's first 300 ms.
  if (load && leadUs >= LEAD_FOR_COLLECTION_US) settleHeap();
  const warm = load && leadUs >= LEAD_FOR_WARM_UP_US;
  if (p.provider.prepare) {
    await within(p.provider.prepare(p.functions, p.expectedInFlight, { load: warm }), PREPARE_TIMEOUT_MS);
  }
  if (!warm || p.signal?.aborted) return;
  await exerciseSendPath();
}

const NOOP_RESULT: InvokeResult = { status: 'ok', httpStatus: 200, payload: Buffer.alloc(0), errorClass: null, facts: NO_FACTS };

const NOOP_PROVIDER: Provider = {
  name: 'warm-up',
  deploy: async () => undefined,
  invoke: () => Promise.resolve(NOOP_RESULT),
  updateConfiguration: async () => undefined,
  remove: async () => undefined,
  close: async () => undefined,
};

/** Calls two µs apart: some due at once, some waited for, a few dropped, as a loaded run meets them. */
const WARM_UP_PLAN = planOf({ functions: ['warm-up'], count: WARM_UP_CALLS, durationUs: (WARM_UP_CALLS - 1) * 2 }, function* () {
  for (let seq = 0; seq < WARM_UP_CALLS; seq++) yield { seq, offsetUs: seq * 2, fn: 'warm-up', payload: { event: null }, phase: 'measure' };
});

/** The run's own send loop, table and records, against NOOP_PROVIDER into a sink that keeps nothing. */
async function exerciseSendPath(): Promise<void> {
  const progress = new Progress(WARM_UP_CALLS);
  const payload = Buffer.alloc(0);
  // Options of the shape runPlan gives (the same keys in the same order, a signal, a watch, an
  // onAnswer): of another shape, V8 found the run's objects of a map the compiled path had not
  // seen and deoptimised it at the run's first call.
  const records = new CallRecords({ runId: 'warm-up', sink: { write: () => undefined }, progress, spans: undefined, onAnswer: () => undefined });
  await sendLoop({
    plan: WARM_UP_PLAN,
    calls: WARM_UP_PLAN[Symbol.iterator](),
    provider: NOOP_PROVIDER,
    payloadOf: () => payload,
    records,
    progress,
    maxInFlight: 1_000,
    startUs: epochMicros(),
    signal: new AbortController().signal,
    drainTimeoutMs: 1_000,
    spans: undefined,
    watch: () => () => undefined,
  });
}
