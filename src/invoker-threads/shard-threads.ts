/**
 * A run's plan sent from N worker threads of this process (`--workers N`): each thread builds its
 * own provider and sends its shard (shard-worker.ts); this thread keeps what a run has one of: the
 * record sink (fed the workers' batches), the progress counts, the run's outcome and Ctrl-C (an
 * abort goes to every worker, and the run ends when all have drained).
 *
 * Every worker is started and ready (provider built, plan opened) before offset 0 is fixed, and
 * offset 0 is the same for all: the workers' shards interleave call by call, so the run's
 * schedule is the plan's.
 */
import { Worker } from 'node:worker_threads';
import { epochMicros } from '../core/clock.ts';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationStatus } from '../core/invocation-record.ts';
import { keepOldGenerationNearLive } from '../core/old-generation-growth.ts';
import type { RunOutcome, RunPlanOptions, Sent } from '../invoker/invoker.ts';
import { Progress } from '../invoker/progress.ts';
import { lowerOtherThreads } from '../invoker/thread-priority.ts';
import { isLoad } from '../invoker/warm-up.ts';
import { recordAt } from './record-columns.ts';
import type { PayloadSpec } from './shard-payloads.ts';
import { workerShard, type PlanSource } from './shard-plan.ts';
import type { FromShard, LastAnswer, SendRow, ShardBatch, ShardFailure, ShardWorkerData, ToShard } from './shard-protocol.ts';

/**
 * Offset 0 falls this long after every worker is ready: runPlan opens its connections and runs its
 * send path off the schedule before offset 0, and needs at least 250 ms for it (invoker/warm-up.ts);
 * two workers starting at once on a busy 2-core host take several times that.
 */
const START_LEAD_US = 1_000_000;

export interface ShardThreadsSetup {
  readonly workers: number;
  /** The whole plan, as the workers build it again. */
  readonly source: PlanSource;
  /** This process's shard of the plan (--shard i/n), which the workers split further. */
  readonly processShard: { readonly index: number; readonly total: number } | undefined;
  readonly provider: { readonly name: string; readonly options: Readonly<Record<string, unknown>> };
  readonly payloads: PayloadSpec;
  /** The run's in-flight bound, shared among the workers. */
  readonly maxInFlight: number;
}

export interface ShardThreads {
  /** Sends the plan from the workers; runPlan's options and outcome, so executePlan takes it as its runner. */
  run(options: RunPlanOptions): Promise<RunOutcome>;
  /** Ends every worker; a run that was never started sends nothing. */
  close(): Promise<void>;
}

/** Starts the workers and resolves once every one is ready; rejects (ending them all) if one cannot start. */
export async function startShardThreads(setup: ShardThreadsSetup): Promise<ShardThreads> {
  const threads = Array.from({ length: setup.workers }, (_, w) => new ShardThread(workerDataFor(setup, w)));
  try {
    await Promise.all(threads.map((t) => t.ready));
  } catch (err) {
    await Promise.all(threads.map((t) => t.end()));
    throw err;
  }
  return {
    run: (options) => runShards(threads, options),
    close: async () => {
      await Promise.all(threads.map((t) => t.end()));
    },
  };
}

function workerDataFor(setup: ShardThreadsSetup, w: number): ShardWorkerData {
  // The bound split as evenly as it goes: the first (maxInFlight mod N) workers take one more.
  const share = Math.floor(setup.maxInFlight / setup.workers) + (w < setup.maxInFlight % setup.workers ? 1 : 0);
  return {
    source: setup.source,
    shard: workerShard(setup.processShard, w, setup.workers),
    provider: setup.provider,
    payloads: setup.payloads,
    maxInFlight: share,
    drainTimeoutMs: undefined,
  };
}

async function runShards(threads: readonly ShardThread[], options: RunPlanOptions): Promise<RunOutcome> {
  const progress = options.progress ?? new Progress(options.plan.count);
  const watched = new InFlightView(threads.length, options.plan.functions);
  const unwatch = options.sink.watchSends?.(() => watched.sends());
  const startUs = options.startUs ?? epochMicros() + START_LEAD_US;
  const restorePriorities = isLoad(options.plan.count) ? lowerOtherThreads(threads.map((t) => t.threadId)) : undefined;
  const releaseOldGeneration = isLoad(options.plan.count) ? keepOldGenerationNearLive() : undefined;
  for (const [w, thread] of threads.entries()) {
    thread.onBatch = (batch) => {
      for (let i = 0; i < batch.records.count; i++) options.sink.write(recordAt(batch.records, i, options.runId));
      countProgress(progress, batch);
      if (batch.inFlight !== null) watched.replace(w, batch.inFlight, startUs);
    };
    thread.post({ kind: 'start', runId: options.runId, startUs, watchSends: unwatch !== undefined });
  }
  const abort = (): void => threads.forEach((t) => t.post({ kind: 'abort' }));
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  try {
    const outcomes = await allDrained(threads, abort);
    const last = lastAnswer(outcomes);
    if (last !== null) options.onAnswer?.(last.call, { ...last.result, payload: Buffer.from(last.result.payload) });
    const interrupted = options.signal?.aborted === true || outcomes.some((o) => o.status === 'interrupted');
    return { status: interrupted ? 'interrupted' : 'completed', progress: progress.snapshot() };
  } finally {
    restorePriorities?.();
    releaseOldGeneration?.();
    options.signal?.removeEventListener('abort', abort);
    watched.clear();
    unwatch?.();
  }
}

/**
 * Every worker's end. A worker that fails stops the others (as Ctrl-C would), whose calls are
 * still all recorded; then the failure is the run's.
 */
async function allDrained(threads: readonly ShardThread[], abort: () => void): Promise<Done[]> {
  const settled = await Promise.allSettled(
    threads.map((t) =>
      t.done.catch((err: unknown) => {
        abort();
        throw err;
      }),
    ),
  );
  await Promise.all(threads.map((t) => t.end()));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<Done>).value);
}

function countProgress(progress: Progress, batch: ShardBatch): void {
  for (const latenessUs of batch.sentLatenessUs) progress.markSent(latenessUs);
  for (const [status, n] of Object.entries(batch.done) as [InvocationStatus, number][]) {
    for (let i = 0; i < n; i++) progress.markDone(status);
  }
}

function lastAnswer(outcomes: readonly Done[]): LastAnswer | null {
  let last: LastAnswer | null = null;
  for (const o of outcomes) if (o.last !== null && (last === null || o.last.receivedUs > last.receivedUs)) last = o.last;
  return last;
}

/** The workers' calls in flight as of their last batches, as the run's sink reads them for provisional rows. */
class InFlightView {
  readonly #byWorker: Sent[][];

  constructor(
    workers: number,
    private readonly functions: readonly string[],
  ) {
    this.#byWorker = Array.from({ length: workers }, () => []);
  }

  replace(w: number, rows: readonly SendRow[], startUs: number): void {
    this.#byWorker[w] = rows.map((r) => ({
      call: { seq: r.seq, offsetUs: r.plannedUs - startUs, fn: r.fn, payload: { event: null }, phase: r.phase, ...(r.tag === null ? {} : { tag: r.tag }) },
      plannedUs: r.plannedUs,
      sentUs: r.sentUs,
      recorded: false,
    }));
  }

  *sends(): Generator<Sent> {
    for (const sends of this.#byWorker) yield* sends;
  }

  clear(): void {
    this.#byWorker.fill([]);
  }
}

type Done = Extract<FromShard, { kind: 'done' }>;

/** One worker thread and the messages it sends back. */
class ShardThread {
  readonly ready: Promise<void>;
  readonly done: Promise<Done>;
  onBatch: (batch: ShardBatch) => void = () => undefined;
  /** The worker's kernel thread id, once ready (null where the OS does not say). */
  threadId: number | null = null;
  readonly #worker: Worker;
  #ended = false;

  constructor(data: ShardWorkerData) {
    this.#worker = new Worker(new URL('./shard-entry.mjs', import.meta.url), { workerData: data });
    const ready = deferred<void>();
    const done = deferred<Done>();
    this.ready = ready.promise;
    this.done = done.promise;
    // Awaited by whoever gets there: a worker that fails before the run fails its start instead.
    this.done.catch(() => undefined);
    const fail = (err: Error): void => {
      ready.reject(err);
      done.reject(err);
    };
    this.#worker.on('message', (m: FromShard) => {
      if (m.kind === 'ready') {
        this.threadId = m.threadId;
        ready.resolve();
      }
      else if (m.kind === 'batch') this.onBatch(m);
      else if (m.kind === 'done') done.resolve(m);
      else fail(shardError(m.error));
    });
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new FaasbenchError('ServiceUnavailable', `a worker thread of the run exited (code ${code}) before its shard was sent`)));
  }

  post(message: ToShard): void {
    if (!this.#ended) this.#worker.postMessage(message);
  }

  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#worker.terminate();
  }
}

/** A promise and its two ends (Promise.withResolvers is node 22's). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function shardError(e: ShardFailure): Error {
  return e.code === null ? new Error(e.message) : new FaasbenchError(e.code, e.message, e.reason === undefined ? {} : { reason: e.reason });
}
