/**
 * The record sink both runners use (cli/plan-execution.ts, experiments/bench.ts), with its writing
 * in a worker thread: the sending thread only copies each record into a compact batch
 * (record-codec.ts) and, every flush interval or when the batch is full, transfers the batch with
 * a snapshot of the calls in flight to the store writer (writer-worker.ts), which runs RecordSink
 * on a connection of its own. A commit, a retried write or a journal append then never pauses a
 * send. Same contract as RecordSink: every record is kept (memory, journal), calls in flight get
 * provisional rows, and onRecord, onNotice and onOverflow are called on the caller's thread.
 * The run row's writes go through the writer too (runRows), so a load run's sending thread given
 * a RunStore (run-store.ts) never loads a driver: only when the writer fails does it open the store.
 */
import { Worker } from 'node:worker_threads';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import type { JournalEnd } from './journal.ts';
import { reopenOf, type StoreReopen } from './reopen.ts';
import { decodeBatch, RecordBatchWriter, transferList, type EncodedBatch } from './record-codec.ts';
import { RecordSink, type RecordSinkOptions, type SendInFlight, type SinkOutcome, type SinkStore } from './record-sink.ts';
import { newRunId } from './run-id.ts';
import type { FinalRunStatus, JsonValue, RunMeta, Store } from './store.ts';
import { fromWriterError, WRITE_BLOCK_ENV, type FromWriter, type ToWriter, type WriterData, type WriterError, type WriterState } from './writer-protocol.ts';

/** The run row's writes: it is created, beats and shows progress while the run sends, and is finished. */
export type RunRowWrites = Pick<Store, 'createRun' | 'heartbeat' | 'updateProgress' | 'finishRun'>;

/** What a sink writes to on the caller's thread (all of it, or once its writer thread failed): a Store or a RunStore. */
export type RunSinkStore = SinkStore & RunRowWrites;

/** How the writer answered a request: done, failed (why), or not at all because its thread is gone. */
type Answer = null | WriterError | 'gone';

/** What a runner needs of a record sink, threaded or not. */
export interface RunRecordSink {
  /**
   * Where the run row's writes go, when not to the store itself: through the writer's connection,
   * until close(). On SQLite an UPDATE on the sending thread's own connection would wait for the
   * writer's transaction, blocking the thread (better-sqlite3 is synchronous) up to a batch's
   * commit; and a connection of the sending thread's own costs it the drivers' memory.
   */
  readonly runRows?: RunRowWrites;
  readonly waiting: number;
  readonly backlog: number;
  /** Resolves once the sink can take records at full speed (its writer thread is up): before a run's offset 0. */
  ready(): Promise<void>;
  watchSends(inFlight: () => Iterable<SendInFlight>): () => void;
  flush(): Promise<void>;
  write(record: InvocationRecord): void;
  /**
   * Writes what is left as close() does and takes no more records, while runRows still go through
   * the writer: the run is marked finished only once its records are kept. close() after it ends
   * the rest and returns the same outcome.
   */
  drain(end?: JournalEnd): Promise<SinkOutcome>;
  close(end?: JournalEnd): Promise<SinkOutcome>;
}

/**
 * The sink for `store`: threaded when the store can be opened again from another thread, else
 * today's RecordSink on the caller's thread (an in-memory SQLite store, as tests use, would be
 * another, empty database in another connection; a store not from openStore or a RunStore cannot be reopened).
 */
export function openRecordSink(store: RunSinkStore, options: RecordSinkOptions): RunRecordSink {
  const reopen = reopenOf(store);
  return reopen === undefined ? new RecordSink(store, options) : new ThreadedRecordSink(store, reopen, options);
}

const DEFAULT_FLUSH_INTERVAL_MS = 200;
const DEFAULT_BATCH_SIZE = 2_000;
const NO_STATE: WriterState = { received: 0, written: 0, waiting: 0, backlog: 0 };
const ENTRY = new URL('./writer-entry.mjs', import.meta.url);
/**
 * The writer decodes each batch into short-lived rows, and what outlives a batch is small; left to
 * V8's default the young generation grew with the record rate (the CLI's peak RSS at 10,000
 * records/s for 10 s: 193 MB, and 186 MB with an 8 MB bound, with the same lateness and no call
 * dropped). At 2 MB the rows a flush waits for are promoted sooner and the heap keeper
 * (heap-keeper.ts) collects them, on this thread: with its slack at 4 MB, peak RSS at 10,000/s
 * was 146-148 MB over 20 s against 150-157 MB with 8 MB and 8 MB, for 18% more of this thread's
 * CPU (155 against 131 ticks in 20 s), none of the sending thread's.
 */
const WRITER_YOUNG_GENERATION_MB = 2;

export class ThreadedRecordSink implements RunRecordSink {
  readonly #store: RunSinkStore;
  readonly #options: RecordSinkOptions;
  readonly #worker: Worker;
  readonly #batch: RecordBatchWriter;
  readonly #watchers = new Set<() => Iterable<SendInFlight>>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #ready: Promise<void>;
  #isReady!: () => void;
  /** Messages kept until the writer is up: one that never starts hands them to the fallback, none lost. */
  #held: ToWriter[] | null = [];
  #heldRecords = 0;
  /** Records transferred to the writer. */
  #sent = 0;
  #state: WriterState = NO_STATE;
  /** The last snapshot of calls in flight was empty: an idle sink posts nothing. */
  #sendsEmpty = true;
  /** Answers awaited from the writer, by request id. */
  readonly #requests = new Map<number, (answer: Answer) => void>();
  #nextRequest = 0;
  #closed = false;
  #drained: Promise<SinkOutcome> | undefined;
  /** The writer thread ended or failed: run row writes go to this thread's store. */
  #gone = false;
  /** The writer thread failed: records go on in this thread. */
  #fallback: RecordSink | undefined;
  readonly #fallbackUnwatch = new Map<() => Iterable<SendInFlight>, () => void>();
  /** Records a writer thread that died may have taken with it (not in the store, maybe not in a journal). */
  #lost = 0;
  #writerError: string | null = null;
  #closedOutcome: SinkOutcome | undefined;
  /** close() ends the thread: its exit is no failure. */
  #ending = false;

  constructor(store: RunSinkStore, reopen: StoreReopen, options: RecordSinkOptions) {
    this.#store = store;
    this.#options = options;
    this.#batch = new RecordBatchWriter(options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.#ready = new Promise((resolve) => (this.#isReady = resolve));
    const { onRecord: _r, onNotice: _n, onOverflow: _o, ...sink } = options;
    const workerData: WriterData = { store: reopen, location: store.location, sink };
    this.#worker = new Worker(ENTRY, { workerData, resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB } });
    this.#worker.on('message', (message: FromWriter) => this.#receive(message));
    this.#worker.on('error', (err) => this.#writerFailed(err));
    this.#worker.on('exit', (code) => this.#writerFailed(new Error(`the thread exited with code ${code}`)));
    // Kept alive only while someone waits for it (ready, flush, close): a process that forgets close() still exits.
    this.#worker.unref();
    this.#timer = setInterval(() => this.#post(), options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  readonly runRows: RunRowWrites = {
    createRun: async (meta: RunMeta) => {
      // Named here, as the store would name it, so the answer need carry nothing back.
      const run = { ...meta, id: meta.id ?? newRunId() };
      await this.#runRow((id) => ({ kind: 'create-run', id, run }), () => this.#store.createRun(run));
      return run.id;
    },
    heartbeat: (runId: string, intervalMs: number) => this.#runRow((id) => ({ kind: 'heartbeat', id, runId, intervalMs }), () => this.#store.heartbeat(runId, intervalMs)),
    updateProgress: (runId: string, progress: JsonValue) => this.#runRow((id) => ({ kind: 'progress', id, runId, progress }), () => this.#store.updateProgress(runId, progress)),
    finishRun: (runId: string, status: FinalRunStatus, summary?: JsonValue) =>
      this.#runRow((id) => ({ kind: 'finish-run', id, runId, status, summary }), () => this.#store.finishRun(runId, status, summary)),
  };

  get waiting(): number {
    const writer = this.#fallback === undefined ? this.#sent - this.#state.received + this.#state.waiting : this.#lost;
    return this.#batch.count + this.#heldRecords + writer + (this.#fallback?.waiting ?? 0);
  }

  get backlog(): number {
    const failing = this.#state.backlog > 0 || this.#lost > 0 || (this.#fallback?.backlog ?? 0) > 0;
    return failing ? this.waiting : 0;
  }

  ready(): Promise<void> {
    return this.#keptAlive(this.#ready);
  }

  watchSends(inFlight: () => Iterable<SendInFlight>): () => void {
    this.#watchers.add(inFlight);
    if (this.#fallback) this.#fallbackUnwatch.set(inFlight, this.#fallback.watchSends(inFlight));
    return () => {
      // The calls still unanswered now get their provisional rows, as RecordSink's unwatch gives them.
      this.#post();
      this.#watchers.delete(inFlight);
      this.#fallbackUnwatch.get(inFlight)?.();
      this.#fallbackUnwatch.delete(inFlight);
    };
  }

  write(record: InvocationRecord): void {
    if (this.#closed) throw new FaasbenchError('ServiceUnavailable', `record ${record.runId}#${record.seq} written to a closed record sink`);
    this.#options.onRecord?.(record);
    if (this.#fallback) return this.#fallback.write(record);
    this.#batch.add(record);
    if (this.#batch.full) this.#post();
  }

  async flush(): Promise<void> {
    this.#post();
    if (this.#fallback === undefined) await this.#request((id) => ({ kind: 'flush', id }));
    await this.#fallback?.flush();
  }

  drain(end?: JournalEnd): Promise<SinkOutcome> {
    this.#drained ??= this.#drainNow(end);
    return this.#drained;
  }

  async close(end?: JournalEnd): Promise<SinkOutcome> {
    const outcome = await this.drain(end);
    // The writer closes its connection before its thread ends: an SQLite one folds its WAL into the file.
    if (!this.#gone) await this.#request((id) => ({ kind: 'end', id }));
    this.#ending = true;
    this.#gone = true;
    await this.#worker.terminate();
    return outcome;
  }

  async #drainNow(end: JournalEnd | undefined): Promise<SinkOutcome> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#post();
    if (this.#fallback === undefined) await this.#request((id) => ({ kind: 'close', id, end }));
    const fallback = await this.#fallback?.close(end);
    return this.#outcome(fallback);
  }

  /** Hands the batch so far and the calls in flight now to the writer. */
  #post(): void {
    if (this.#fallback) return;
    const sends = this.#sendsNow();
    if (this.#batch.count === 0 && sends.count === 0 && this.#sendsEmpty) return;
    this.#sendsEmpty = sends.count === 0;
    const records = this.#batch.count === 0 ? null : this.#batch.take();
    this.#postMessage({ kind: 'batch', records, sends });
  }

  /** The runners' calls sent and not yet recorded, as provisional rows. */
  #sendsNow(): EncodedBatch {
    let count = 0;
    for (const inFlight of this.#watchers) for (const sent of inFlight()) if (!sent.recorded) count++;
    const sends = new RecordBatchWriter(count);
    for (const inFlight of this.#watchers) for (const sent of inFlight()) if (!sent.recorded) sends.addSent(this.#options.runId, sent);
    return sends.take();
  }

  #postMessage(message: ToWriter): void {
    const records = message.kind === 'batch' ? (message.records?.count ?? 0) : 0;
    if (this.#held !== null) {
      this.#held.push(message);
      this.#heldRecords += records;
      return;
    }
    this.#worker.postMessage(message, message.kind === 'batch' ? [...(message.records ? transferList(message.records) : []), ...transferList(message.sends)] : []);
    this.#sent += records;
  }

  /** Sends a request and waits for its answer, or for the writer's end ('gone': the fallback then answers). */
  #request(make: (id: number) => ToWriter): Promise<'done' | 'gone'> {
    const id = this.#nextRequest++;
    const answered = new Promise<'done' | 'gone'>((resolve, reject) =>
      this.#requests.set(id, (answer) => (answer === null ? resolve('done') : answer === 'gone' ? resolve('gone') : reject(fromWriterError(answer)))),
    );
    this.#postMessage(make(id));
    return this.#keptAlive(answered);
  }

  /** A run row write through the writer; once it is gone, or when it goes before answering, on this thread's store. */
  async #runRow(make: (id: number) => ToWriter, here: () => Promise<unknown>): Promise<void> {
    if (this.#gone || (await this.#request(make)) === 'gone') await here();
  }

  async #keptAlive<T>(waiting: Promise<T>): Promise<T> {
    this.#worker.ref();
    try {
      return await waiting;
    } finally {
      if (this.#requests.size === 0) this.#worker.unref();
    }
  }

  #receive(message: FromWriter): void {
    switch (message.kind) {
      case 'ready':
        return this.#writerUp();
      case 'state':
        this.#state = message;
        if (message.rows !== null) this.#batch.giveBack(message.rows);
        return;
      case 'notice':
        return this.#options.onNotice?.(message.message);
      case 'overflow':
        return this.#options.onOverflow?.();
      case 'blocked':
        return this.#options.onNotice?.(`test hook ${WRITE_BLOCK_ENV}: the store writer's thread was blocked for ${message.ms} ms from epoch ms ${message.fromMs}`);
      case 'flushed':
        return this.#answer(message.id);
      case 'written':
        return this.#answer(message.id, message.error);
      case 'closed':
        this.#closedOutcome = message.outcome;
        return this.#answer(message.id);
      case 'ended':
        return this.#answer(message.id);
    }
  }

  #writerUp(): void {
    const held = this.#held ?? [];
    this.#held = null;
    this.#heldRecords = 0;
    for (const message of held) this.#postMessage(message);
    this.#isReady();
  }

  #answer(id: number, answer: Answer = null): void {
    this.#requests.get(id)?.(answer);
    this.#requests.delete(id);
  }

  /** The writer thread could not start, died, or ended (close): nothing more goes to it. */
  #writerFailed(err: Error): void {
    this.#gone = true;
    if (this.#fallback === undefined && this.#closedOutcome === undefined && !this.#ending) this.#fallBack(err);
    // Requests it will not answer now: flush and close go on with the fallback, run row writes on this thread.
    for (const id of [...this.#requests.keys()]) this.#answer(id, 'gone');
  }

  /**
   * The rest is written on this thread. Records held for a writer that never started go to the
   * fallback; those a dead writer held are counted lost.
   */
  #fallBack(err: Error): void {
    const { onRecord: _r, ...options } = this.#options;
    this.#fallback = new RecordSink(this.#store, options);
    for (const inFlight of this.#watchers) this.#fallbackUnwatch.set(inFlight, this.#fallback.watchSends(inFlight));
    this.#writerError = err.message;
    if (this.#held !== null) {
      for (const message of this.#held) if (message.kind === 'batch' && message.records) for (const record of decodeBatch(message.records)) this.#fallback.write(record);
      this.#options.onNotice?.(`the store writer thread could not start (${err.message}): records are written on this thread`);
    } else {
      this.#lost = Math.max(0, this.#sent - this.#state.received + this.#state.waiting);
      this.#options.onNotice?.(`the store writer thread failed (${err.message}): ${this.#lost} records it held may be lost; the rest are written on this thread`);
    }
    this.#held = null;
    this.#heldRecords = 0;
    for (const message of this.#batchRecords()) this.#fallback.write(message);
    this.#isReady();
  }

  /** The records of the batch not yet handed over. */
  #batchRecords(): InvocationRecord[] {
    return this.#batch.count === 0 ? [] : decodeBatch(this.#batch.take());
  }

  #outcome(fallback: SinkOutcome | undefined): SinkOutcome {
    const writer = this.#closedOutcome;
    const lostError = this.#lost > 0 ? `the store writer thread failed: ${this.#writerError}` : null;
    return {
      written: (writer?.written ?? this.#state.written) + (fallback?.written ?? 0),
      waiting: (writer?.waiting ?? 0) + (fallback?.waiting ?? 0) + this.#lost,
      journals: [...(writer?.journals ?? []), ...(fallback?.journals ?? [])],
      unjournaled: (writer?.unjournaled ?? 0) + (fallback?.unjournaled ?? 0) + this.#lost,
      storeError: fallback?.storeError ?? writer?.storeError ?? lostError,
      refusedPlaces: [...(writer?.refusedPlaces ?? []), ...(fallback?.refusedPlaces ?? [])],
    };
  }
}
