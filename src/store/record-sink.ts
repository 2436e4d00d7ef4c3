/**
 * The one way a runner's records reach the store (cli/plan-execution.ts and experiments/bench.ts),
 * built so that no record is ever silently lost. The invoker hands records over synchronously and
 * never waits; every flush interval the sink writes them to the store in batches. When a write
 * fails the run goes on: the batch stays, records wait in memory up to a bound and beyond it in an
 * append-only journal file (journal.ts), writes are retried with a capped backoff, and the journal
 * is drained into the store when it answers again. Measured before this sink: PostgreSQL away for
 * 5 s lost 100 of 400 records, an SQLite store on a full disk 361 of 400.
 *
 * It also journals sends: a call sent and still unanswered at a flush gets a provisional row with
 * status 'unknown', which its outcome replaces (the store's rule), so after a kill -9 every call
 * sent more than a flush and a write before is either recorded or known as sent. Most calls answer
 * within a flush interval and cost nothing.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { Journal, journalPlaces, type JournalEnd, type JournalFileState } from './journal.ts';
import { StoreFailureError } from './store-failure.ts';
import type { Run, RunMeta, Store } from './store.ts';

export interface RecordSinkOptions {
  readonly runId: string;
  /** Records reach the store at least this often (and a kill -9 loses at most about this much). Default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Records per store write. Default 2,000. */
  readonly batchSize?: number;
  /** Records held in memory while the store does not take them; beyond, they go to the journal. Default 20,000 (~12 MB). */
  readonly bufferLimit?: number;
  /** First retry of a failed write after this long, doubling up to retryMaxMs. Defaults 250 ms and 4 s. */
  readonly retryFirstMs?: number;
  readonly retryMaxMs?: number;
  /** How long close() keeps retrying a failing store before leaving what waits in the journal. Default 5 s. */
  readonly closeWaitMs?: number;
  /** Folders for the journal, best first. Default: journalPlaces(store.location). */
  readonly journalPlaces?: readonly string[];
  /** Sees every record as it arrives (a caller's summary). */
  readonly onRecord?: (record: InvocationRecord) => void;
  /** A sentence for the person running: the store failed, records go to a journal, the store is back. */
  readonly onNotice?: (message: string) => void;
}

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

const DEFAULTS = { flushIntervalMs: 200, batchSize: 2_000, bufferLimit: 20_000, retryFirstMs: 250, retryMaxMs: 4_000, closeWaitMs: 5_000 };

export class RecordSink {
  readonly #store: Store;
  readonly #options: RecordSinkOptions & typeof DEFAULTS;
  readonly #timer: ReturnType<typeof setInterval>;
  /** Records to write, oldest first. */
  #queue: InvocationRecord[] = [];
  /** Provisional records of calls sent and not answered, by seq. */
  readonly #unanswered = new Map<number, InvocationRecord>();
  #sentSinceFlush: InvocationRecord[] = [];
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
  #failures = 0;
  #retryAtMs = 0;
  #storeError: string | null = null;
  #closed = false;
  /** The run as stored, read once at the start: a journal's header carries it, so `store recover` can recreate it elsewhere. */
  #run: RunMeta | null = null;

  constructor(store: Store, options: RecordSinkOptions) {
    this.#store = store;
    this.#options = { ...DEFAULTS, ...stripUndefined(options), runId: options.runId };
    void runMeta(store, options.runId).then((run) => (this.#run = run));
    this.#timer = setInterval(() => this.#tick(), this.#options.flushIntervalMs);
    // The runner's own work keeps the process alive; close() writes what is left.
    this.#timer.unref();
  }

  /** Records handed over and not (yet) in the store: in memory, being written, or in the journal. */
  get waiting(): number {
    return this.#queue.length + this.#inFlight + (this.#journal?.waiting ?? 0);
  }

  /**
   * Records waiting because the store failed (what a progress line shows): 0 while it keeps up,
   * when `waiting` is just the last flush interval's records.
   */
  get backlog(): number {
    return this.#failures > 0 || (this.#journal?.waiting ?? 0) > 0 ? this.waiting : 0;
  }

  /** A call went out: its provisional 'unknown' record, written at the next flush if still unanswered. */
  sent(provisional: InvocationRecord): void {
    this.#unanswered.set(provisional.seq, provisional);
    this.#sentSinceFlush.push(provisional);
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
   * store: the outcome says what is where.
   */
  async close(end?: JournalEnd): Promise<SinkOutcome> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#markUnanswered();
    const deadline = Date.now() + this.#options.closeWaitMs;
    for (;;) {
      // A write that hangs (a server that stopped answering mid-query) must not hold the end.
      if (this.#pumping !== undefined) await within(this.#pumping, deadline - Date.now());
      await this.#spilling;
      if (this.waiting === 0) break;
      const now = Date.now();
      if (now >= deadline) break;
      if (now < this.#retryAtMs) await sleep(Math.min(this.#retryAtMs, deadline) - now);
      else await this.#startPump();
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
    this.#markUnanswered();
    if (this.#queue.length > this.#options.bufferLimit) void this.#spill(this.#options.bufferLimit);
    if (Date.now() >= this.#retryAtMs) void this.#startPump();
  }

  #startPump(): Promise<void> {
    this.#pumping ??= this.#pump().finally(() => (this.#pumping = undefined));
    return this.#pumping;
  }

  /** Calls sent since the last flush and still unanswered get their provisional row now. */
  #markUnanswered(): void {
    for (const provisional of this.#sentSinceFlush) if (this.#unanswered.get(provisional.seq) === provisional) this.#queue.push(provisional);
    this.#sentSinceFlush = [];
  }

  /** Drains the journal (oldest first), then the queue, until both are empty or a write fails. */
  async #pump(): Promise<void> {
    try {
      for (;;) {
        const fromJournal = (await this.#journal?.nextBatch(this.#options.batchSize)) ?? null;
        if (fromJournal !== null) {
          await this.#store.writeRecords(fromJournal.records);
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
          await this.#store.writeRecords(batch);
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
        `the store ${this.#store.location} failed (${this.#storeError}): the run goes on, records wait in memory (up to ${this.#options.bufferLimit}) and then in a journal file, and the write is retried`,
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
    const journal = (this.#journal ??= new Journal({ runId: this.#options.runId, store: this.#store.location, run: this.#run }, this.#options.journalPlaces ?? journalPlaces(this.#store.location)));
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
      this.#options.onNotice?.(`the journal could not be written: ${(err as Error).message}; ${this.#queue.length} records stay in memory`);
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

/** Read once per store and run (a bench makes a sink per call); null when the store cannot say. */
const runMetas = new WeakMap<Store, Map<string, Promise<RunMeta | null>>>();

function runMeta(store: Store, runId: string): Promise<RunMeta | null> {
  let byRun = runMetas.get(store);
  if (byRun === undefined) runMetas.set(store, (byRun = new Map()));
  let meta = byRun.get(runId);
  if (meta === undefined) {
    const runs = byRun;
    meta = store.getRun(runId).then(
      (run) => (run === undefined ? null : metaOf(run)),
      () => {
        runs.delete(runId);
        return null;
      },
    );
    byRun.set(runId, meta);
  }
  return meta;
}

function metaOf(run: Run): RunMeta {
  return { id: run.id, kind: run.kind, name: run.name, provider: run.provider, params: run.params, seed: run.seed, host: run.host, toolVersion: run.toolVersion, startedAt: run.startedAt };
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
