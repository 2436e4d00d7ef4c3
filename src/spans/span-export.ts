/**
 * spans/ owns the spans faasbench sends out: ids and propagation headers, the client span of each
 * call, the local platform's own spans, and their export to OTLP/HTTP and Zipkin collectors. It
 * imports core/ only and must not touch providers/, platform/, invoker/, store/ or cli/: those hand
 * it what to build (a record, an invocation's timings) and it never reaches back.
 *
 * This file is the exporter every producer shares. Spans are queued as builders: the span itself
 * is made when a batch leaves, on a timer, never where the call was sent or answered. One batch is
 * in flight per collector at a time; a collector that fails is said once and never fails the run.
 */
import type { SpanRecord, SpanSender } from './span-record.ts';

export interface SpanExportOptions {
  readonly senders: readonly SpanSender[];
  /** Said once per collector that failed, with why; default stderr. */
  readonly say?: (message: string) => void;
  /** How often queued spans leave. */
  readonly flushIntervalMs?: number;
  /** Spans per request to a collector. */
  readonly batchSize?: number;
  /** Spans held at most; beyond it new ones are counted and dropped (a collector far slower than the load). */
  readonly maxQueued?: number;
  /** How long close() waits for the last batches. */
  readonly closeTimeoutMs?: number;
}

type Builder = () => readonly SpanRecord[];

export class SpanExport {
  readonly #senders: readonly SpanSender[];
  readonly #say: (message: string) => void;
  readonly #batchSize: number;
  readonly #maxQueued: number;
  readonly #closeTimeoutMs: number;
  #queued: Builder[] = [];
  #dropped = 0;
  #sending: Promise<void> | null = null;
  readonly #failed = new Set<SpanSender>();
  readonly #timer: NodeJS.Timeout;

  constructor(options: SpanExportOptions) {
    this.#senders = options.senders;
    this.#say = options.say ?? ((message) => console.error(`faasbench: ${message}`));
    this.#batchSize = options.batchSize ?? 512;
    this.#maxQueued = options.maxQueued ?? 200_000;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.#timer = setInterval(() => this.#flush(), options.flushIntervalMs ?? 500);
    // Spans never keep a process alive.
    this.#timer.unref();
  }

  /** Queues the spans `build` will make; O(1), no I/O. */
  add(build: Builder): void {
    if (this.#queued.length >= this.#maxQueued) this.#dropped += 1;
    else this.#queued.push(build);
  }

  /** Sends what is queued, waits for it (bounded), then closes the senders. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const drained = (async () => {
      while (this.#sending || this.#queued.length > 0) await (this.#sending ?? this.#flush() ?? Promise.resolve());
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.#closeTimeoutMs)));
    const outcome = await Promise.race([drained, late]);
    clearTimeout(timer);
    if (outcome === 'late') this.#say(`spans: the spans of ${this.#queued.length} calls were still queued after ${this.#closeTimeoutMs / 1000} s and were not sent`);
    if (this.#dropped > 0) this.#say(`spans: ${this.#dropped} calls had no span: more were queued than ${this.#maxQueued} (the collector is slower than the load)`);
    await Promise.allSettled(this.#senders.map((s) => s.close()));
  }

  /** Starts one batch unless one is in flight; returns it. */
  #flush(): Promise<void> | undefined {
    if (this.#sending || this.#queued.length === 0) return undefined;
    const builders = this.#queued.splice(0, this.#batchSize);
    const spans = builders.flatMap((build) => build());
    this.#sending = Promise.all(this.#senders.map((sender) => this.#sendTo(sender, spans))).then(() => {
      this.#sending = null;
    });
    return this.#sending;
  }

  async #sendTo(sender: SpanSender, spans: readonly SpanRecord[]): Promise<void> {
    if (this.#failed.has(sender)) return;
    try {
      await sender.send(spans);
    } catch (err) {
      // Once failed, a collector gets nothing more: retrying every batch against a dead one would cost the run.
      this.#failed.add(sender);
      this.#say(`spans: ${(err as Error).message}; no more spans go there this run (the run goes on)`);
    }
  }
}
