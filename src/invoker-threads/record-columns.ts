/**
 * Records crossing from a shard's thread to the main thread, a batch at a time, as columns: one
 * array per field rather than one object per record, so the structured clone writes each field's
 * name once per batch, not once per call (a record has 20 fields; a batch at 10,000 calls/s over
 * 100 ms is 1,000 records). The run id is the main thread's to add back.
 */
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import type { Phase } from '../core/load-plan.ts';

export interface RecordColumnBatch {
  readonly count: number;
  readonly seq: number[];
  readonly fn: string[];
  readonly phase: Phase[];
  readonly tag: (string | null)[];
  readonly plannedUs: number[];
  readonly sentUs: (number | null)[];
  readonly receivedUs: (number | null)[];
  readonly latencyMs: (number | null)[];
  readonly status: InvocationStatus[];
  readonly httpStatus: (number | null)[];
  readonly errorClass: (string | null)[];
  readonly requestId: (string | null)[];
  readonly instanceId: (string | null)[];
  readonly cold: (boolean | null)[];
  readonly initMs: (number | null)[];
  readonly durationMs: (number | null)[];
  readonly billedMs: (number | null)[];
  readonly memoryMb: (number | null)[];
  readonly maxMemoryMb: (number | null)[];
}

type Columns = { -readonly [K in Exclude<keyof RecordColumnBatch, 'count'>]: RecordColumnBatch[K] };

function emptyColumns(): Columns {
  return { seq: [], fn: [], phase: [], tag: [], plannedUs: [], sentUs: [], receivedUs: [], latencyMs: [], status: [], httpStatus: [], errorClass: [], requestId: [], instanceId: [], cold: [], initMs: [], durationMs: [], billedMs: [], memoryMb: [], maxMemoryMb: [] };
}

/** Appends records as they are written; `take()` hands the batch over and starts the next. */
export class RecordColumns {
  #columns = emptyColumns();
  #count = 0;

  get count(): number {
    return this.#count;
  }

  add(r: InvocationRecord): void {
    const c = this.#columns;
    c.seq.push(r.seq);
    c.fn.push(r.fn);
    c.phase.push(r.phase);
    c.tag.push(r.tag);
    c.plannedUs.push(r.plannedUs);
    c.sentUs.push(r.sentUs);
    c.receivedUs.push(r.receivedUs);
    c.latencyMs.push(r.latencyMs);
    c.status.push(r.status);
    c.httpStatus.push(r.httpStatus);
    c.errorClass.push(r.errorClass);
    c.requestId.push(r.requestId);
    c.instanceId.push(r.instanceId);
    c.cold.push(r.cold);
    c.initMs.push(r.initMs);
    c.durationMs.push(r.durationMs);
    c.billedMs.push(r.billedMs);
    c.memoryMb.push(r.memoryMb);
    c.maxMemoryMb.push(r.maxMemoryMb);
    this.#count += 1;
  }

  take(): RecordColumnBatch {
    const batch = { count: this.#count, ...this.#columns };
    this.#columns = emptyColumns();
    this.#count = 0;
    return batch;
  }
}

/** Record `i` of a batch, as the shard's thread wrote it, under the run's id. */
export function recordAt(b: RecordColumnBatch, i: number, runId: string): InvocationRecord {
  return {
    runId,
    seq: b.seq[i]!,
    fn: b.fn[i]!,
    phase: b.phase[i]!,
    tag: b.tag[i]!,
    plannedUs: b.plannedUs[i]!,
    sentUs: b.sentUs[i]!,
    receivedUs: b.receivedUs[i]!,
    latencyMs: b.latencyMs[i]!,
    status: b.status[i]!,
    httpStatus: b.httpStatus[i]!,
    errorClass: b.errorClass[i]!,
    requestId: b.requestId[i]!,
    instanceId: b.instanceId[i]!,
    cold: b.cold[i]!,
    initMs: b.initMs[i]!,
    durationMs: b.durationMs[i]!,
    billedMs: b.billedMs[i]!,
    memoryMb: b.memoryMb[i]!,
    maxMemoryMb: b.maxMemoryMb[i]!,
  };
}
