/**
 * The one way a runner's records reach the store (cli/plan-execution.ts and experiments/bench.ts),
 * built so that no record is ever silently lost. The invoker hands records over synchronously and
 * never waits; every flush interval the sink writes them to the store in batches. When a write
 * fails the run goes on: from the next flush the records go to an append-only journal file
 * (journal.ts), so a kill -9 during the outage loses none; writes are retried with a capped
 * backoff, and the journal is drained into the store when it answers again. A store that answers
 * but falls behind keeps records in memory up to a bound, and only beyond it in the journal. Measured before this sink: PostgreSQL away for
 * 5 s lost 100 of 400 records, an SQLite store on a full disk 361 of 400.
 *
 * It also journals sends: a call sent and still unanswered at a flush gets a provisional row with
 * status 'unknown', which its outcome replaces (the store's rule), so after a kill -9 every call
 * sent more than a flush and a write before is either recorded or known as sent. The rows are built
 * at the flush from the runner's own table of calls in flight (watchSends), so a call that answers
 * within a flush interval, as most do, costs the send path nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import type { PlannedInvocation } from '../core/load-plan.ts';
import { Journal, journalPlaces, type JournalEnd, type JournalFileState } from './journal.ts';
import { StoreFailureError } from './store-failure.ts';
import type { RunMeta, Store } from './store.ts';

export interface RecordSinkOptions {
  readonly runId: string;
  /**
   * What the run is, as created: a journal's header carries it, so `store recover --store <other>`
   * can create the run there. Given, not read back, as the store may fail before it answers.
   */
  readonly run: RunMeta;
  /** Records reach the store at least this often (and a kill -9 loses at most about this much). Default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Records per store write. Default 2,000. */
  readonly batchSize?: number;
  /**
   * Records held in memory while a store that answers falls behind; beyond, they go to the journal.
   * Default 100,000 (~60 MB): at 20,000 a run past SQLite's write rate (7,630/s here) spilled, and
   * serialising the spill on the invoker's thread made it fall further behind: p99 lateness 115 ms
   * and 4,657 calls dropped where holding them cost nothing (bench/invoker-capacity, BENCHMARKS.md).
   */
  readonly bufferLimit?: number;
  /** First retry of a failed write after this long, doubling up to retryMaxMs. Defaults 250 ms and 4 s. */
  readonly retryFirstMs?: number;
  readonly retryMaxMs?: number;
  /**
   * How long close() keeps retrying a failing store before leaving what waits in the journal,
   * counted from its start or from the last write that succeeded. Default 5 s.
   */
  readonly closeWaitMs?: number;
  /**
   * Records held in memory when no journal place takes them and the store fails: beyond, the run
   * must stop (onOverflow), or memory grows until the process dies with them all. Default 200,000 (~120 MB).
   */
  readonly memoryLimit?: number;
  /** Called once when memoryLimit is passed: the runner stops sending, and close() says what is lost. */
  readonly onOverflow?: () => void;
  /** Folders for the journal, best first. Default: journalPlaces(store.location). */
  readonly journalPlaces?: readonly string[];
  /**
   * False: no timer of its own, flushes run only at nudge(). The store writer thread nudges as each
   * batch arrives, so a provisional row waits for the next batch's outcomes before it is spilled,
   * as it waits for the next interval's here. Default true.
   */
  readonly timed?: boolean;
  /** Sees every record as it arrives (a caller's summary). */
  readonly onRecord?: (record: InvocationRecord) => void;
  /** A sentence for the person running: the store failed, records go to a journal, the store is back. */
  readonly onNotice?: (message: string) => void;
}

/** What the sink needs of a store: it only writes records, and names the store in its messages. */
export type SinkStore = Pick<Store, 'writeRecords' | 'location'>;

export interface SinkOutcome {
  /** Records (provisional rows included) the store took. */
  readonly written: number;
  /** Records not in the store at the end. */
  readonly waiting: number;
  /** Journal files holding records the store has not taken. */
  readonly journals: readonly JournalFileState[];
  /** Records no journal place could take (every place refused): only in this message. */
  readonly unjournaled: number;
  /** Why the last store write failed, when the store is failing at the end. */
  readonly storeError: string | null;
  /** Why places for the journal were given up ("/mnt/full: ENOSPC..."). */
  readonly refusedPlaces: readonly string[];
}

/** close()'s outcome when records are left out of the store: the message names the journal and the command. */
export class RecordsWaitingError extends StoreFailureError {
  readonly outcome: SinkOutcome;
  constructor(outcome: SinkOutcome, store: string, runId: string) {
    super(waitingMessage(outcome, store, runId));
    this.outcome = outcome;
  }
}

/** A call the runner sent, as its table of calls in flight holds it (the invoker's `Sent`). */
export interface SendInFlight {
  readonly call: Pick<PlannedInvocation, 'seq' | 'fn' | 'phase' | 'tag'>;
  readonly plannedUs: number;
  readonly sentUs: number;
  /** True once the call's record was written: it needs no provisional row. */
  readonly recorded: boolean;
}

const DEFAULTS = { flushIntervalMs: 200, batchSize: 2_000, bufferLimit: 100_000, retryFirstMs: 250, retryMaxMs: 4_000, closeWaitMs: 5_000, memoryLimit: 200_000 };

export class RecordSink {
  readonly #store: SinkStore;
  readonly #options: RecordSinkOptions & typeof DEFAULTS;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  /** Records to write, oldest first. */
  #queue: InvocationRecord[] = [];
  /** Provisional records queued for calls unanswered at a flush, by seq, until their outcome comes. */
  readonly #unanswered = new Map<number, InvocationRecord>();
  /** The runners' tables of calls in flight (several loads of one experiment may overlap). */
  readonly #sends = new Set<() => Iterable<SendInFlight>>();
  /** Records taken off the queue by a write or a spill in progress. */
  #inFlight = 0;
  /** The queue's batch a store write has in hand, if any. */
  #writing: InvocationRecord[] | null = null;
  /** close() stopped waiting for #writing and journaled it: a late failure must not queue it again. */
  #gaveUpWriting = false;
  #journal: Journal | undefined;
  #pumping: Promise<void> | undefined;
  #spilling: Promise<void> | undefined;
  #written = 0;
  /** Date.now() of the last write the store took: close() keeps waiting while they succeed. */
  #lastWriteMs = 0;
  #failures = 0;
  #retryAtMs = 0;
  #storeError: string | null = null;
  #closed = false;
  #closing: Promise<SinkOutcome> | undefined;
  /** The journal could not be written anywhere: said once, not at every flush. */
  #unjournaledNoticed = false;
  #overflowed = false;

  constructor(store: SinkStore, options: RecordSinkOptions) {
    this.#store = store;
    this.#options = { ...DEFAULTS, ...stripUndefined(options), runId: options.runId, run: options.run };
    this.#timer = options.timed === false ? undefined : setInterval(() => this.#tick(), this.#options.flushIntervalMs);
    // The runner's own work keeps the process alive; close() writes what is left.
    this.#timer?.unref();
  }

  /** Records handed over and not (yet) in the store: in memory, being written, or in the journal. */
  get waiting(): number {
    return this.#queue.length + this.#inFlight + (this.#journal?.waiting ?? 0);
  }

  /** Records (provisional rows included) the store has taken so far. */
  get written(): number {
    return this.#written;
  }

  /** Resolved: this sink writes on the caller's thread and needs no start (see threaded-sink.ts). */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Records waiting because the store failed (what a progress line shows): 0 while it keeps up,
   * when `waiting` is just the last flush interval's records.
   */
  get backlog(): number {
    return this.#failures > 0 || (this.#journal?.waiting ?? 0) > 0 ? this.waiting : 0;
  }

  /**
   * Each flush reads `inFlight` (the runner's calls sent and not yet answered) and queues a
   * provisional 'unknown' row for each call not already given one. Returns the unwatch, for when
   * the runner has written every outcome.
   */
  watchSends(inFlight: () => Iterable<SendInFlight>): () => void {
    this.#sends.add(inFlight);
    return () => {
      this.#markUnanswered();
      this.#sends.delete(inFlight);
    };
  }

  /**
   * Starts a write of what is queued and waits for it; never throws for the store (a failing one
   * keeps the records, as a flush would). For a caller about to read the store back.
   */
  async flush(): Promise<void> {
    this.#markUnanswered();
    if (Date.now() >= this.#retryAtMs) await this.#startPump();
    await this.#spilling;
  }

  /**
   * Does a flush interval's work now (provisional rows, spill, write) rather than at the next
   * tick: the store writer's thread calls it as each batch arrives, so the thread hop adds no interval.
   */
  nudge(): void {
    if (!this.#closed) this.#tick();
  }

  write(record: InvocationRecord): void {
    if (this.#closed) throw new FaasbenchError('ServiceUnavailable', `record ${record.runId}#${record.seq} written to a closed record sink`);
    this.#options.onRecord?.(record);
    this.#unanswered.delete(record.seq);
    this.#queue.push(record);
  }

  /**
   * Writes what is left, retrying a failing store for up to closeWaitMs; what the store still does
   * not take ends in the journal, with `end` (how the run ended) after it. Never throws for the
   * store: the outcome says what is where. Once: a second call returns the first one's outcome.
   */
  close(end?: JournalEnd): Promise<SinkOutcome> {
    this.#closing ??= this.#close(end);
    return this.#closing;
  }

  /** close(): this sink has no thread to keep for the run row's writes (threaded-sink.ts). */
  drain(end?: JournalEnd): Promise<SinkOutcome> {
    return this.close(end);
  }

  async #close(end: JournalEnd | undefined): Promise<SinkOutcome> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#markUnanswered();
    const startedMs = Date.now();
    // A store that takes writes is waited for, however long its backlog: only a failing or hung one is left.
    const deadline = (): number => Math.max(startedMs, this.#lastWriteMs) + this.#options.closeWaitMs;
    for (;;) {
      if (this.#pumping === undefined && Date.now() >= this.#retryAtMs) void this.#startPump();
      // A write that hangs (a server that stopped answering mid-query) must not hold the end.
      if (this.#pumping !== undefined) await within(this.#pumping, deadline() - Date.now());
      await this.#spilling;
      if (this.waiting === 0) break;
      const now = Date.now();
      if (now >= deadline()) break;
      if (this.#pumping === undefined && now < this.#retryAtMs) await sleep(Math.max(0, Math.min(this.#retryAtMs, deadline()) - now));
    }
    if (this.waiting > 0) {
      // A batch still being written may yet commit or not: journaled too (loading it again is harmless).
      if (this.#pumping !== undefined && this.#writing !== null) {
        this.#gaveUpWriting = true;
        this.#queue = this.#writing.concat(this.#queue);
      }
      await this.#spill(0);
      if (end !== undefined && this.#journal !== undefined && this.#queue.length === 0) await this.#journal.end(end).catch(() => undefined);
    }
    const journals = (await this.#journal?.close()) ?? [];
    return {
      written: this.#written,
      waiting: journals.reduce((n, f) => n + f.records - f.drained, 0) + this.#queue.length,
      journals,
      unjournaled: this.#queue.length,
      storeError: this.#storeError,
      refusedPlaces: this.#journal?.refused ?? [],
    };
  }

  #tick(): void {
    // While the store fails, provisional rows pile up beside the outcomes that make them moot.
    if (this.#failures > 0) this.#queue = this.#queue.filter((r) => this.#stillNeeded(r));
    const queued = this.#queue.length;
    this.#markUnanswered();
    // While the store fails, every record goes to the journal at the next flush: memory is lost to
    // a kill -9 (100,000 records are over 8 minutes of a 200/s run). Provisional rows made just now wait one
    // flush more: most calls answer by then, and a journal holding a call's row twice would count
    // it twice as waiting. A store that answers but falls behind keeps up to bufferLimit in memory,
    // and needs no journal file below it.
    const keep = this.#failures > 0 ? this.#queue.length - queued : this.#options.bufferLimit;
    if (this.#queue.length > keep) void this.#spill(keep);
    if (Date.now() >= this.#retryAtMs) void this.#startPump();
  }

  #startPump(): Promise<void> {
    this.#pumping ??= this.#pump().finally(() => (this.#pumping = undefined));
    return this.#pumping;
  }

  /** Calls in flight without a provisional row get one now: built here, never on the send path. */
  #markUnanswered(): void {
    for (const inFlight of this.#sends) {
      for (const sent of inFlight()) {
        if (sent.recorded || this.#unanswered.has(sent.call.seq)) continue;
        const provisional = this.#provisional(sent);
        this.#unanswered.set(provisional.seq, provisional);
        this.#queue.push(provisional);
      }
    }
  }

  #provisional({ call, plannedUs, sentUs }: SendInFlight): InvocationRecord {
    return {
      runId: this.#options.runId, seq: call.seq, fn: call.fn, phase: call.phase, tag: call.tag ?? null, plannedUs, sentUs, receivedUs: null, latencyMs: null,
      status: 'unknown', httpStatus: null, errorClass: null, requestId: null, instanceId: null, cold: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null,
    };
  }

  /** Drains the journal (oldest first), then the queue, until both are empty or a write fails. */
  async #pump(): Promise<void> {
    try {
      for (;;) {
        const fromJournal = (await this.#journal?.nextBatch(this.#options.batchSize)) ?? null;
        if (fromJournal !== null) {
          // Journaled records may have been in a write whose commit landed but whose answer was
          // lost: finding them stored is no overlap of writers, so not counted as duplicates.
          await this.#store.writeRecords(fromJournal.records, { countDuplicates: false });
          fromJournal.done();
          this.#succeeded(fromJournal.records.length);
          continue;
        }
        if (this.#queue.length === 0) return;
        const batch = this.#queue.length <= this.#options.batchSize ? this.#queue : this.#queue.slice(0, this.#options.batchSize);
        this.#queue = batch === this.#queue ? [] : this.#queue.slice(batch.length);
        this.#inFlight += batch.length;
        this.#writing = batch;
        try {
          // After a failure the batch may be one whose commit landed unanswered: its own rows are no duplicates.
          await this.#store.writeRecords(batch, { countDuplicates: this.#failures === 0 });
        } catch (err) {
          if (!this.#gaveUpWriting) this.#queue = batch.concat(this.#queue);
          throw err;
        } finally {
          this.#inFlight -= batch.length;
          this.#writing = null;
        }
        this.#succeeded(batch.length);
      }
    } catch (err) {
      this.#failed(err);
    }
  }

  #succeeded(records: number): void {
    this.#written += records;
    this.#lastWriteMs = Date.now();
    if (this.#failures === 0) return;
    this.#options.onNotice?.(`the store ${this.#store.location} answers again after ${this.#failures} failed write(s); ${this.waiting} records still waiting are being written`);
    this.#failures = 0;
    this.#retryAtMs = 0;
    this.#storeError = null;
  }

  #failed(err: unknown): void {
    this.#failures++;
    this.#storeError = (err as Error)?.message ?? String(err);
    const backoffMs = Math.min(this.#options.retryMaxMs, this.#options.retryFirstMs * 2 ** Math.min(this.#failures - 1, 20));
    this.#retryAtMs = Date.now() + backoffMs;
    if (this.#failures === 1) {
      this.#options.onNotice?.(
        `the store ${this.#store.location} failed (${this.#storeError}): the run goes on, records go to a journal file until the store answers again, and the write is retried`,
      );
    }
  }

  /** False for a provisional row whose call has been answered since: its outcome says all it would. */
  #stillNeeded(record: InvocationRecord): boolean {
    return record.status !== 'unknown' || this.#unanswered.get(record.seq) === record;
  }

  /** Moves the queue beyond `keep` records (all of it with 0) to the journal; one spill at a time. */
  #spill(keep: number): Promise<void> {
    this.#spilling ??= this.#spillNow(keep).finally(() => (this.#spilling = undefined));
    return this.#spilling;
  }

  async #spillNow(keep: number): Promise<void> {
    if (this.#queue.length <= keep) return;
    // The oldest go to the file; the newest stay, as the next to write.
    const oldest = this.#queue.slice(0, this.#queue.length - keep);
    this.#queue = this.#queue.slice(oldest.length);
    // A provisional row whose call has been answered since says nothing its outcome does not.
    const records = oldest.filter((r) => this.#stillNeeded(r));
    if (records.length === 0) return;
    this.#inFlight += records.length;
    const journal = (this.#journal ??= new Journal({ runId: this.#options.runId, store: this.#store.location, run: { ...this.#options.run, id: this.#options.runId } }, this.#options.journalPlaces ?? journalPlaces(this.#store.location)));
    const before = journal.files.at(-1)?.path;
    try {
      const file = await journal.append(records);
      if (file !== before) {
        const refused = journal.refused.length > 0 ? ` (${journal.refused.join('; ')})` : '';
        this.#options.onNotice?.(`records the store has not taken go to the journal ${file}${refused}`);
      }
    } catch (err) {
      // No place took them: they stay in memory, the bound notwithstanding; never discarded.
      this.#queue = records.concat(this.#queue);
      if (!this.#unjournaledNoticed) this.#options.onNotice?.(`the journal could not be written: ${(err as Error).message}; records stay in memory until the store answers again`);
      this.#unjournaledNoticed = true;
      if (this.#queue.length > this.#options.memoryLimit && !this.#overflowed) {
        this.#overflowed = true;
        this.#options.onNotice?.(`${this.#queue.length} records are in memory with no journal place and the store failing: the run stops`);
        this.#options.onOverflow?.();
      }
    } finally {
      this.#inFlight -= records.length;
    }
  }
}

function waitingMessage(outcome: SinkOutcome, store: string, runId: string): string {
  const files = outcome.journals.filter((f) => f.records > f.drained);
  const why = outcome.storeError === null ? '' : ` (${outcome.storeError})`;
  const lines = [`the store ${store} did not take ${outcome.waiting} records of run ${runId}${why}`];
  if (outcome.unjournaled > 0) lines.push(`${outcome.unjournaled} records could not be written to any journal (${outcome.refusedPlaces.join('; ')}) and are lost with this process`);
  const option = store.includes(':***@') ? ` --store ${store.replace(':***@', ':<password>@')}` : '';
  const where = files.map((f) => `${f.records - f.drained} in ${f.path}`).join(', ');
  const commands = files.map((f) => `faasbench store recover ${shellQuote(f.path)}${option}`).join(' && ');
  if (files.length > 0) lines.push(`${files.reduce((n, f) => n + f.records - f.drained, 0)} records wait in the journal: ${where}; load them with: ${commands}`);
  return lines.join('\n');
}

function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Waits for `work`, or `ms` at most (the timer cleared either way, so it keeps no process alive). */
async function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
