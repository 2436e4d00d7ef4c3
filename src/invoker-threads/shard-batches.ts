/**
 * A shard's records and counts on their way to the main thread: the RecordSink and the Progress
 * its runPlan writes to, posted as one batch every BATCH_MS (or sooner when BATCH_RECORDS are
 * waiting), never a message per call. With the run's sink watching sends, each batch also carries
 * the calls in flight, so a kill -9 still leaves a provisional row for every call sent.
 */
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import type { RecordSink, Sent } from '../invoker/invoker.ts';
import { Progress } from '../invoker/progress.ts';
import { RecordColumns } from './record-columns.ts';
import type { SendRow, ShardBatch } from './shard-protocol.ts';

/** Records and in-flight calls reach the main thread's sink this often; it flushes every 200 ms. */
export const BATCH_MS = 50;
/** A full batch goes at once: about 100 ms of records at 10,000 calls/s. */
const BATCH_RECORDS = 1_000;

/** The shard's Progress, whose counts also go to the main thread's one progress line. */
class ForwardedProgress extends Progress {
  sentLatenessUs: number[] = [];
  doneByStatus: Partial<Record<InvocationStatus, number>> = {};
  changed = false;

  override markSent(latenessUs: number): void {
    super.markSent(latenessUs);
    this.sentLatenessUs.push(latenessUs);
    this.changed = true;
  }

  override markDone(status: InvocationStatus): void {
    super.markDone(status);
    this.doneByStatus[status] = (this.doneByStatus[status] ?? 0) + 1;
    this.changed = true;
  }
}

export class ShardBatches implements RecordSink {
  readonly progress: ForwardedProgress;
  readonly #records = new RecordColumns();
  readonly #timer: ReturnType<typeof setInterval>;
  #inFlight: (() => Iterable<Sent>) | undefined;
  /** Calls in flight were said non-empty in the last batch: the next says so even if none are now. */
  #saidInFlight = false;

  constructor(
    planned: number | undefined,
    /** The run's sink watches sends (it writes provisional rows): forward the calls in flight. */
    private readonly watch: boolean,
    private readonly post: (batch: ShardBatch) => void,
  ) {
    this.progress = new ForwardedProgress(planned);
    this.#timer = setInterval(() => this.flush(), BATCH_MS);
  }

  write(record: InvocationRecord): void {
    this.#records.add(record);
    if (this.#records.count >= BATCH_RECORDS) this.flush();
  }

  watchSends(inFlight: () => Iterable<Sent>): () => void {
    if (!this.watch) return () => undefined;
    this.#inFlight = inFlight;
    return () => {
      this.flush();
      this.#inFlight = undefined;
    };
  }

  /** Posts what changed since the last batch, if anything did. */
  flush(): void {
    const inFlight = this.#inFlightRows();
    const progress = this.progress;
    if (this.#records.count === 0 && !progress.changed && inFlight === null) return;
    this.post({ kind: 'batch', records: this.#records.take(), sentLatenessUs: Float64Array.from(progress.sentLatenessUs), done: progress.doneByStatus, inFlight });
    progress.sentLatenessUs = [];
    progress.doneByStatus = {};
    progress.changed = false;
  }

  /** Stops the timer after a last flush. */
  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }

  /** The calls in flight, unless none are and none were at the last batch (nothing to replace). */
  #inFlightRows(): SendRow[] | null {
    if (this.#inFlight === undefined) return null;
    const rows: SendRow[] = [];
    for (const s of this.#inFlight()) {
      if (!s.recorded) rows.push({ seq: s.call.seq, fn: s.call.fn, phase: s.call.phase, tag: s.call.tag ?? null, plannedUs: s.plannedUs, sentUs: s.sentUs });
    }
    if (rows.length === 0 && !this.#saidInFlight) return null;
    this.#saidInFlight = rows.length > 0;
    return rows;
  }
}
