/**
 * Invocation records as compact rows, for handing batches to the store writer's thread: the
 * sending thread copies each record into a Float64Array the moment it arrives (no object kept per
 * record), and the batch's buffers are transferred, not copied, to the writer. Numbers are stored
 * as the doubles they are (epoch µs and fractional ms round-trip bit for bit); text goes to a
 * per-batch string table, each distinct string once, as UTF-8 when the batch is taken.
 *
 * Row layout, one double per slot: the NUMBERS in order, `cold` (1/0), the TEXTS as indices into
 * the string table (-1 for null), and a bit mask of the nullable numbers (and `cold`) that are null.
 */
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import type { Phase } from '../core/load-plan.ts';
import type { SendInFlight } from './record-sink.ts';

const NUMBERS = ['seq', 'plannedUs', 'sentUs', 'receivedUs', 'latencyMs', 'httpStatus', 'initMs', 'durationMs', 'billedMs', 'memoryMb', 'maxMemoryMb'] as const;
const TEXTS = ['runId', 'fn', 'phase', 'tag', 'status', 'errorClass', 'requestId', 'instanceId'] as const;
const COLD = NUMBERS.length;
const FIRST_TEXT = COLD + 1;
const NULLS = FIRST_TEXT + TEXTS.length;
export const SLOTS_PER_ROW = NULLS + 1;
/** The null bit of `cold`: after those of the NUMBERS. */
const COLD_NULL = 2 ** COLD;

/** A batch as it crosses threads: every buffer is in `transfer`. */
export interface EncodedBatch {
  readonly count: number;
  /** count * SLOTS_PER_ROW doubles (the buffer may be longer: it is reused). */
  readonly rows: ArrayBuffer;
  /** The string table's UTF-8 bytes, one string after another. */
  readonly text: ArrayBuffer;
  /** Where string i ends in `text` (it starts where i - 1 ends). */
  readonly textEnds: ArrayBuffer;
}

export function transferList(batch: EncodedBatch): ArrayBuffer[] {
  return [batch.rows, batch.text, batch.textEnds];
}

/** Appends records to rows; `take()` hands the batch over and starts the next. */
export class RecordBatchWriter {
  readonly capacity: number;
  /** Allocated at the first row of each batch (a batch taken empty, or a one-off writer, needs none after). */
  #rows: Float64Array | null = null;
  #count = 0;
  #strings = new Map<string, number>();
  /** Row buffers the reader handed back, for the next batches. */
  readonly #spare: ArrayBuffer[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count >= this.capacity;
  }

  /** Copies the record into the next row. False when the batch is full (take() it first). */
  add(record: InvocationRecord): boolean {
    if (this.full) return false;
    const rows = this.#rowsToFill();
    const at = this.#count * SLOTS_PER_ROW;
    let nulls = 0;
    for (let i = 0; i < NUMBERS.length; i++) {
      const value = record[NUMBERS[i]!];
      if (value === null) nulls += 2 ** i;
      rows[at + i] = value ?? 0;
    }
    if (record.cold === null) nulls += COLD_NULL;
    rows[at + COLD] = record.cold ? 1 : 0;
    for (let i = 0; i < TEXTS.length; i++) rows[at + FIRST_TEXT + i] = this.#intern(record[TEXTS[i]!]);
    rows[at + NULLS] = nulls;
    this.#count++;
    return true;
  }

  /**
   * A call in flight as the row of its provisional record (status 'unknown', no outcome): how the
   * sending thread's table of calls in flight reaches the writer. False when the batch is full.
   */
  addSent(runId: string, { call, plannedUs, sentUs }: SendInFlight): boolean {
    if (this.full) return false;
    const rows = this.#rowsToFill();
    const at = this.#count * SLOTS_PER_ROW;
    rows.fill(0, at, at + SLOTS_PER_ROW);
    rows[at] = call.seq;
    rows[at + 1] = plannedUs;
    rows[at + 2] = sentUs;
    rows[at + FIRST_TEXT] = this.#intern(runId);
    rows[at + FIRST_TEXT + 1] = this.#intern(call.fn);
    rows[at + FIRST_TEXT + 2] = this.#intern(call.phase);
    rows[at + FIRST_TEXT + 3] = this.#intern(call.tag ?? null);
    rows[at + FIRST_TEXT + 4] = this.#intern('unknown');
    for (let i = 5; i < TEXTS.length; i++) rows[at + FIRST_TEXT + i] = -1;
    // Everything after sentUs is null: the call has no outcome yet.
    let nulls = COLD_NULL;
    for (let i = 3; i < NUMBERS.length; i++) nulls += 2 ** i;
    rows[at + NULLS] = nulls;
    this.#count++;
    return true;
  }

  /** The batch so far, ready to transfer; the writer starts an empty one. */
  take(): EncodedBatch {
    const strings = [...this.#strings.keys()];
    const ends = new Uint32Array(strings.length);
    let bytes = 0;
    for (let i = 0; i < strings.length; i++) ends[i] = bytes += Buffer.byteLength(strings[i]!);
    const text = new Uint8Array(bytes);
    const encoder = new TextEncoder();
    for (let i = 0; i < strings.length; i++) encoder.encodeInto(strings[i]!, text.subarray(i === 0 ? 0 : ends[i - 1]!));
    const rows = (this.#rows?.buffer as ArrayBuffer | undefined) ?? new ArrayBuffer(0);
    const batch: EncodedBatch = { count: this.#count, rows, text: text.buffer, textEnds: ends.buffer };
    this.#rows = null;
    this.#count = 0;
    this.#strings = new Map();
    return batch;
  }

  /** A row buffer the reader is done with (recycled rather than allocated again). */
  giveBack(rows: ArrayBuffer): void {
    if (rows.byteLength === this.capacity * SLOTS_PER_ROW * 8 && this.#spare.length < 4) this.#spare.push(rows);
  }

  #rowsToFill(): Float64Array {
    if (this.#rows === null) {
      const spare = this.#spare.pop();
      this.#rows = spare === undefined ? new Float64Array(this.capacity * SLOTS_PER_ROW) : new Float64Array(spare);
    }
    return this.#rows;
  }

  #intern(text: string | null): number {
    if (text === null) return -1;
    let index = this.#strings.get(text);
    if (index === undefined) this.#strings.set(text, (index = this.#strings.size));
    return index;
  }
}

/** The records of a batch, as they were added. */
export function decodeBatch(batch: EncodedBatch): InvocationRecord[] {
  const strings = stringTable(batch);
  const rows = new Float64Array(batch.rows, 0, batch.count * SLOTS_PER_ROW);
  const records: InvocationRecord[] = new Array<InvocationRecord>(batch.count);
  for (let r = 0; r < batch.count; r++) records[r] = decodeRow(rows, r * SLOTS_PER_ROW, strings);
  return records;
}

function decodeRow(rows: Float64Array, at: number, strings: readonly string[]): InvocationRecord {
  const nulls = rows[at + NULLS]!;
  const number = (i: number): number | null => (Math.floor(nulls / 2 ** i) % 2 === 1 ? null : rows[at + i]!);
  const text = (i: number): string | null => {
    const index = rows[at + FIRST_TEXT + i]!;
    return index < 0 ? null : strings[index]!;
  };
  return {
    runId: text(0)!,
    seq: number(0)!,
    fn: text(1)!,
    phase: text(2) as Phase,
    tag: text(3),
    plannedUs: number(1)!,
    sentUs: number(2),
    receivedUs: number(3),
    latencyMs: number(4),
    status: text(4) as InvocationStatus,
    httpStatus: number(5),
    errorClass: text(5),
    requestId: text(6),
    instanceId: text(7),
    cold: Math.floor(nulls / COLD_NULL) % 2 === 1 ? null : rows[at + COLD] === 1,
    initMs: number(6),
    durationMs: number(7),
    billedMs: number(8),
    memoryMb: number(9),
    maxMemoryMb: number(10),
  };
}

function stringTable(batch: EncodedBatch): string[] {
  const ends = new Uint32Array(batch.textEnds);
  const bytes = new Uint8Array(batch.text);
  const decoder = new TextDecoder();
  const strings: string[] = new Array<string>(ends.length);
  for (let i = 0; i < ends.length; i++) strings[i] = decoder.decode(bytes.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!));
  return strings;
}
